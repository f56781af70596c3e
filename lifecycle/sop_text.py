"""Whether each SOP of a working draft has its procedure written: read by the submission's gate
(lifecycle.gates.sops_written) and its checklist, once a page."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q

# Words in an SOP's sanitised text: at the start of a run of text (the text's start, or just after a tag), past its
# spaces and non-breaking spaces, a character that is not blank and does not open a tag (the editor leaves "<p></p>",
# "<p><br></p>" or "<p>&nbsp;</p>" in an SOP added by its title alone). A regular expression both databases run
# (PostgreSQL's own; Django gives SQLite Python's for ``__regex``).
_NBSP_ENTITY = r"&(nbsp|#0*160|#[xX]0*[aA]0);"
HAS_WORDS = rf"(^|>)(\s|\u00a0|{_NBSP_ENTITY})*([^<&\s\u00a0]|&(?!{_NBSP_ENTITY[1:]}))"
# Where ``draft_sops`` keeps its answer on the version object: the checklist asks both whether the gate applies and
# whether it holds.
DRAFT_SOPS = "_policyhub_draft_sops"


def draft_sops(policy) -> list[tuple[str, bool]]:
    """Each SOP in the draft, in its order: (its title, whether its procedure has words). Asked of the database, in one
    query: the overview asks on every load in development, and an SOP's text may run to half a megabyte."""
    version = policy.current_version
    if version is None:
        return []
    if DRAFT_SOPS not in version.__dict__:
        written = ExpressionWrapper(Q(text__regex=HAS_WORDS), output_field=BooleanField())
        version.__dict__[DRAFT_SOPS] = list(
            version.sop_versions.annotate(written=written).values_list("sop__title", "written"))
    return version.__dict__[DRAFT_SOPS]


def sops_without_text(policy) -> list[str]:
    """The titles of the draft's SOPs with no procedure written, in the draft's order."""
    return [title for title, written in draft_sops(policy) if not written]


def has_sops(policy) -> bool:
    return bool(draft_sops(policy))
