"""Redline: a word-level comparison of two versions' texts, rendered as <del>/<ins> markup.

Pure functions: no database, no side effects. Input HTML is reduced to its text by block (paragraphs,
headings, list items), so the comparison is of what a reader sees; output is escaped before markup is
added, so it is safe to render."""

from __future__ import annotations

import difflib
import html
import re

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
_TOKEN = re.compile(r"\s+|[^\s]+")


def html_to_blocks(value: str) -> list[str]:
    text = _BLOCK_END.sub("\n", value or "")
    blocks = [html.unescape(strip_tags(block)).strip() for block in text.split("\n")]
    return [re.sub(r"\s+", " ", block) for block in blocks if block]


def _diff_words(old: str, new: str) -> str:
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for opcode, a0, a1, b0, b1 in matcher.get_opcodes():
        removed = html.escape("".join(old_tokens[a0:a1]))
        added = html.escape("".join(new_tokens[b0:b1]))
        if opcode == "equal":
            parts.append(added)
        if opcode in ("delete", "replace") and removed.strip():
            parts.append(f'<del class="app-redline__del"><span class="govuk-visually-hidden">removed: </span>'
                         f"{removed}</del>")
        if opcode in ("insert", "replace") and added.strip():
            parts.append(f'<ins class="app-redline__ins"><span class="govuk-visually-hidden">added: </span>'
                         f"{added}</ins>")
    return "".join(parts)


def redline_html(old_html: str, new_html: str) -> SafeString:
    """Blocks in order; changed blocks are diffed word by word, added and removed blocks marked whole."""
    old_blocks, new_blocks = html_to_blocks(old_html), html_to_blocks(new_html)
    matcher = difflib.SequenceMatcher(a=old_blocks, b=new_blocks, autojunk=False)
    out: list[str] = []
    for opcode, a0, a1, b0, b1 in matcher.get_opcodes():
        if opcode == "equal":
            out.extend(f"<p class=\"govuk-body\">{html.escape(block)}</p>" for block in new_blocks[b0:b1])
        else:
            # Pair changed blocks in order and diff them word by word; the surplus is removed or added whole.
            old_part, new_part = old_blocks[a0:a1], new_blocks[b0:b1]
            paired = min(len(old_part), len(new_part))
            out.extend(f"<p class=\"govuk-body\">{_diff_words(old, new)}</p>"
                       for old, new in zip(old_part[:paired], new_part[:paired], strict=True))
            out.extend(f"<p class=\"govuk-body\">{_diff_words(block, '')}</p>" for block in old_part[paired:])
            out.extend(f"<p class=\"govuk-body\">{_diff_words('', block)}</p>" for block in new_part[paired:])
    return mark_safe("".join(out))  # noqa: S308 - every text fragment above is escaped


def has_changes(old_html: str, new_html: str) -> bool:
    return html_to_blocks(old_html) != html_to_blocks(new_html)
