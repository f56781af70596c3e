"""The co-ordinator's quality-assurance comments on a monitoring report refuse the characters that reorder how they
read, as every reason and comment recorded as evidence does (review of 2026-12-06, LOW: the services with their own
text checks were not covered; tests/lifecycle/test_reasons_direction_controls.py has the rest)."""

import pytest

from assessments.models import MonitoringReport
from assessments.services import monitoring_report_pass_qa, monitoring_report_return
from core.exceptions import ApplicationError
from tests.assessments.test_monitoring import published, submitted  # noqa: F401 (fixtures)
from tests.lifecycle.test_reasons_direction_controls import DECEPTIVE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("decide", [monitoring_report_pass_qa, monitoring_report_return])
def test_quality_assurance_comments_refuse_them(submitted, people, decide):  # noqa: F811
    with pytest.raises(ApplicationError, match="control character") as refused:
        decide(report=submitted, actor=people.coordinator, comments=DECEPTIVE)
    assert refused.value.field == "comments"
    assert MonitoringReport.objects.get(pk=submitted.pk).status == "submitted"
