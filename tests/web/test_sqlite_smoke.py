"""The zero-set-up path of `make run`: SQLite, migrate, seed_demo, a few pages, all in a subprocess so it
does not share the PostgreSQL test database."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.make_run import local_env

ROOT = Path(__file__).resolve().parents[2]

PAGE_CHECK = r"""
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
assert client.get("/").status_code == 302, "anonymous home must redirect to sign-in"
response = client.post("/sign-in/", {"username": "developer", "password": "policyhub-demo"})
assert response.status_code == 302, response.status_code
for url in ["/", "/policies/", "/policies/?q=abuse", "/policies/?q=abuse&risk_tier=medium", "/healthz/"]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
from lifecycle.models import Policy
from lifecycle.selectors import policy_list
from core.models import User
developer = User.objects.get(username="developer")
reference = policy_list(user=developer).first().reference
assert client.get(f"/policies/{reference}/").status_code == 200
# The timeline reads its actors' roles in the events' query (an aggregate: GROUP_CONCAT on SQLite); the versions.
for section, shown in (("timeline/", b"app-timeline__item"), ("versions/", b"govuk-table__cell")):
    response = client.get(f"/policies/{reference}/{section}")
    assert response.status_code == 200 and shown in response.content, (section, response.status_code)
# The oversight pages, the library and the public pages on SQLite too (the dashboard's attention list was one
# UNION ALL of two LIMITed branches, which SQLite refuses: a 500 on make run's dashboard).
for username, urls in {
    "coordinator": ["/dashboard/", "/dashboard/indicators/", "/dashboard/report/", "/dashboard/remedial-actions/",
                    "/dashboard/acknowledgements/", "/policies/?format=xlsx", "/policies/?rag=red"],
    "pcu": ["/dashboard/", "/library/?q=abuse", "/notices/", "/acknowledgements/"],
}.items():
    client.logout()
    assert client.post("/sign-in/", {"username": username, "password": "policyhub-demo"}).status_code == 302
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
client.logout()
for url in ["/publication-scheme/", "/publication-scheme/?q=abuse", "/publication-scheme/feed/", "/accessibility/"]:
    assert client.get(url).status_code == 200, url
# The Scheme's index without search text is read by statements compiled once (issue 16): the same pages as the
# queryset's on SQLite, pages of two so that the demo's policies make several.
from django.core.paginator import Paginator
from publication import scheme_index
scheme_index.SCHEME_PAGE_SIZE = 2
assert scheme_index.scheme_policies().count() > 2
for criteria in [{}, *({"business_group": group} for group in scheme_index.scheme_filter_choices()["business_groups"])]:
    for number in (None, "2", "0", "99", "x"):
        page = scheme_index.scheme_index_page(number=number, **criteria)
        expected = Paginator(scheme_index.scheme_policies(**criteria), 2).get_page(number)
        assert (page.number, page.paginator.count, [row.reference for row in page.object_list]) == (
            expected.number, expected.paginator.count, [policy.reference for policy in expected]), (criteria, number)
print("pages ok", Policy.objects.count())
"""

ROLES_HELD_CHECK = r"""
import django
django.setup()
from core.models import Role, RoleAssignment, RolesHeld, User
def check():
    expected = {}
    for user_id, role, group in RoleAssignment.objects.values_list("user_id", "role", "business_group_id"):
        expected.setdefault(user_id, []).append(f"{role}:{group or ''}")
    expected = {user_id: ",".join(sorted(items)) for user_id, items in expected.items()}
    assert dict(RolesHeld.objects.values_list("user_id", "key")) == expected, expected
    return expected
assert check()
developer, pcu = User.objects.get(username="developer"), User.objects.get(username="pcu")
given = RoleAssignment.objects.create(user=developer, role=Role.SHRMT)
assert check()[developer.pk].endswith(",shrmt:")
RoleAssignment.objects.filter(pk=given.pk).update(user=pcu)
assert "shrmt:" in check()[pcu.pk] and "shrmt:" not in check()[developer.pk]
RoleAssignment.objects.filter(pk=given.pk).delete()
check()
print("roles held ok")
"""


AWAITING_RESPONSE_CHECK = r"""
import django
django.setup()
from assessments.models import MonitoringReport, MonitoringReportAwaitingResponse, MonitoringResponse
from lifecycle.monitoring_reports import QUALITY_ASSURED_REPORT_STATUSES
def check():
    expected = set(MonitoringReport.objects.filter(status__in=QUALITY_ASSURED_REPORT_STATUSES, response__isnull=True)
                   .values_list("pk", "policy_id", "qa_at"))
    stored = set(MonitoringReportAwaitingResponse.objects.values_list("report_id", "policy_id", "qa_at"))
    assert stored == expected, (stored, expected)
    return {report_id for report_id, _policy_id, _qa_at in stored}
awaiting = check()
response = MonitoringResponse.objects.order_by("pk").first()
assert awaiting and response is not None and response.report_id not in awaiting
MonitoringResponse.objects.filter(pk=response.pk).delete()
assert response.report_id in check()
print("awaiting response ok")
"""


@pytest.mark.sqlite
def test_make_run_path_on_sqlite(tmp_path, demo_sqlite):
    # `make run`'s first steps, migrate and seed_demo on a new database, are made once per run (tests/web/conftest.py,
    # which asserts that each succeeded); this test goes on from a copy of what they left.
    env = local_env(demo_sqlite.copy_to(tmp_path / "smoke.sqlite3"))

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    seeded = demo_sqlite.seed_output
    assert "policyhub-demo" in seeded and "developer" in seeded
    count_snippet = (
        "import django; django.setup(); from lifecycle.models import Policy, PolicyVersion; "
        "from core.models import AuditEvent; "
        "print(Policy.objects.count(), PolicyVersion.objects.count(), AuditEvent.objects.count())"
    )
    before = run("-c", count_snippet).split()
    run("manage.py", "seed_demo")  # idempotent: a second run adds nothing
    assert run("-c", count_snippet).split() == before
    assert int(before[0]) >= 11
    assert "intact" in run("manage.py", "verify_audit")
    output = run("-c", PAGE_CHECK)
    assert "pages ok" in output
    # Issue 13's interface: a policy under review whose annual monitoring report fell due during the review is
    # chased, and the dry run lists it (overdue, escalated to its co-ordinator and Lead).
    chased = run("manage.py", "chase", "--dry-run")
    assert "dry run: nothing recorded or sent" in chased
    listed = [line for line in chased.splitlines()
              if "[monitoring_due] The annual monitoring report for" in line and "Child Abuse" in line]
    assert len(listed) >= 3 and all("overdue by" in line for line in listed), chased
    status = run("-c", "import django; django.setup(); from lifecycle.models import Policy; "
                       "print(Policy.objects.get(title='Child Abuse').status)").strip()
    assert status == "development"
    # Issue 13's interface: a local work instruction linked to a corporate policy, agreed by that policy's Lead,
    # approved by its own group's Lead without PCU, on the intranet and never on the Publication Scheme.
    local = run("-c", "import django; django.setup(); from lifecycle.models import Policy, LocalAgreement; "
                      "from publication.models import Publication; "
                      "p = Policy.objects.get(kind='local'); "
                      "print(p.supports.title, '|', p.status, '|', "
                      "LocalAgreement.objects.get(policy=p).agreed_by.username, '|', "
                      "Publication.objects.filter(policy=p, on_intranet=True).count(), "
                      "Publication.objects.filter(policy=p, on_publication_scheme=True).count())").strip()
    assert local == "Domestic Abuse | implementation | lead | 1 0", local
    # The roles each person holds, as the acknowledgement rates read them (core.RolesHeld), kept by SQLite's triggers
    # as by PostgreSQL's: after seed_demo, after a role is given, moved to someone else and taken away.
    assert run("-c", ROLES_HELD_CHECK).strip() == "roles held ok"
    # The monitoring reports awaiting the Lead's response (assessments.MonitoringReportAwaitingResponse), kept by
    # SQLite's triggers as by PostgreSQL's: after seed_demo, and after a response is taken away.
    assert run("-c", AWAITING_RESPONSE_CHECK).strip() == "awaiting response ok"
