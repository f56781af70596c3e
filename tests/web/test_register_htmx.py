"""The policy register's in-page updates (htmx): a request marked HX-Request gets the results fragment, from the
same view and permission-filtered queryset as the page, with the title, count and "Clear filters" out of band;
the history restore after the back button gets the whole page; both representations say ``Vary: HX-Request``.
The browser side is tests/browser/test_register_htmx.py."""

import pytest
from django.utils.cache import has_vary_header

from lifecycle import register_views as views
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Trigger": "register-filters", "HX-Target": "register-results"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
# The fragment's cost, for the busiest role: two fewer than the page's (no filter form, no "Start a new policy"); the
# person's roles come with them (workspace.backends, issue 16). Without filters, the page of rows and the count come in
# one statement (lifecycle.selectors.PolicyRows.page_and_count, issue 16): one fewer.
PINNED_FRAGMENT_QUERIES = 4
PINNED_UNFILTERED_FRAGMENT_QUERIES = 3


@pytest.fixture
def own_and_other(people):
    """A Territorial Policing policy in development, with ``people.developer`` on it, and a Specialist Crime &
    Operations draft that only its own business group's people may see."""
    own = advance_to(people.policy(), "development", people)
    other = people.policy(
        actor=people.developer2, business_group=people.group2, owning_unit=people.unit2,
        designated_lead=people.lead2, coordinator=people.coordinator2, owner=people.lead2,
        policy_manager=people.developer2, developers=[people.developer2],
    )
    return own, other


def test_an_htmx_request_gets_the_results_fragment_with_only_the_users_policies(client, people, own_and_other):
    own, other = own_and_other
    client.force_login(people.developer)

    response = client.get("/policies/", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="register-filters"' not in html, "a fragment, not the page"
    assert own.reference in html
    assert other.reference not in html and other.title not in html
    assert '<p id="result-count" hx-swap-oob="innerHTML">1 policy</p>' in html
    assert "<title>Policy register – PolicyHub</title>" in html
    assert has_vary_header(response, "HX-Request")


def test_a_search_for_a_policy_out_of_scope_finds_nothing_and_counts_nothing(client, people, own_and_other):
    _own, other = own_and_other
    client.force_login(people.developer)

    response = client.get(f"/policies/?q={other.reference}&stage=", headers=HTMX)

    html = response.content.decode()
    assert other.reference not in html and other.title not in html
    assert '<p id="result-count" hx-swap-oob="innerHTML">0 policies</p>' in html
    assert "No policies match." in html
    assert "<title>Policy register (filtered) – PolicyHub</title>" in html
    assert '<a class="govuk-link" href="/policies/">Clear filters</a>' in html


def test_the_other_business_group_sees_its_own_draft_and_not_ours(client, people, own_and_other):
    own, other = own_and_other
    client.force_login(people.developer2)

    html = client.get("/policies/?q=policy", headers=HTMX).content.decode()

    assert other.reference in html
    assert own.reference not in html


def test_the_page_and_the_history_restore_are_the_whole_page_and_vary_too(client, people, own_and_other):
    own, _other = own_and_other
    client.force_login(people.developer)

    for headers in ({}, HISTORY_RESTORE):
        response = client.get("/policies/?q=policy", headers=headers)
        html = response.content.decode()
        assert "<html" in html and 'id="register-filters"' in html, headers
        assert 'id="result-count" role="status"' in html
        assert "hx-swap-oob" not in html, "out-of-band swaps belong to the fragment only"
        assert own.reference in html
        assert has_vary_header(response, "HX-Request")
        assert has_vary_header(response, "HX-History-Restore-Request")


def test_the_page_works_as_a_plain_form_and_links_without_javascript(client, people, own_and_other):
    client.force_login(people.developer)

    html = client.get("/policies/").content.decode()

    # The GET form submits itself and the results region is in the page: htmx only adds to them.
    assert '<form method="get" action="/policies/" role="search"' in html
    assert '<button type="submit" class="govuk-button" data-module="govuk-button">Apply</button>' in html
    assert 'id="register-results" hx-history="false"' in html
    assert 'class="govuk-body app-htmx-indicator" id="register-loading"' in html


def test_page_links_fetch_in_place_and_move_focus_to_the_new_results(client, people, own_and_other, monkeypatch):
    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 1)
    advance_to(people.policy(), "development", people)
    client.force_login(people.developer)

    page_one = client.get("/policies/?q=policy&stage=").content.decode()
    assert ('href="/policies/?q=policy&amp;stage=&amp;page=2" hx-get="/policies/?q=policy&amp;stage=&amp;page=2"'
            in page_one)
    assert "autofocus" not in page_one

    # A page link has no id of its own, so HX-Trigger is absent: the table takes the focus.
    page_two = client.get("/policies/?q=policy&stage=&page=2",
                          headers={"HX-Request": "true", "HX-Target": "register-results"}).content.decode()
    assert '<table class="govuk-table" tabindex="-1" autofocus>' in page_two
    assert "Policies you can see, page 2 of 2" in page_two
    assert "<title>Policy register (filtered), page 2 – PolicyHub</title>" in page_two

    # A filter changed: the focus stays in the filters, so nothing in the results takes it.
    filtered = client.get("/policies/?q=policy&stage=", headers=HTMX).content.decode()
    assert "autofocus" not in filtered


@pytest.mark.parametrize("username", ["developer", "coordinator", "pcu", "lead", "developer2"])
@pytest.mark.parametrize("query", ["", "?sort=-review_due_on&q=policy",
                                   "?q=&business_group=&stage=&risk_tier=&protective_marking=&review_status=&sort="])
def test_the_fragment_query_count_is_pinned_and_flat(client, people, own_and_other, django_assert_num_queries,
                                                     username, query):
    client.force_login(getattr(people, username))
    path = f"/policies/{query}"
    pinned = PINNED_FRAGMENT_QUERIES if "q=policy" in query else PINNED_UNFILTERED_FRAGMENT_QUERIES
    with django_assert_num_queries(pinned):
        assert client.get(path, headers=HTMX).status_code == 200
    for _ in range(4):
        advance_to(people.policy(), "development", people)
    with django_assert_num_queries(pinned):
        assert client.get(path, headers=HTMX).status_code == 200


def test_an_htmx_request_after_the_session_expired_sends_the_whole_page_to_sign_in(client):
    response = client.get("/policies/?q=stop", headers=HTMX)

    # Not a 302 that the XMLHttpRequest would follow (swapping the sign-in form into the results).
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/sign-in/?next=/policies/%3Fq%3Dstop"


def test_a_history_restore_after_the_session_expired_fails_so_the_page_reloads(client):
    # htmx ignores HX-Redirect on a history restore; an error status makes application.js load the page.
    response = client.get("/policies/?q=stop", headers=HISTORY_RESTORE)

    assert response.status_code == 401
    assert response["HX-Redirect"] == "/sign-in/?next=/policies/%3Fq%3Dstop"


def test_an_ordinary_request_after_the_session_expired_is_redirected_as_usual(client):
    response = client.get("/policies/?q=stop")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/policies/%3Fq%3Dstop"
    assert "HX-Redirect" not in response


def test_the_register_filters_are_labelled_in_words(client, people):
    client.force_login(people.pcu)
    html = client.get("/policies/").content.decode()

    labels = ("Search", "Business group", "Stage", "Risk tier", "Protective marking", "Review status", "Sort by")
    positions = [html.find(f">{label}</label>") for label in labels]
    assert -1 not in positions, dict(zip(labels, positions, strict=True))
    assert positions == sorted(positions), "the filters are in the order a user reads them"
    assert "[invalid name]" not in html


def test_the_cached_filter_form_shows_what_was_asked_and_a_new_business_group_at_once(client, people):
    """The filter form is rendered once per set of filters and cached (lifecycle.register_views.register_filter_fields):
    the values asked for are still the ones selected, and a business group added since is listed at once."""
    from django.core.cache import cache

    from core.models import BusinessGroup

    cache.clear()
    client.force_login(people.pcu)
    assert client.get("/policies/").content.decode().count("<option") == client.get(
        "/policies/").content.decode().count("<option")
    asked = client.get(f"/policies/?business_group={people.group2.pk}&q=stop").content.decode()
    assert f'<option value="{people.group2.pk}" selected>' in asked
    assert 'value="stop"' in asked
    plain = client.get("/policies/").content.decode()
    assert f'<option value="{people.group2.pk}" selected>' not in plain
    assert 'value="stop"' not in plain

    BusinessGroup.objects.create(name="Newly formed command", code="NFC", is_active=True)
    assert ">Newly formed command</option>" in client.get("/policies/").content.decode()


def test_each_row_shows_its_policy_status_and_review_as_the_shared_tags_do(client, people, policy_in):
    """The register's rows (lifecycle/templatetags/register_rows.py) show what includes/status_tag.html and
    includes/due_state.html show for the same policy; the first "PCU" of the page is written out in words."""
    from django.template.loader import render_to_string

    from lifecycle.due import REVIEW

    waiting = [policy_in("awaiting_publication", title=f"Waiting {index}") for index in range(2)]
    published = policy_in("implementation", title="In force")
    client.force_login(people.pcu)
    html = client.get("/policies/", headers=HTMX).content.decode()

    first, second = (html.index(f">{policy.title}</a>") for policy in waiting)
    expanded = 'Policy Co-ordination Unit (<abbr title="Policy Co-ordination Unit">PCU</abbr>) for publication'
    assert html.count(expanded) == 1 and first < html.index(expanded) < second
    assert 'With <abbr title="Policy Co-ordination Unit">PCU</abbr> for publication' in html[second:]
    row = html[html.index(f">{published.title}</a>"):]
    row = row[:row.index("</tr>")]
    assert render_to_string("includes/status_tag.html", {"policy": published}).strip() in row
    assert render_to_string("includes/due_state.html", {"state": REVIEW.state_of(published), "label": ""}) in row
    assert f'href="/policies/{published.reference}/"' in html and f"{published.reference} · " in html
