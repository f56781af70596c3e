"""The public Publication Scheme: anonymous visitors see only what PCU published there, as published.
OFFICIAL-SENSITIVE material never reaches an anonymous page."""

import pytest

from lifecycle import services as lifecycle_services
from publication.services import policy_publish
from tests.downloads import files_stored
from tests.factories import advance_to, fill_development, take_step

pytestmark = pytest.mark.django_db


def publish(policy, people, *, scheme=True):
    policy = advance_to(policy, "awaiting_publication", people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=scheme)
    return policy


def test_anonymous_sees_the_published_statement_on_the_scheme(client, people):
    policy = publish(people.policy(title="Hate Crime"), people)
    index = client.get("/publication-scheme/")
    assert index.status_code == 200 and "Hate Crime" in index.content.decode()
    page = client.get(f"/publication-scheme/{policy.reference}/")
    assert page.status_code == 200
    assert "Officers will act lawfully and proportionately." in page.content.decode()


def test_a_draft_under_review_never_replaces_the_published_text(client, people):
    policy = publish(people.policy(), people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Three-year review.")
    lifecycle_services.draft_update(policy=policy, actor=people.developer,
                                    statement="<p>UNPUBLISHED DRAFT WORDING</p>")
    page = client.get(f"/publication-scheme/{policy.reference}/")
    # The published version stays in force, and on the scheme, while its review is drafted.
    assert page.status_code == 200
    assert "Officers will act lawfully and proportionately." in page.content.decode()
    assert "UNPUBLISHED DRAFT WORDING" not in page.content.decode()


def test_a_withdrawn_policy_leaves_the_scheme_and_its_page_says_so(client, people):
    # Its page was a bare 404, and the Scheme's feed linked the withdrawal to an anchor no page had (found by the
    # twelfth session's Chromium walk): the page says it was withdrawn, when, and what replaces it, if on the Scheme.
    replacement = publish(people.policy(title="Roads policing"), people)
    policy = publish(people.policy(title="Traffic wardens"), people)
    lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.owner, reason="Superseded by national APP.",
                                                replaced_by=replacement.reference)
    lifecycle_services.policy_withdraw(policy=policy, actor=people.pcu)
    index = client.get("/publication-scheme/").content.decode()
    assert "Traffic wardens" not in index
    response = client.get(f"/publication-scheme/{policy.reference}/")
    page = response.content.decode()
    assert response.status_code == 410
    assert "Traffic wardens" in page and "has been withdrawn" in page
    assert f'href="/publication-scheme/{replacement.reference}/"' in page
    assert "Superseded by national APP." not in page  # the reason is the force's, not published
    feed = client.get("/publication-scheme/feed/").content.decode()
    assert f"/publication-scheme/{policy.reference}/" in feed and "#withdrawal-" not in feed


def test_policies_not_on_the_scheme_are_not_found(client, people):
    intranet_only = publish(people.policy(), people, scheme=False)
    assert client.get(f"/publication-scheme/{intranet_only.reference}/").status_code == 404
    # Withdrawn without ever being on the Scheme: still not found.
    lifecycle_services.policy_decide_withdrawal(policy=intranet_only, actor=people.owner, reason="Not needed.")
    lifecycle_services.policy_withdraw(policy=intranet_only, actor=people.pcu)
    assert client.get(f"/publication-scheme/{intranet_only.reference}/").status_code == 404
    unpublished = advance_to(people.policy(), "with_lead", people)
    assert client.get(f"/publication-scheme/{unpublished.reference}/").status_code == 404


def test_official_sensitive_policy_never_reaches_the_scheme(client, people):
    from core.exceptions import ApplicationError

    policy = advance_to(people.policy(protective_marking="official_sensitive",
                                      suitable_for_publication_scheme=False), "awaiting_publication", people)
    with pytest.raises(ApplicationError, match="OFFICIAL-SENSITIVE"):
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=False)
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 404
    assert policy.title not in client.get("/publication-scheme/").content.decode()


def test_only_external_official_sops_are_shown(client, people):
    policy = people.policy()
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Public procedure",
                                  text="<p>PUBLIC SOP TEXT</p>", publish_externally=True)
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Tactics",
                                  text="<p>SENSITIVE SOP TEXT</p>", protective_marking="official_sensitive")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Internal procedure",
                                  text="<p>INTERNAL SOP TEXT</p>")
    policy = publish(policy, people)
    body = client.get(f"/publication-scheme/{policy.reference}/").content.decode()
    assert "PUBLIC SOP TEXT" in body
    assert "SENSITIVE SOP TEXT" not in body and "INTERNAL SOP TEXT" not in body


def test_anonymous_visitors_cannot_reach_the_staff_pages(client, people):
    policy = publish(people.policy(), people)
    for path in ["/", "/policies/", f"/policies/{policy.reference}/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/"), path


def test_pdf_of_the_published_policy_for_the_public_and_staff(client, people):
    policy = people.policy(title="Hate Crime")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Tactics",
                                  text="<p>SENSITIVE</p>", protective_marking="official_sensitive")
    policy = publish(policy, people)
    files_stored(policy)
    public = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert public.content.startswith(b"%PDF")
    client.force_login(people.developer)
    staff = client.get(f"/policies/{policy.reference}/pdf/")
    assert staff.status_code == 200 and staff.content.startswith(b"%PDF")
    assert len(staff.content) > len(public.content)  # the staff copy carries the sensitive SOP and authors


def test_render_policy_pdf_is_pure_and_loads_nothing_from_outside(people):
    from publication.pdf import render_policy_pdf

    policy = people.policy()
    version = policy.current_version
    version.statement = '<p>See <img src="http://example.invalid/tracker.png"> this.</p>'
    pdf = render_policy_pdf(policy=policy, version=version, sop_versions=[])
    assert pdf.startswith(b"%PDF")
    from weasyprint.urls import URLFetchingError

    from publication.pdf import NoNetworkFetcher

    with pytest.raises(URLFetchingError, match="refused"):
        NoNetworkFetcher().fetch("http://example.invalid/tracker.png")


def republish(policy, people, *, scheme: bool):
    """A review cycle: v2.0 drafted from the published v1.0 and published again."""
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    policy = advance_to(policy, "development", people)
    lifecycle_services.draft_update(policy=policy, actor=people.developer, statement="<p>VERSION TWO WORDING</p>")
    fill_development(policy, people, omit={"statement_written"})
    take_step(policy, people, "submitted_for_qa")
    policy = advance_to(policy, "awaiting_publication", people)
    return policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=scheme)


def test_a_superseded_version_leaves_the_scheme_when_its_successor_is_not_put_there(client, people):
    from core.models import AuditEvent
    from publication.models import Publication

    policy = publish(people.policy(title="Hate Crime"), people)
    first = Publication.objects.get(policy=policy)
    second = republish(policy, people, scheme=False)

    # v1.0 is no longer the policy in force: it must not be shown to the public as current. Its page, which the
    # Scheme's feed still links from v1.0's entry, said "Page not found" (QA walk): it says the policy is no longer
    # published there (410), by the title it had there, with nothing of either version's text.
    response = client.get(f"/publication-scheme/{policy.reference}/")
    page = response.content.decode()
    assert response.status_code == 410
    assert "Hate Crime" in page and "no longer published on the Publication Scheme" in page
    assert "has been withdrawn" not in page
    assert "Officers will act lawfully and proportionately." not in page and "VERSION TWO WORDING" not in page
    assert "Hate Crime" not in client.get("/publication-scheme/").content.decode()
    feed = client.get("/publication-scheme/feed/").content.decode()
    assert f"/publication-scheme/{policy.reference}/" in feed
    first.refresh_from_db()
    assert first.superseded_by == second and first.superseded_at is not None
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="policy.publication_superseded").get()
    assert event.changes["version"] == "1.0" and event.changes["superseded_by"] == "2.0"
    assert event.changes["removed_from"] == ["MPS Publication Scheme"]
    assert event.changes["replaced_on"] == ["Corporate Policy Intranet", "Notices"]


def test_a_superseded_version_is_replaced_on_the_scheme_by_its_successor(client, people):
    policy = publish(people.policy(), people)
    republish(policy, people, scheme=True)
    body = client.get(f"/publication-scheme/{policy.reference}/").content.decode()
    assert "VERSION TWO WORDING" in body
    assert "Officers will act lawfully and proportionately." not in body


def test_the_scheme_shows_the_assessments_mitigation_and_the_reasons_for_its_outcome(client, people):
    # The public page gave the outcome's name only and no mitigation, where the public PDF has both in full (found by
    # the twelfth session's Chromium walk).
    from assessments.models import EqualityImpactAssessment

    policy = advance_to(people.policy(title="Stop and search"), "development", people)
    EqualityImpactAssessment.objects.filter(policy_version=policy.current_version).update(
        mitigation="Body-worn video is switched on before every search.")
    policy = publish(policy, people)
    page = client.get(f"/publication-scheme/{policy.reference}/").content.decode()
    assert "Body-worn video is switched on before every search." in page
    assert "No major change needed: No adverse impact identified." in page


def test_a_policy_off_the_scheme_and_now_official_sensitive_is_not_found(client, people):
    """Off the Scheme because a review re-marked it OFFICIAL-SENSITIVE: the public are told nothing of it, as of a
    policy never there (the feed leaves it out)."""
    from lifecycle.states import ProtectiveMarking

    policy = publish(people.policy(title="Hate Crime"), people)
    republish(policy, people, scheme=False)
    type(policy).objects.filter(pk=policy.pk).update(protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 404
    assert policy.reference not in client.get("/publication-scheme/feed/").content.decode()


def test_the_publish_form_says_when_leaving_the_scheme_unticked_takes_the_version_in_force_off_it(client, people):
    policy = publish(people.policy(title="Hate Crime"), people)
    warning = "that one comes off it when this one is published"
    client.force_login(people.pcu)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    policy = advance_to(policy, "development", people)
    fill_development(policy, people)
    take_step(policy, people, "submitted_for_qa")
    policy = advance_to(policy, "awaiting_publication", people)
    assert warning in client.get(f"/policies/{policy.reference}/actions/publish/").content.decode()
    # A first publication has nothing on the Scheme to take off.
    first = advance_to(people.policy(), "awaiting_publication", people)
    assert warning not in client.get(f"/policies/{first.reference}/actions/publish/").content.decode()
