"""Security headers (issue 11, finding 9): a strict Content-Security-Policy with per-response nonces,
Permissions-Policy, and ``Cache-Control: no-store`` on everything a signed-in person receives, files included."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import django_prose_editor
import pytest
from django.conf import settings

from publication.services import policy_publish
from tests.downloads import files_stored
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def nonce_of(response) -> str:
    sources = csp_directives(response)["script-src"]
    nonces = [source for source in sources if source.startswith("'nonce-")]
    assert len(nonces) == 1, sources
    return nonces[0][len("'nonce-"):-1]


def inline_script_attributes(body: str) -> list[str]:
    return [attributes for attributes in SCRIPT_TAG.findall(body) if "src=" not in attributes]


def published(people):
    policy = advance_to(people.policy(title="Hate Crime"), "awaiting_publication", people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    return policy


def test_the_policy_allows_only_our_own_files_and_scripts_with_the_nonce(client):
    response = client.get("/sign-in/")

    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'self'"]


def test_every_inline_script_carries_this_responses_nonce(client):
    first, second = client.get("/sign-in/"), client.get("/sign-in/")

    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        inline = inline_script_attributes(response.content.decode())
        assert inline, "the page has its js-enabled inline script"
        assert all(f'nonce="{nonce_of(response)}"' in attributes for attributes in inline), inline


def test_the_editors_import_map_carries_the_nonce(client, people):
    policy = people.policy()
    client.force_login(people.developer)

    response = client.get(f"/policies/{policy.reference}/statement/edit/")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<script type="importmap"' in body
    inline = inline_script_attributes(body)
    assert any("importmap" in attributes for attributes in inline)
    assert all(f'nonce="{nonce_of(response)}"' in attributes for attributes in inline), inline


def test_no_inline_style_attribute_or_event_handler_on_the_pages(client, people):
    policy = people.policy()
    client.force_login(people.developer)
    for path in ["/", "/policies/", f"/policies/{policy.reference}/", f"/policies/{policy.reference}/statement/edit/",
                 "/account/password/"]:
        body = client.get(path).content.decode()
        assert not re.search(r"\sstyle=", body), path
        assert not re.search(r"\son[a-z]+=", body), path


def test_permissions_policy_turns_off_what_the_service_never_uses(client):
    policy = client.get("/sign-in/")["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_every_signed_in_page_and_file_is_no_store(client, people):
    policy = published(people)
    files_stored(policy)
    client.force_login(people.developer)
    for path in ["/", "/policies/", f"/policies/{policy.reference}/", f"/policies/{policy.reference}/pdf/",
                 "/notifications/", "/account/password/", "/publication-scheme/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], path


def test_the_staff_pdf_is_no_store(client, people):
    """The staff PDF may carry OFFICIAL-SENSITIVE SOPs: no copy in a shared cache or on the browser's disk."""
    policy = published(people)
    files_stored(policy)
    client.force_login(people.developer)

    response = client.get(f"/policies/{policy.reference}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"


def test_the_public_publication_scheme_may_be_cached(client, people):
    policy = published(people)
    for path in ["/publication-scheme/", f"/publication-scheme/{policy.reference}/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_the_editors_base_style_is_allowed_by_the_hash_of_the_installed_version():
    """Tiptap injects its base stylesheet (a fixed text in editor.js) inline; the policy allows that text only."""
    editor_js = Path(django_prose_editor.__file__).parent / "static" / "django_prose_editor" / "editor.js"
    source = editor_js.read_text()
    start = source.index("`.ProseMirror {\n  position: relative;")
    css = source[start + 1:source.index("`", start + 1)]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()

    allowed = settings.TIPTAP_BASE_STYLE_HASH
    assert allowed == f"'sha256-{digest}'"
    assert settings.TIPTAP_BASE_STYLE_HASH in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def test_the_policy_built_once_is_django_csps(client, people, settings):
    """core.middleware.CSPMiddleware keeps the settings' policy and puts each response's nonce in it: the header is
    exactly what django-csp builds for that nonce, a page without a nonce gets the policy without one, and a change
    of the policy in the settings is seen at once."""
    from csp.utils import build_policy

    client.force_login(people.coordinator)
    first, second = client.get("/policies/"), client.get("/policies/")
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        assert response["Content-Security-Policy"] == build_policy(nonce=nonce_of(response))
    plain = client.get("/healthz/")
    assert plain["Content-Security-Policy"] == build_policy(nonce=None)
    assert "nonce-" not in plain["Content-Security-Policy"]

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                                                       "img-src": ["'self'"]}}
    changed = client.get("/policies/")
    assert csp_directives(changed)["img-src"] == ["'self'"]
    assert changed["Content-Security-Policy"] == build_policy(nonce=nonce_of(changed))


def test_favicon_ico_leads_to_the_served_icon(client):
    """Walk (2026-12-05): a browser asks for /favicon.ico wherever the page does not name its icon (an Atom feed
    opened in a tab): it answered 404. It leads to the GOV.UK icon the layout names."""
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    assert answer["Location"].endswith("govuk/assets/images/favicon.ico")
    assert "favicon.ico" in answer["Location"] and answer["Location"].startswith("/static/")
