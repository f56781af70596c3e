"""A filter of the register (/policies/) given a value it cannot take (an edited or old URL: a business group that is
not one, a stage that does not exist, a search longer than the register searches) is said, not ignored: the page
answers 200 with the error summary linking to the field, the field says what is wrong and keeps what was typed, and
the list is narrowed by the valid filters only (what is in error is left out, and the page says so). The same
behaviour as the library (tests/library) and the Publication Scheme (tests/publication)."""

import pytest

from tests.factories import advance_to

pytestmark = pytest.mark.django_db

# The register searches this many characters at most (lifecycle.filters.MAX_SEARCH_LENGTH, rule 19).
MAX_SEARCH_LENGTH = 200
HTMX = {"HX-Request": "true", "HX-Trigger": "register-filters", "HX-Target": "register-results"}


@pytest.fixture
def developing_and_scoping(people):
    developing = advance_to(people.policy(title="Stop and search"), "development", people)
    scoping = people.policy(title="Body worn video")
    return developing, scoping


@pytest.mark.parametrize("params,field,message", [
    ({"business_group": "abc"}, "business_group", "Choose a business group from the list"),
    ({"stage": "nonsense"}, "stage", "Choose a stage from the list"),
    ({"review_status": "never"}, "review_status", "Choose a review status from the list"),
    ({"sort": "password"}, "sort", "Choose how to sort from the list"),
    ({"q": "x" * (MAX_SEARCH_LENGTH + 1)}, "q", f"Search for {MAX_SEARCH_LENGTH} characters or fewer"),
])
def test_a_bad_filter_is_said_linked_to_its_field_and_the_valid_ones_still_apply(
        client, people, developing_and_scoping, params, field, message):
    developing, scoping = developing_and_scoping
    client.force_login(people.pcu)

    response = client.get("/policies/", {**params, "stage": params.get("stage", "development")})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Policy register (filtered)" in html
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert f'<a href="#id_{field}">{message}</a>' in summary
    assert f'<p class="govuk-error-message" id="id_{field}-error">' in html and html.count(message) == 2
    assert "narrowed by the rest only" in html
    if field != "stage":
        # The valid filter (stage: development) still narrows the list.
        assert developing.reference in html and scoping.reference not in html


def test_an_over_long_search_keeps_what_was_typed(client, people, developing_and_scoping):
    client.force_login(people.pcu)
    typed = "stop and search " * 20

    html = client.get("/policies/", {"q": typed}).content.decode()

    assert f'value="{typed}"' in html
    assert 'aria-describedby="id_q-error"' in html


def test_the_fragment_brings_the_error_summary_out_of_band(client, people, developing_and_scoping):
    developing, scoping = developing_and_scoping
    client.force_login(people.pcu)

    html = client.get("/policies/", {"business_group": "abc", "stage": "development"}, headers=HTMX).content.decode()

    assert '<div id="register-errors" hx-swap-oob="innerHTML">' in html
    assert '<a href="#id_business_group">Choose a business group from the list</a>' in html
    assert developing.reference in html and scoping.reference not in html
    # A valid request empties the summary a previous one left.
    valid = client.get("/policies/", {"stage": "development"}, headers=HTMX).content.decode()
    emptied = valid.split('<div id="register-errors" hx-swap-oob="innerHTML">')[1].split("</div>")[0]
    assert emptied.strip() == "" and "There is a problem" not in valid


def test_valid_filters_show_no_error(client, people, developing_and_scoping):
    client.force_login(people.pcu)
    html = client.get("/policies/", {"business_group": people.group.pk, "stage": "development"}).content.decode()
    assert "There is a problem" not in html and "govuk-error-message" not in html
    assert "<title>Policy register (filtered)" in html


def test_a_bad_filter_costs_no_more_than_a_valid_one(client, people, developing_and_scoping,
                                                      django_assert_max_num_queries):
    client.force_login(people.pcu)
    client.get("/policies/", {"stage": "development"})
    with django_assert_max_num_queries(8) as valid:
        client.get("/policies/", {"business_group": people.group.pk, "stage": "development"})
    with django_assert_max_num_queries(len(valid.captured_queries)):
        client.get("/policies/", {"business_group": "abc", "stage": "development", "q": "x" * 300})
