"""What the Publication Scheme publishes of a monitoring report, declared once: the Scheme's page (publication)
and the report's form (assessments) both read it, so what the author is told and what the public reads agree.

SOP, stage 6: the monitoring of "compliance, benefits and impact" is recorded in a Monitoring Report that PCU arranges
"to be published on the MPS Publication Scheme"; policy performance data goes to PCU "for preparation of Corporate
Health Indicators" and to the Performance Board, inside the force. So the Scheme publishes a report's sections below,
and says of its performance section that it is not published there, and why."""

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
