"""A policy's document details (issue 12, "Document details"): title, purpose, who it is relevant to, protective
marking, Publication Scheme suitability, risk tier, registered file reference and links to legislation.

They live on ``Policy`` and are edited there while the policy is in a drafting stage (scoping or development,
``lifecycle.services.details.policy_update_details``). At submission the version is frozen with the details it
was submitted with (``PolicyVersion.details``, part of its content hash), so the Lead's redline shows what
changed since the version in force, and the details of a version in force are never rewritten by a later draft.

Pure: reads a policy's attributes and plain values, writes nothing, imports no model (lifecycle.models imports
this module).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.models import RiskTier
from core.validators import hidden_characters_in
from lifecycle.states import PolicyKind, ProtectiveMarking


@dataclass(frozen=True)
class Detail:
    name: str
    label: str


DETAIL_FIELDS: tuple[Detail, ...] = (
    Detail("title", "Title"),
    Detail("purpose", "Purpose"),
    Detail("relevant_to", "Relevant to"),
    Detail("protective_marking", "Protective marking"),
    Detail("suitable_for_publication_scheme", "Suitable for the Publication Scheme"),
    Detail("risk_tier", "Risk tier"),
    Detail("registered_file_reference", "Registered file reference"),
    Detail("legislation_links", "Links to legislation"),
)
DETAIL_NAMES = tuple(detail.name for detail in DETAIL_FIELDS)
LABELS = {detail.name: detail.label for detail in DETAIL_FIELDS}

# Bounded input (rule 19): a policy rests on a handful of Acts, not hundreds.
MAX_LEGISLATION_LINKS = 30
MAX_LINK_TITLE = 200
MAX_LINK_URL = 500


def details_of(policy) -> dict:
    """The details of ``policy`` as plain JSON values, in DETAIL_FIELDS' order."""
    details = {
        name: ([dict(link) for link in (policy.legislation_links or [])] if name == "legislation_links"
               else getattr(policy, name))
        for name in DETAIL_NAMES
    }
    # The draft's title: a review's proposed one (Policy.proposed_title), the one in force staying the policy's
    # title until the reviewed version is published.
    details["title"] = getattr(policy, "proposed_title", "") or policy.title
    # The draft's marking: a review's downgrade (Policy.proposed_protective_marking), the version in force staying
    # OFFICIAL-SENSITIVE until the reviewed version is published.
    details["protective_marking"] = getattr(policy, "proposed_protective_marking", "") or policy.protective_marking
    return details


def marking_pending(policy, version_in_force) -> str:
    """What a review's downgrade to OFFICIAL waits for (Policy.proposed_protective_marking): the version in force keeps
    the marking it was published with until the draft's version is published (lifecycle.services.details). Said
    wherever the draft is shown and when the downgrade is saved; empty with no downgrade pending."""
    if not getattr(policy, "proposed_protective_marking", "") or version_in_force is None:
        return ""
    return (f"Version {version_in_force.number} in force stays {policy.get_protective_marking_display()} until this "
            f"version is published; this version will be published as "
            f"{policy.get_proposed_protective_marking_display()}.")


def marking_raised(policy, version, version_in_force, details: dict | None) -> str:
    """What the version in force was published as, when the policy was re-marked OFFICIAL-SENSITIVE since (by a
    review, at once, the version in force included: lifecycle.services.details). Its page shows the policy's marking,
    the one obeyed, beside the details the version was published with ("Suitable for Publication Scheme: Yes"), which
    read as a contradiction with nothing to say so (QA walk in Chromium). Empty for any other version or marking.
    Only those who may read the policy, so are cleared for its marking, see its page."""
    if version is None or version_in_force is None or version.pk != version_in_force.pk:
        return ""
    published = (details or {}).get("protective_marking")
    if published != ProtectiveMarking.OFFICIAL or policy.protective_marking != ProtectiveMarking.OFFICIAL_SENSITIVE:
        return ""
    now = policy.get_protective_marking_display()
    return (f"Version {version.number} was published as {ProtectiveMarking(published).label}. The policy was "
            f"re-marked {now} after it was published, and version {version.number} with it.")


def kept_off_the_scheme(policy, details: dict) -> str:
    """Why a version of ``policy`` with these ``details`` (``PolicyVersion.details_read``: those it was frozen and
    approved with) may not go on the public Publication Scheme, as a clause ("an OFFICIAL-SENSITIVE policy cannot go
    on the public Publication Scheme"); empty if it may. The one rule: publication.services refuses the Scheme by it,
    and the re-publish form does not offer it (lifecycle.forms.publishing)."""
    if policy.kind == PolicyKind.LOCAL:
        # SOP: local work instructions "sit outside of the corporate policy development process"; corporate policy
        # statements are the ones "published externally via the MPS Publication Scheme".
        return "a local work instruction never goes on the public Publication Scheme"
    if details["protective_marking"] == ProtectiveMarking.OFFICIAL_SENSITIVE:
        return "an OFFICIAL-SENSITIVE policy cannot go on the public Publication Scheme"
    if not details["suitable_for_publication_scheme"]:
        return "this policy is not marked suitable for the Publication Scheme"
    return ""


def details_hash(details: dict) -> str:
    """SHA-256 of the details' canonical JSON: the details page posts it back, and a save based on details that
    have changed since the page was drawn is refused (as the statement editor's ``base_revision``)."""
    encoded = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def shown(name: str, value) -> str:
    """A detail's value as a reader sees it."""
    if value is None:
        return "Not recorded"
    if name == "protective_marking":
        return ProtectiveMarking(value).label if value in ProtectiveMarking.values else str(value)
    if name == "risk_tier":
        return RiskTier(value).label if value in RiskTier.values else str(value)
    if name == "suitable_for_publication_scheme":
        return "Yes" if value else "No"
    if name == "legislation_links":
        return "\n".join(f"{link.get('title', '')} ({link.get('url', '')})" for link in value) or "None"
    return str(value) if value != "" else "Not recorded"


def details_changes(before: dict | None, after: dict) -> list[dict]:
    """The details that differ, in DETAIL_FIELDS' order: [{"name", "label", "before", "after"}] with the values as
    shown. ``before`` None (a version submitted before versions recorded their details): every detail is listed as
    recorded for the first time."""
    changes = []
    for detail in DETAIL_FIELDS:
        old = None if before is None else before.get(detail.name)
        new = after.get(detail.name)
        if before is not None and old == new:
            continue
        changes.append({"name": detail.name, "label": detail.label,
                        "before": "Not recorded with that version" if before is None else shown(detail.name, old),
                        "after": shown(detail.name, new)})
    return changes


class LinkError(ValueError):
    """A line of the legislation links that cannot be read; the message says which and why."""


def parse_legislation_links(text: str) -> list[dict]:
    """The links typed one a line, the title then the address ("Police and Criminal Evidence Act 1984
    https://www.legislation.gov.uk/ukpga/1984/60"), as [{"title", "url"}]. Blank lines are skipped; anything else
    that is not a title and an http(s) address is refused, naming the line."""
    links: list[dict] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        title, _, url = line.rpartition(" ")
        title, url = title.strip(), url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise LinkError(f"Line {number}: end the line with the link's address, starting https://")
        if not title:
            raise LinkError(f"Line {number}: put the title of the legislation before its address")
        if len(title) > MAX_LINK_TITLE or len(url) > MAX_LINK_URL:
            raise LinkError(f"Line {number}: a title must be {MAX_LINK_TITLE} characters or fewer and an address "
                            f"{MAX_LINK_URL} or fewer")
        if hidden_characters_in(line):
            raise LinkError(f"Line {number}: remove the hidden characters (direction marks or zero-width spaces)")
        links.append({"title": title, "url": url})
    if len(links) > MAX_LEGISLATION_LINKS:
        raise LinkError(f"Enter {MAX_LEGISLATION_LINKS} links or fewer")
    return links


def legislation_links_text(links) -> str:
    """The links as the form shows them: one a line, the title then the address."""
    return "\n".join(f"{link['title']} {link['url']}" for link in links or [])
