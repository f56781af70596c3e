"""Redline: a word-level comparison of two versions' texts, rendered as <del>/<ins> markup.

Pure functions: no database, no side effects. Input HTML is reduced to its text by block (paragraphs,
headings, list items), so the comparison is of what a reader sees; output is escaped before markup is
added, so it is safe to render.

Bounded work (house style rule 19; issue 11, finding 4). A statement holds at most
``core.html.MAX_RICH_TEXT_LENGTH`` (500,000) characters, and the QA, decision and publish pages redline
two of them on every view. A word-level ``difflib.SequenceMatcher`` over one long paragraph was quadratic
(6,000 words took 10 s, 20,000 about 200 s), so one hostile statement could stall a worker. Here:
  1. the blocks are compared first, anchored on the blocks found exactly once in each text, or failing
     those on blocks repeated as often in both (hashed, so an unchanged block costs a dictionary look-up;
     the anchors' order is a longest increasing run, n log n): equal blocks are never compared word by word;
  2. only the blocks that changed are compared word by word, by the same anchoring on their words;
  3. every element the comparison visits is counted against ``COMPARISON_BUDGET``; a paragraph with more
     than ``MAX_WORDS_PER_PARAGRAPH`` words, or one the remaining budget cannot pay for, is shown changed
     whole (old removed, new added) with a note that it was too long to compare word by word.
The work is therefore near-linear in the input (reading, escaping), plus at most ``COMPARISON_BUDGET``
comparisons, whatever the input; ``Redline.comparisons`` says how many were made. make bench (--only redline)
times two 500,000-character statements: about 0.2 s each, on a loaded two-core machine."""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

# A paragraph with more words than this (on either side) is shown changed whole: comparing its words
# would cost more than the page is worth, and a reader cannot follow a redline of it anyway.
MAX_WORDS_PER_PARAGRAPH = 5_000
# The elements (blocks and words) one redline may visit while comparing, both texts together. Two
# 500,000-character statements hold about 170,000 words and spaces each: this pays for a word-by-word
# comparison of every changed paragraph of a heavily revised statement, and takes well under a second.
COMPARISON_BUDGET = 1_000_000
# What one region of the comparison costs besides its elements (counting, anchoring), in comparisons: so
# that many tiny changed paragraphs are bounded by the budget as surely as a few long ones.
REGION_COST = 16
# Where no element is found exactly once in both texts, elements found as often in both, up to this many
# times, anchor the comparison instead (their first occurrences paired, then their second, ...).
MAX_REPEATS = 16

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
# A tag, never spanning another "<": linear even on a run of "<" without a ">" (statements are sanitised,
# so a "<" in the text arrives as "&lt;" and is not taken for a tag).
_TAG = re.compile(r"<[^<>]*>")
# A list item opened in a block (the editor writes each item's text as a paragraph inside it: <li><p>...</p></li>).
_ITEM_OPENED = re.compile(r"<li[\s>]", re.IGNORECASE)
_TOKEN = re.compile(r"\s+|[^\s]+")
_DEL = '<del class="app-redline__del"><span class="govuk-visually-hidden">removed: </span>{}</del>'
_INS = '<ins class="app-redline__ins"><span class="govuk-visually-hidden">added: </span>{}</ins>'
_TOO_LONG = ('<p class="govuk-body-s app-redline__note">This paragraph changed; it is too long to compare word '
             "by word, so the old text is shown removed and the new text added.</p>")
_BUDGET_SPENT = ('<p class="govuk-body-s app-redline__note">From here on there are too many changes to compare word '
                 "by word: each changed paragraph is shown with its old text removed and its new text added.</p>")

Opcode = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Redline:
    html: SafeString
    # The elements visited while comparing (the quantity COMPARISON_BUDGET bounds).
    comparisons: int
    # Changed paragraphs shown whole because they were too long or the budget was spent.
    shown_whole: int


class _Budget:
    """Counts the comparisons one redline makes and refuses any that would exceed the limit."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0
        # Whether the reader has been told that the budget ran out (told once, where it happened).
        self.spent_noted = False
        self.shown_whole = 0

    def affords(self, amount: int) -> bool:
        return self.used + amount <= self.limit

    def spend(self, amount: int) -> bool:
        if not self.affords(amount):
            return False
        self.used += amount
        return True


def html_to_blocks(value: str) -> list[str]:
    """The text of each block, as a reader sees it (spaces normalised, tags dropped)."""
    return [text for _, text in blocks_of(value)]


def blocks_of(value: str) -> list[tuple[str, str]]:
    """(kind, text) of each block: its kind is the element that ends it ("p", "h2", "li", ...; a line ended by
    <br> takes the kind of its block), so that a heading is compared with a heading and a paragraph with a
    paragraph; a paragraph opened inside a list item, as the editor writes items, is the item. Linear: one pass of the
    block-end pattern, then one backwards to give lines their block's kind."""
    value = value or ""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _BLOCK_END.finditer(value):
        pieces.append(((match.group(1) or "").lower(), value[start:match.start()]))
        start = match.end()
    pieces.append(("p", value[start:]))
    kind = "p"
    blocks = []
    for ended_by, piece in reversed(pieces):
        kind = ended_by or kind
        if kind == "p" and _ITEM_OPENED.search(piece):
            kind = "li"
        text = " ".join(html.unescape(_TAG.sub("", piece)).split())
        if text:
            blocks.append((kind, text))
    return blocks[::-1]


def _anchors(a: Sequence[Hashable], a0: int, a1: int, b: Sequence[Hashable], b0: int, b1: int,
             budget: _Budget) -> list[tuple[int, int]]:
    """Patience anchors: the elements found exactly once in a[a0:a1] and once in b[b0:b1], reduced to the
    longest run in the same order in both. If there are none (a statement whose sections repeat the same
    headings, a paragraph of common words), elements found as often in both, at most ``MAX_REPEATS`` times,
    their k-th occurrences paired: linear, plus n log n for the run."""
    if a1 - a0 == 1 or b1 - b0 == 1:
        # One element on a side (a word replaced by a few, a paragraph split): match its first occurrence.
        if a1 - a0 == 1:
            return [(a0, b.index(a[a0], b0, b1))] if a[a0] in b[b0:b1] else []
        return [(a.index(b[b0], a0, a1), b0)] if b[b0] in a[a0:a1] else []
    count_a, count_b = Counter(a[a0:a1]), Counter(b[b0:b1])
    chain = _longest_run(_paired_occurrences(a, a0, a1, b, b0, b1, count_a, count_b, most=1))
    if chain or not budget.spend((a1 - a0) + (b1 - b0)):
        return chain
    return _longest_run(_paired_occurrences(a, a0, a1, b, b0, b1, count_a, count_b, most=MAX_REPEATS))


def _paired_occurrences(a, a0, a1, b, b0, b1, count_a, count_b, *, most: int) -> list[tuple[int, int]]:
    """(i, j) pairs, in the order of j: the k-th occurrence in a of an element found equally often in both
    (at most ``most`` times) with its k-th occurrence in b."""
    positions: dict[Hashable, list[int]] = {}
    for i in range(a0, a1):
        if count_a[a[i]] <= most and count_a[a[i]] == count_b[a[i]]:
            positions.setdefault(a[i], []).append(i)
    pairs, taken = [], Counter()
    for j in range(b0, b1):
        if b[j] in positions:
            pairs.append((positions[b[j]][taken[b[j]]], j))
            taken[b[j]] += 1
    return pairs


def _longest_run(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (ordered by j) whose i also increase: n log n."""
    tails: list[int] = []  # tails[k]: the smallest i ending an increasing run of length k + 1
    tail_pair: list[int] = []
    previous: list[int] = []
    for index, (i, _) in enumerate(pairs):
        length = bisect.bisect_left(tails, i)
        if length == len(tails):
            tails.append(i)
            tail_pair.append(index)
        else:
            tails[length], tail_pair[length] = i, index
        previous.append(tail_pair[length - 1] if length else -1)
    chain, index = [], tail_pair[-1] if tail_pair else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _matches(a: Sequence[Hashable], b: Sequence[Hashable], budget: _Budget) -> list[tuple[int, int, int]]:
    """(i, j, n) runs with a[i:i+n] == b[j:j+n], in order. A region the budget cannot pay for is left
    unmatched, so it shows as changed: coarser, never wrong."""
    found: list[tuple[int, int, int]] = []
    regions = [(0, len(a), 0, len(b))]
    while regions:
        a0, a1, b0, b1 = regions.pop()
        if a0 == a1 or b0 == b1 or not budget.spend((a1 - a0) + (b1 - b0) + REGION_COST):
            continue
        start_a, start_b = a0, b0
        while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
            a0, b0 = a0 + 1, b0 + 1
        if a0 > start_a:
            found.append((start_a, start_b, a0 - start_a))
        end_a = a1
        while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
        if a1 < end_a:
            found.append((a1, b1, end_a - a1))
        if a0 == a1 or b0 == b1:
            continue
        # Between consecutive anchors the region is compared afresh: words common in the whole paragraph
        # ("the") are often unique between two anchors.
        previous_a, previous_b = a0, b0
        for i, j in _anchors(a, a0, a1, b, b0, b1, budget):
            found.append((i, j, 1))
            regions.append((previous_a, i, previous_b, j))
            previous_a, previous_b = i + 1, j + 1
        if (previous_a, previous_b) != (a0, b0):
            regions.append((previous_a, a1, previous_b, b1))
    return sorted(found)


def _opcodes(a: Sequence[Hashable], b: Sequence[Hashable], budget: _Budget) -> list[Opcode]:
    """As difflib's get_opcodes: equal, replace, delete and insert ranges covering both sequences."""
    codes: list[Opcode] = []
    i = j = 0
    for match_a, match_b, size in [*_matches(a, b, budget), (len(a), len(b), 0)]:
        if i < match_a or j < match_b:
            tag = "replace" if i < match_a and j < match_b else ("delete" if i < match_a else "insert")
            codes.append((tag, i, match_a, j, match_b))
        if size:
            if codes and codes[-1][0] == "equal":
                codes[-1] = ("equal", codes[-1][1], match_a + size, codes[-1][3], match_b + size)
            else:
                codes.append(("equal", match_a, match_a + size, match_b, match_b + size))
        i, j = match_a + size, match_b + size
    return codes


def _marked(removed: str, added: str) -> str:
    parts = []
    if removed.strip():
        parts.append(_DEL.format(html.escape(removed)))
    if added.strip():
        parts.append(_INS.format(html.escape(added)))
    return "".join(parts)


def _diff_words(old: str, new: str, budget: _Budget, kind: str = "p") -> str:
    """One changed paragraph pair, word by word if it is short enough and the budget can pay for it;
    else shown whole, with a note saying why."""
    # Blocks are normalised to single spaces, so the spaces count the words without splitting them.
    if max(old.count(" "), new.count(" ")) >= MAX_WORDS_PER_PARAGRAPH:
        budget.shown_whole += 1
        return _TOO_LONG + _whole(old, new, kind)
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    if not budget.affords(len(old_tokens) + len(new_tokens) + REGION_COST):
        budget.shown_whole += 1
        note = "" if budget.spent_noted else _BUDGET_SPENT
        budget.spent_noted = True
        return note + _whole(old, new, kind)
    parts = []
    for tag, a0, a1, b0, b1 in _opcodes(old_tokens, new_tokens, budget):
        if tag == "equal":
            parts.append(html.escape("".join(new_tokens[b0:b1])))
        else:
            parts.append(_marked("".join(old_tokens[a0:a1]), "".join(new_tokens[b0:b1])))
    return _paragraph("".join(parts), kind)


# How each kind of block is shown: headings as headings (in bold, not as heading elements, which would enter the
# page's outline) and list items as items, so that the redline keeps the document's shape.
_KIND_CLASS = {**{f"h{level}": " govuk-!-font-weight-bold app-redline__heading" for level in range(1, 7)},
               "li": " app-redline__item"}


def _paragraph(content: str, kind: str = "p") -> str:
    return f'<p class="govuk-body{_KIND_CLASS.get(kind, "")}">{content}</p>'


def _whole(old: str, new: str, kind: str = "p") -> str:
    return _paragraph(_marked(old, ""), kind) + _paragraph(_marked("", new), kind)


# How far ahead among the new blocks a changed old block looks for the one that shares its words (a few paragraphs
# inserted before its rewrite), and how much of the shorter block's words two blocks must share to be compared.
PAIRING_WINDOW = 4
SHARED_FOR_PAIRING = 0.5


def _similar(old: tuple[str, str], new: tuple[str, str], budget: _Budget) -> bool:
    """Of the same kind and sharing at least half the words of the shorter: compared word by word. Each test is paid
    for from the budget. A pair too long to compare word by word, or whose test the budget cannot pay for, is paired
    as before, by position (``_diff_words`` then shows it whole, saying why)."""
    if old[0] != new[0]:
        return False
    cost = old[1].count(" ") + new[1].count(" ") + 2
    if max(old[1].count(" "), new[1].count(" ")) >= MAX_WORDS_PER_PARAGRAPH or not budget.spend(cost):
        return True
    words_old, words_new = set(old[1].split()), set(new[1].split())
    shorter = min(len(words_old), len(words_new))
    return shorter > 0 and len(words_old & words_new) >= SHARED_FOR_PAIRING * shorter


def _changed_blocks(old_part: list[tuple[str, str]], new_part: list[tuple[str, str]], budget: _Budget) -> list[str]:
    """Changed blocks, in order: an old block and a new one are diffed word by word when they are of the same kind
    and share their words (``_similar``); a new block before the one an old block was rewritten as (within
    ``PAIRING_WINDOW``) is shown added whole, and an old block with no such partner removed whole. Unrelated
    paragraphs are not compared word by word (their few shared words made a redline nobody could read), and a
    paragraph where a heading now is shows as two blocks."""
    out = []
    i = j = 0
    while i < len(old_part) and j < len(new_part):
        if _similar(old_part[i], new_part[j], budget):
            out.append(_diff_words(old_part[i][1], new_part[j][1], budget, old_part[i][0]))
            i, j = i + 1, j + 1
        elif any(_similar(old_part[i], new_part[k], budget)
                 for k in range(j + 1, min(len(new_part), j + 1 + PAIRING_WINDOW))):
            out.append(_paragraph(_marked("", new_part[j][1]), new_part[j][0]))
            j += 1
        else:
            out.append(_paragraph(_marked(old_part[i][1], ""), old_part[i][0]))
            i += 1
    out.extend(_paragraph(_marked(block, ""), kind) for kind, block in old_part[i:])
    out.extend(_paragraph(_marked("", block), kind) for kind, block in new_part[j:])
    return out


def redline(old_html: str, new_html: str, *, budget: int = COMPARISON_BUDGET) -> Redline:
    """Blocks in order; changed blocks are diffed word by word, added and removed blocks marked whole."""
    old_blocks, new_blocks = blocks_of(old_html), blocks_of(new_html)
    spent = _Budget(budget)
    out: list[str] = []
    for tag, a0, a1, b0, b1 in _opcodes(old_blocks, new_blocks, spent):
        if tag == "equal":
            out.extend(_paragraph(html.escape(block), kind) for kind, block in new_blocks[b0:b1])
        else:
            out.extend(_changed_blocks(old_blocks[a0:a1], new_blocks[b0:b1], spent))
    markup = "".join(out)
    # Every text fragment above is escaped before any markup is added.
    return Redline(html=mark_safe(markup), comparisons=spent.used, shown_whole=spent.shown_whole)  # noqa: S308


def redline_html(old_html: str, new_html: str) -> SafeString:
    return redline(old_html, new_html).html


def has_changes(old_html: str, new_html: str) -> bool:
    return blocks_of(old_html) != blocks_of(new_html)
