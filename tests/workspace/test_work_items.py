"""``{% work_items %}`` writes My work's policies exactly as the template it replaces wrote them (core/home.html before
issue 16's change): same markup, escaping, glossary expansion and dates, for every combination of next step, due
state and expected date."""

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
    "<strong>{% abbreviate policy.next_label %}</strong></span>{% endif %}{% if policy.due_state %} "
    "{% due_state policy.due_state policy.due_label %}{% elif policy.expected_by %} <span class=\"govuk-body-s\">"
    '{% if policy.expected_late %}<strong class="govuk-tag govuk-tag--red app-due-tag">Waiting too long</strong> '
    'expected by {% else %}by {% endif %}{{ policy.expected_by|date:"j F Y" }}</span>{% endif %}</li>{% endfor %}')
TODAY = datetime.date(2026, 12, 4)


def _policy(reference, title, **extra):
    values = {"next_label": "", "due_state": None, "due_label": "", "expected_by": None, "expected_late": False}
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
    _policy("POL 0007?", "A reference the URL must quote", next_label="Submit for QA to PCU"),
]


@pytest.mark.parametrize("count", [1, len(POLICIES)])
def test_work_items_write_what_the_template_wrote(count):
    policies = POLICIES[:count]
    by_template = Template(TEMPLATE_ITEM).render(Context({"policies": policies}))
    by_tag = Template("{% load work_items %}{% work_items policies %}").render(Context({"policies": policies}))
    assert by_tag == by_template
    assert "&lt;script&gt;" in by_tag and "<script>" not in by_tag
