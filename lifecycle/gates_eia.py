"""The gates of the Equality Impact Assessment's outcome: one concluding that the policy must stop, and one keeping it
despite its potential adverse impact without saying why. Gates as ``lifecycle.gates`` declares them, on which this
module builds (never the reverse).

Form 6119a's outcomes are assessments' ``EqualityImpactAssessment.Decision``, read through the version's relation:
lifecycle imports nothing of assessments.

SOP, role of the Diversity and Citizen Focus Directorate: "Quality assure Policy, SOPs, and Equality Impact
Assessments, to ensure that all corporate policies seek to eliminate discrimination, promote equality of opportunity".
DCFD cannot pass a policy its own assessment says must stop ("Stop and remove the policy"): so the package does not go
to quality assurance saying so (``eia_not_concluding_stop``), and DCFD signs such an assessment off on no route: its
quality assurance (lifecycle.services.quality_assurance), the emergency route's retrospective EIA
(assessments.services.retrospective_eia_refusal), the assessment it reopened at a review concluding no change
(``updated_eia_not_concluding_stop``) or confirmed as standing (lifecycle.services.review.policy_confirm_eia). The way
out is the assessment's own: its outcome changed, with its reasons, if the assessment has changed; or the policy
withdrawn, which its Designated Lead or owner decides (they "retain ultimate ownership") and PCU carries out
(lifecycle.workflow_monitoring.DECIDE_WITHDRAWAL, linked from the checklist for those who may take it).

Versions frozen before this rule with such an outcome (and the emergency route's draft, approved before its assessment
is written) are not blocked where a person decides on them: every page that shows the version decided on warns, with
the assessment's reasons (lifecycle/includes/eia_stop_warning.html)."""

from __future__ import annotations

from lifecycle.gates import gate

STOP_OUTCOME = "“Stop and remove the policy”"
STOP_WHAT_TO_DO = ("If the assessment has changed, record its new outcome and the reasons for it. If the policy is to "
                   "stop, the Designated Lead or the policy's owner decides to withdraw it, and the Policy "
                   "Co-ordination Unit carries the withdrawal out.")
DCFD_SIGNS_NO_STOP = ("The Diversity and Citizen Focus Directorate quality-assures that every corporate policy seeks "
                      "“to eliminate discrimination”, so it does not sign off a policy its own Equality Impact "
                      "Assessment says must stop.")
# What the EIA's page says follows from the outcome while the assessment is still being written: for a draft, its
# submission waits; for the emergency route's retrospective EIA, or one reopened at a review, DCFD's sign-off does.
STOP_HOLDS_SUBMISSION = "While it says so, the package cannot be submitted for quality assurance."
STOP_HOLDS_SIGN_OFF = "While it says so, the Diversity and Citizen Focus Directorate does not sign it off."
# Said to DCFD on the quality assurance page of a version frozen so before this rule.
DCFD_RETURNS_IT = ("The Diversity and Citizen Focus Directorate does not pass it: return it to the developer with "
                   "comments.")


def _eia(policy):
    version = policy.current_version
    return getattr(version, "eia", None) if version else None


def concludes_stop(policy) -> bool:
    """The current version's Equality Impact Assessment concludes "Stop and remove the policy"."""
    eia = _eia(policy)
    return eia is not None and eia.concludes_stop


def dcfd_stop_refusal(policy, instead: str) -> str:
    """Why DCFD may not sign off ``policy``'s assessment, and what to do ``instead``."""
    return (f"The Equality Impact Assessment of {policy.reference} concludes {STOP_OUTCOME}. {DCFD_SIGNS_NO_STOP} "
            f"{instead}")


@gate(f"The Equality Impact Assessment concludes {STOP_OUTCOME}, so the package cannot go to quality assurance. "
      f"{DCFD_SIGNS_NO_STOP} {STOP_WHAT_TO_DO}",
      label=f"The Equality Impact Assessment concludes {STOP_OUTCOME}: change its outcome, or have the policy "
      "withdrawn", fix="eia", field="decision", applies=concludes_stop, explained=True, instead="decide-withdrawal")
def eia_not_concluding_stop(policy) -> bool:
    return not concludes_stop(policy)


@gate(f"The updated Equality Impact Assessment concludes {STOP_OUTCOME}. {DCFD_SIGNS_NO_STOP} {STOP_WHAT_TO_DO}",
      label=f"An updated Equality Impact Assessment that does not conclude {STOP_OUTCOME}", fix="eia",
      field="decision", applies=concludes_stop, explained=True, instead="decide-withdrawal")
def updated_eia_not_concluding_stop(policy) -> bool:
    return not concludes_stop(policy)


def _reasons_missing(policy) -> bool:
    eia = _eia(policy)
    return eia is not None and eia.reasons_missing


# Form 6119a: "Continue despite potential adverse impact (justified)". The EIA's form and service ask for the reasons
# with that outcome (and with "Stop"); an assessment saved without them before they did is not submitted so. Listed
# only while they are missing.
@gate("The Equality Impact Assessment's outcome keeps the policy despite its potential adverse impact, or stops it, "
      "without saying why: record the justification in its reasons for the outcome.",
      label="Record the justification for the Equality Impact Assessment's outcome", fix="eia",
      field="decision_rationale", applies=_reasons_missing)
def eia_outcome_justified(policy) -> bool:
    return not _reasons_missing(policy)
