"""``{% work_items %}`` writes My work's policies exactly as the template it replaces wrote them (core/home.html before
issue 16's change): same markup, escaping, glossary expansion and dates, for every combination of next step, due
state and expected date. So do ``{% report_items %}``, ``{% entry_items %}`` and ``{% asked_items %}`` for its
monitoring reports, its other entries and the versions someone is asked to confirm."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from lifecycle.due import REVIEW

# The list item as core/home.html wrote it with the template engine.
TEMPLATE_ITEM = (
    "{% load cached_urls glossary due_dates %}{% for policy in policies %}"
    '<li class="app-work-item"><a class="govuk-link" href="{% cached_url \'lifecycle:detail\' policy.reference %}">'
    "{{ policy.reference }} {{ policy.title }}</a>{% if policy.next_label %}<br><span class=\"govuk-body-s\">Next: "
    "<strong>{% abbreviate policy.next_label %}</strong>{% if policy.next_by %}, by {% abbreviate policy.next_by %}"
    "{% endif %}</span>{% endif %}{% if policy.due_state %} "
    "{% due_state policy.due_state policy.due_label %}{% elif policy.expected_by %} <span class=\"govuk-body-s\">"
    '{% if policy.expected_late %}<strong class="govuk-tag govuk-tag--red app-due-tag">Waiting too long</strong>: '
    'expected by {% else %}by {% endif %}{{ policy.expected_by|date:"j F Y" }}</span>{% endif %}</li>{% endfor %}')
TODAY = datetime.date(2026, 12, 4)


def _policy(reference, title, **extra):
    values = {"next_label": "", "next_by": "", "due_state": None, "due_label": "", "expected_by": None,
              "expected_late": False}
    return SimpleNamespace(reference=reference, title=title, **{**values, **extra})


POLICIES = [
    _policy("POL-0001", "Stop & search <script>alert('x')</script> \"quoted\""),
    _policy("POL-0002", "Custody", next_label="Submit for QA to PCU"),
    _policy("POL-0003", "Firearms", next_label="Sign off the retrospective EIA", due_label="review due",
            due_state=REVIEW.state(TODAY - datetime.timedelta(days=12), TODAY)),
    _policy("POL-0004", "Drones", due_label="review due", due_state=REVIEW.state(TODAY + datetime.timedelta(days=30),
                                                                                  TODAY)),
    _policy("POL-0005", "Vetting", next_label="Approve", expected_by=datetime.date(2026, 11, 2), expected_late=True),
    _policy("POL-0006", "Uniform", next_label="Forward to the Lead", expected_by=datetime.date(2027, 1, 9)),
    # Someone else's step (QA crawl, finding 16): who takes it, through the glossary too.
    _policy("POL-0008", "Tasers", next_label="Publish", next_by="PCU", due_label="review due",
            due_state=REVIEW.state(TODAY - datetime.timedelta(days=2), TODAY)),
    # A reference takes nothing a URL must quote (core.converters, integrity review of 2026-12-06): the odd one out is
    # one in lower case.
    _policy("pol-0007", "A reference in lower case", next_label="Submit for QA to PCU"),
]


@pytest.mark.parametrize("count", [1, len(POLICIES)])
def test_work_items_write_what_the_template_wrote(count):
    policies = POLICIES[:count]
    by_template = Template(TEMPLATE_ITEM).render(Context({"policies": policies}))
    by_tag = Template("{% load work_items %}{% work_items policies %}").render(Context({"policies": policies}))
    assert by_tag == by_template
    assert "&lt;script&gt;" in by_tag and "<script>" not in by_tag


# The other kinds of item as core/home.html wrote them with the template engine.
# The status as a phrase in the sentence, its names kept ("with PCU for publication": |lower wrote "with pcu", found
# by the twelfth session's Chromium walk).
TEMPLATE_REPORT = (
    "{% load glossary %}{% for report in reports %}<li><a class=\"govuk-link\" href=\"{% url "
    "'assessments:monitoring_report' "
    "report.policy.reference report.pk %}\">{{ report.policy.reference }} {{ report.policy.title }}: report to "
    "{{ report.period_end|date:\"j F Y\" }}</a> ({{ report.get_status_display|lowerfirst }}){% if report.waiting %} "
    "<span class=\"govuk-body-s\">{% if report.waiting.is_overdue %}<strong class=\"govuk-tag govuk-tag--red "
    "app-due-tag\">Waiting too long</strong>: expected by {% else %}by {% endif %}"
    "{{ report.waiting.due|date:\"j F Y\" }}</span>{% endif %}</li>{% endfor %}")
TEMPLATE_ENTRY = (
    "{% load glossary due_dates %}{% for entry in entries %}<li><a class=\"govuk-link\" href=\"{{ entry.url }}\">"
    "{% abbreviate entry.label %}</a>{% if entry.state %} {% due_state entry.state entry.due_label %}{% endif %}</li>"
    "{% endfor %}")
TEMPLATE_ASKED = (
    "{% for audience in asked %}<li><a class=\"govuk-link\" href=\"{% url 'library:policy' audience.reference %}\">"
    "{{ audience.reference }} {{ audience.title }}, version {{ audience.number }}</a></li>{% endfor %}")


def _report(pk, reference, title, status, waiting=None):
    # As the template read a report (its policy, its status's display) and as the tag reads My work's ReportItem.
    return SimpleNamespace(pk=pk, policy=SimpleNamespace(reference=reference, title=title), reference=reference,
                           title=title, period_end=datetime.date(2026, 3, 31), waiting=waiting,
                           get_status_display=lambda: status, status_label=status)


REPORTS = [
    _report(7, "POL-0001", "Stop & search <b>", "Submitted"),
    _report(18, "POL-0002", "Custody \"quoted\"", "Quality assured: with PCU for publication",
            waiting=SimpleNamespace(is_overdue=True, due=datetime.date(2026, 11, 20))),
    _report(120, "pol-0003", "Drones", "Submitted",
            waiting=SimpleNamespace(is_overdue=False, due=datetime.date(2026, 12, 24))),
]
ENTRIES = [
    {"url": "/policies/POL-0001/monitoring/7/", "label": "POL-0001 <Stop>: report to 31 March 2026", "state": None,
     "due_label": ""},
    {"url": "/policies/POL-0002/monitoring/8/?a=1&b=2", "label": "POL-0002 EIA and DOI: complete the EIA",
     "state": REVIEW.state(TODAY - datetime.timedelta(days=3), TODAY), "due_label": "due"},
]
ASKED = [SimpleNamespace(reference="POL-0001", title="Stop & search <script>", number="1.0"),
         SimpleNamespace(reference="pol-0002", title="Custody", number="2.3")]


@pytest.mark.parametrize(("template", "tag", "name", "items"), [
    (TEMPLATE_REPORT, "report_items", "reports", REPORTS),
    (TEMPLATE_ENTRY, "entry_items", "entries", ENTRIES),
    (TEMPLATE_ASKED, "asked_items", "asked", ASKED),
], ids=["reports", "entries", "asked"])
def test_the_other_items_write_what_the_template_wrote(template, tag, name, items):
    by_template = Template(template).render(Context({name: items}))
    by_tag = Template(f"{{% load work_items %}}{{% {tag} {name} %}}").render(Context({name: items}))
    assert by_tag == by_template
    assert "<script>" not in by_tag and "<b>" not in by_tag and "<Stop>" not in by_tag


def test_late_work_reads_waiting_too_long_then_by_when():
    """QA walk: "Waiting too long expected by 4 December 2026" ran the tag into the sentence."""
    by_tag = Template("{% load work_items %}{% work_items policies %}").render(Context({"policies": POLICIES[4:5]}))
    assert "Waiting too long</strong>: expected by 2 November 2026" in by_tag
