"""QA walk: /library/pol-0004/ (the reference typed in lower case) was a 404. A reference in a policy's address is
matched whatever its case: the address with it in lower case answers 301 to the one with it in capitals, on the
library, policy and Publication Scheme pages. The redirect looks nothing up, so it is the same for a policy that
exists, one the reader may not see and one that does not exist: the canonical page then answers as it always does."""

from __future__ import annotations

import pytest

from lifecycle.states import ProtectiveMarking
from tests.library.helpers import published, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/library/{ref}/", "/policies/{ref}/", "/policies/{ref}/timeline/",
                                  "/publication-scheme/{ref}/", "/library/{ref}/versions/1.0/"])
def test_a_reference_in_lower_case_is_redirected_to_its_canonical_address(client, people, path):
    seen = published(people, title="Seen")
    unseen = published(people, title="Covert", marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    reader = staff("reader", people.unit)
    client.force_login(reader)
    answers = []
    for reference in (seen.reference, unseen.reference, "POL-9999"):
        response = client.get(path.format(ref=reference.lower()) + "?from=walk")
        assert response.status_code == 301
        assert response["Location"] == path.format(ref=reference) + "?from=walk"
        answers.append((response.status_code, response.content))
    assert answers[0] == answers[1] == answers[2]
    assert client.get(path.format(ref="Pol-0001")).status_code == 301


def test_the_library_page_is_reached_from_the_lower_case_address(client, people):
    seen = published(people, title="Seen")
    client.force_login(staff("reader", people.unit))
    response = client.get(f"/library/{seen.reference.lower()}/", follow=True)
    assert response.status_code == 200 and "Seen" in response.content.decode()


def test_an_address_in_capitals_and_a_post_are_not_redirected(client, people):
    reader = staff("reader", people.unit)
    client.force_login(reader)
    assert client.get("/library/POL-9999/").status_code == 404
    # A post is not redirected (a 301 would lose its body): it is answered as before.
    assert client.post("/policies/pol-9999/actions/submit/").status_code != 301


def test_the_scheme_address_in_lower_case_is_redirected_for_the_public_too(client):
    response = client.get("/publication-scheme/pol-0001/")
    assert response.status_code == 301 and response["Location"] == "/publication-scheme/POL-0001/"
    assert "Content-Security-Policy" in response and response["X-Content-Type-Options"] == "nosniff"
