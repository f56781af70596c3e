from assessments.models import EqualityImpactAssessment, PolicyWorkbook

# The EIA's sections, as its model declares them (what a reader reads of it, and its content hash covers).
EIA_FIELDS = list(EqualityImpactAssessment.SECTIONS)
WORKBOOK_FIELDS = [
    "need", "legislation", "data_and_statistics", "costs_and_resources", "benefits",
    "health_and_safety_impact", "health_and_safety_statement", "information_management",
    "consultation_summary", "implementation_plan", "monitoring_process",
]


def copy_assessments_forward(sender, *, new_version, previous_version, actor, **kwargs) -> None:
    """A new draft starts from the previous package's EIA and Workbook (or empty ones for a new policy)."""
    eia_values, workbook_values = {}, {}
    if previous_version is not None:
        previous_eia = EqualityImpactAssessment.objects.filter(policy_version=previous_version).first()
        previous_workbook = PolicyWorkbook.objects.filter(policy_version=previous_version).first()
        if previous_eia:
            eia_values = {field: getattr(previous_eia, field) for field in EIA_FIELDS}
        if previous_workbook:
            workbook_values = {field: getattr(previous_workbook, field) for field in WORKBOOK_FIELDS}
    if previous_version is not None and new_version.major != previous_version.major:
        # A review is a new cycle: "Conduct impact assessments ... on existing policies every 3 years". The
        # old text is a starting point, but the decision and the consultation feedback must be made afresh.
        for field in ("decision", "decision_rationale", "consultation_summary"):
            eia_values.pop(field, None)
        workbook_values.pop("consultation_summary", None)
    EqualityImpactAssessment.objects.create(policy_version=new_version, updated_by=actor, **eia_values)
    PolicyWorkbook.objects.create(policy_version=new_version, updated_by=actor, **workbook_values)
