"""axe-core (WCAG 2.2 AA) on the pages of issue 14 and the Scheme's search (issue 17), empty states included:
the Publication Scheme (index, search, filters, errors, an entry with parts withheld), Notices, PCU's page of
withheld parts, the publication page with its stored files, a PDF being prepared or not stored, and the refusals
(too many requests, a tampered file)."""

from __future__ import annotations

import errno

import pytest
from django.core.files.storage import default_storage

from core.models import Subject
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.services import (
    policy_publish,
    publication_files_not_stored,
    publication_store_files,
    sop_redaction_record,
)
from tests.factories import advance_to, make_people
from tests.rate_limits import clear_rate_limits

pytestmark = pytest.mark.django_db(transaction=True)


def test_publication_pages_pass_axe(browser_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    browser = browser_user
    people = make_people()
    checked = []

    def check(label: str, path: str | None = None, status: int = 200):
        if path is not None:
            response = browser.goto(path)
            assert response.status == status, f"{label}: {path} answered {response.status}"
        browser.assert_accessible(label)
        checked.append(label)

    # Empty states, before anything is published.
    check("public: empty Publication Scheme", "/publication-scheme/")
    browser.sign_in(people.developer.username)
    check("staff: no notices yet", "/notices/")

    custody = Subject.objects.create(name="Custody", slug="custody")
    policy = people.policy(title="Detention of juveniles", subject=custody)
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Searching detainees",
                                  text="<p>Open part.</p><p>Tactical part.</p>", publish_externally=True)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    browser.sign_in(people.pcu.username)
    check("pcu: parts withheld, none yet", f"/policies/{policy.reference}/publication/withheld/")
    browser.submit("form#main-form button[type=submit]")
    check("pcu: withhold a part, with errors")
    sop_redaction_record(sop_version=policy.current_version.sop_versions.get(), actor=people.pcu, block=2,
                         exemption="s31")
    check("pcu: parts withheld", f"/policies/{policy.reference}/publication/withheld/")
    publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    files = publication_store_files(publication=publication)
    check("pcu: publication with its stored files", f"/policies/{policy.reference}/publication/")
    check("pcu: notices", "/notices/")
    check("pcu: notices, nothing earlier", "/notices/?before=2000-01-01T00:00:00%2B00:00")
    check("pcu: notices, a bad address", "/notices/?before=yesterday", status=400)

    browser.page.context.clear_cookies()
    check("public: Publication Scheme", "/publication-scheme/")
    check("public: Scheme filtered", "/publication-scheme/?q=juveniles&group=tp&subject=custody")
    check("public: Scheme search with no results", "/publication-scheme/?q=no-such-policy")
    check("public: Scheme search with an error", "/publication-scheme/?group=nope")
    check("public: Scheme entry with a part withheld", f"/publication-scheme/{policy.reference}/")

    withdrawn = advance_to(people.policy(title="Traffic wardens"), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=withdrawn, actor=people.pcu, on_publication_scheme=True)
    lifecycle_services.policy_decide_withdrawal(policy=withdrawn, actor=people.owner, reason="Not needed.",
                                                replaced_by=policy.reference)
    lifecycle_services.policy_withdraw(policy=withdrawn, actor=people.pcu)
    check("public: a policy withdrawn from the Scheme", f"/publication-scheme/{withdrawn.reference}/", status=410)

    public = next(file for file in files if file.audience == "public")
    with open(default_storage.path(public.storage_name), "ab") as handle:
        handle.write(b"tampered")
    check("public: a tampered file refused", f"/publication-scheme/{policy.reference}/pdf/", status=503)

    # A version whose files are not stored yet: the page saying its PDF is being prepared (its task fails here, the
    # store being a file, so the page is what every download meets), then the one saying it could not be stored.
    media_root = settings.MEDIA_ROOT
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the file store's folder should be")
    settings.MEDIA_ROOT = str(blocker)
    pending = advance_to(people.policy(title="Stop and search"), Status.AWAITING_PUBLICATION, people)
    pending_publication = policy_publish(policy=pending, actor=people.pcu, on_publication_scheme=True)
    check("public: a PDF being prepared", f"/publication-scheme/{pending.reference}/pdf/", status=202)
    publication_files_not_stored(publication=pending_publication, error=OSError(errno.ENOSPC, "full"), attempts=5)
    check("public: a PDF not stored", f"/publication-scheme/{pending.reference}/pdf/", status=503)
    settings.MEDIA_ROOT = media_root

    settings.POLICYHUB_PUBLIC_PAGE_RATE = "1/d"  # a day: a fixed window a minute long could turn between two requests
    clear_rate_limits()
    browser.goto("/publication-scheme/")
    check("public: too many requests", "/publication-scheme/", status=429)
    clear_rate_limits()
    assert len(checked) == 19
