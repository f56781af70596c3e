"""A filter of the library given a value it cannot take (a business group or subject that is not one, a search too
long) is said as on the register and the Publication Scheme: the page answers 200 with the error summary linking to
the field and what was typed kept, and lists what the valid filters and search find (what is in error left out, and
the page says so), rather than answering 400 with no list at all."""

import pytest

from core.models import Subject
from library.selectors import MAX_QUERY_LENGTH
from tests.library.helpers import published, staff

pytestmark = pytest.mark.django_db

LEFT_OUT = "narrowed by the rest only"


@pytest.fixture
def two_policies(people):
    subject = Subject.objects.create(name="Use of force", slug="use-of-force")
    tasering = published(people, title="Tasering", statement="<p>Conducted energy devices ibexian.</p>",
                         relevant_to="Authorised officers only.", subject=subject)
    kidnap = published(people, title="Kidnap", statement="<p>Negotiators.</p>")
    return subject, tasering, kidnap


def test_a_bad_business_group_is_said_and_the_search_still_made(client, people, two_policies):
    _subject, tasering, kidnap = two_policies
    client.force_login(staff("reader", people.unit))

    response = client.get("/library/", {"q": "ibexian", "business_group": "abc", "relevant_to": "officers only"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_business_group">Choose a business group from the list</a>' in html
    assert LEFT_OUT in html
    assert tasering.title in html and kidnap.title not in html
    assert 'value="officers only"' in html and 'value="ibexian"' in html


def test_a_search_too_long_is_said_and_the_valid_filters_still_apply(client, people, two_policies):
    subject, tasering, kidnap = two_policies
    client.force_login(staff("reader", people.unit))
    typed = "x" * (MAX_QUERY_LENGTH + 1)

    response = client.get("/library/", {"q": typed, "subject": subject.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="#id_q">Search for {MAX_QUERY_LENGTH} characters or fewer</a>' in html
    assert f'value="{typed}"' in html and LEFT_OUT in html
    assert tasering.title in html and kidnap.title not in html


def test_a_bad_scope_falls_back_to_the_policies_in_force(client, people, two_policies):
    _subject, tasering, _kidnap = two_policies
    client.force_login(staff("reader", people.unit))

    response = client.get("/library/", {"scope": "everything"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_scope"' in html and tasering.title in html
