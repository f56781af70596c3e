"""f. The redline of two 500,000-character statements (issue 11, finding 4), as the QA, decision and publish
pages call it (``lifecycle.redline.redline``), in two shapes:
  - scattered: about 1,300 paragraphs, one word changed in 60 of them, scattered through the text;
  - one paragraph: a single giant paragraph each (about 80,000 words), one word changed in 60 places.
The baseline is the linear pass every redline makes first: reducing both texts to their blocks
(``blocks_of``). Target (the issue's): p50 under 2 s, and the comparisons the diff makes within
``COMPARISON_BUDGET``. Needs no database: ``--only redline`` runs it alone, without the bench dataset."""

from __future__ import annotations

import random

from benchmarks.scenarios import Row
from benchmarks.timing import Case, time_interleaved
from core.html import MAX_RICH_TEXT_LENGTH
from lifecycle.redline import COMPARISON_BUDGET, blocks_of, redline

REDLINE_TARGET_MS = 2_000
CHANGED_PLACES = 60
TARGET_NOTE = (f"issue: redline of two {MAX_RICH_TEXT_LENGTH:,}-character statements p50 < {REDLINE_TARGET_MS:,} ms; "
               f"comparisons <= COMPARISON_BUDGET ({COMPARISON_BUDGET:,}); the ratio to blocks_of of both texts "
               "is for information")
# Statement-like text: a few thousand distinct terms among the common words of English prose.
_VOCABULARY = [f"term{n}" for n in range(3_000)] + ["the", "of", "and", "a", "to", "in", "officer", "must"] * 400


def _fill(rng: random.Random) -> list[list[str]]:
    """<p> paragraphs of 20-150 words until the next one would pass the statement limit."""
    paragraphs, length = [], 0
    while True:
        paragraph = [rng.choice(_VOCABULARY) for _ in range(rng.randint(20, 150))]
        length += len("<p></p>") + len(" ".join(paragraph))
        # Room is left for the edits, which lengthen a word to "revised<paragraph>x<position>".
        if length > MAX_RICH_TEXT_LENGTH - CHANGED_PLACES * 20:
            return paragraphs
        paragraphs.append(paragraph)


def _edit(paragraphs: list[list[str]], rng: random.Random) -> list[list[str]]:
    """One word changed in CHANGED_PLACES paragraphs (or places of the one paragraph), scattered."""
    edited = [list(words) for words in paragraphs]
    flat = [(index, position) for index, words in enumerate(edited) for position in range(len(words))]
    for index, position in rng.sample(flat, CHANGED_PLACES):
        edited[index][position] = f"revised{index}x{position}"
    return edited


def statement_pairs(seed: int = 11) -> dict[str, tuple[str, str]]:
    """(old, new) per shape, each text at most MAX_RICH_TEXT_LENGTH characters."""
    rng = random.Random(seed)
    paragraphs = _fill(rng)
    scattered = tuple("".join(f"<p>{' '.join(p)}</p>" for p in version)
                      for version in (paragraphs, _edit(paragraphs, rng)))
    giant = [[word for paragraph in paragraphs for word in paragraph]]
    while len(" ".join(giant[0])) < MAX_RICH_TEXT_LENGTH - CHANGED_PLACES * 20 - len("<p></p>"):
        giant[0].append(rng.choice(_VOCABULARY))
    one_paragraph = tuple(f"<p>{' '.join(version[0])}</p>" for version in (giant, _edit(giant, rng)))
    pairs = {"scattered": scattered, "one paragraph": one_paragraph}
    for old, new in pairs.values():
        assert MAX_RICH_TEXT_LENGTH - 2_000 < len(old) <= len(new) <= MAX_RICH_TEXT_LENGTH
    return pairs


def measure_redline(*, repeat: int, warmup: int, log=print) -> list[Row]:
    rows = []
    for shape, (old, new) in statement_pairs().items():
        baseline = Case(f"redline:{shape}:baseline", lambda _, old=old, new=new: (blocks_of(old),
                                                                                  blocks_of(new)))
        case = Case(f"redline:{shape}", lambda _, old=old, new=new: redline(old, new))
        timings = time_interleaved([baseline, case], repeat=repeat, warmup=warmup)
        base, timing = timings[baseline.name], timings[case.name]
        result = redline(old, new)
        detail = (f"{len(old):,} and {len(new):,} characters; {result.comparisons:,} comparisons; "
                  f"{result.shown_whole} paragraph(s) shown whole")
        log(f"  redline, {shape}: {detail}")
        passed = timing.p50 < REDLINE_TARGET_MS and result.comparisons <= COMPARISON_BUDGET
        rows += [
            Row(f"redline ({shape}): blocks_of of both", "(none)", base.p50, base.p95, base.p50, 1.0, None,
                "baseline", None, f"{len(old):,} and {len(new):,} characters"),
            Row(f"redline ({shape}): redline()", "(none)", timing.p50, timing.p95, base.p50,
                timing.p50 / base.p50 if base.p50 else None, None,
                f"p50<{REDLINE_TARGET_MS}, cmp<={COMPARISON_BUDGET:,}", passed, detail),
        ]
    return rows
