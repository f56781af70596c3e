"""What the Publication Scheme publishes of a monitoring report, declared once: the Scheme's page (publication)
and the report's form (assessments) both read it, so what the author is told and what the public reads agree.

SOP, stage 6: the monitoring of "compliance, benefits and impact" is recorded in a Monitoring Report that PCU arranges
"to be published on the MPS Publication Scheme"; policy performance data goes to PCU "for preparation of Corporate
Health Indicators" and to the Performance Board, inside the force. So the Scheme publishes a report's sections below,
and says of its performance section that it is not published there, and why."""

from dataclasses import dataclass

PUBLISHED_SECTIONS = (("compliance", "Compliance"), ("benefits", "Benefits"), ("diversity_impact", "Diversity impact"))
UNPUBLISHED_SECTION = ("performance", "Performance")
# Why, in the words both the Scheme page and the form's hint use.
UNPUBLISHED_WHY = ("policy performance data is used inside the force, where the Policy Co-ordination Unit prepares the "
                   "Corporate Health Indicators from it for the Performance Board. It can be requested under the "
                   "Freedom of Information Act.")
# The Scheme page's paragraph.
ON_THE_SCHEME = ("The performance section of each report is not published here. The force publishes the monitoring of "
                 f"each policy's compliance, benefits and impact on the Publication Scheme; {UNPUBLISHED_WHY}")
# The form's hint on the section.
ON_THE_FORM = f"Not published on the Publication Scheme, unlike the other sections: {UNPUBLISHED_WHY}"


# Where PCU's publication of a report puts it, declared once with its words (rule 16: the button, the confirmation and
# what the report's page says after vary by where it goes, as a step's notice varies by its answer, not in a
# template). SOP, stage 6, PCU arranges for a report "to be published on the MPS Publication Scheme", and only
# material suitable for the Scheme goes on it; a report kept off it is published to staff. Keyed by why it is kept
# off (assessments.selectors.report_kept_off_scheme, the rule the Scheme's page applies), None when it goes on.
@dataclass(frozen=True)
class Destination:
    button: str
    success: str  # the confirmation once published
    published: str  # what the report's page says of it once published
    on_the_scheme: bool


def _to_staff(why: str) -> Destination:
    return Destination(button="Publish internally",
                       success=f"Monitoring report published to staff (not on the Publication Scheme: {why}).",
                       published=f"Published to staff (not on the Publication Scheme: {why}).", on_the_scheme=False)


DESTINATIONS = {
    None: Destination(button="Publish on the Publication Scheme",
                      success="Monitoring report published on the Publication Scheme.",
                      published="Published on the Publication Scheme.", on_the_scheme=True),
    # The report is read OFFICIAL-SENSITIVE (its own marking or its policy's): never on the public Scheme.
    "sensitive": _to_staff("OFFICIAL-SENSITIVE"),
    # Its policy has no page there: not suitable for it, or its version in force not put there by PCU.
    "policy_off_scheme": _to_staff("its policy is not published there"),
}
