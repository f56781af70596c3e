"""The search language, as websearch_to_tsquery reads it (the PostgreSQL path), written out in Python: words all
required, "quoted phrases", a minus sign leaving a word or phrase out, "or" between alternatives, common words
dropped. The SQLite fallback (``fallback``) matches by it (``simple_match``); both paths read of it whether there is
anything to search for (``has_search_words``) and the words an extract is taken around (``wanted_words``).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

# PostgreSQL's English stop words (tsearch_data/english.stop), which websearch_to_tsquery('english', ...) drops: the
# fallback drops them too, or "the abuse" would need the word "the" on SQLite and not on PostgreSQL, and "-the"
# would leave out every document.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its
itself they them their theirs themselves what which who whom this that these those am is are was were be been being
have has had having do does did doing a an the and but if or because as until while of at by for with about against
between into through during before after above below to from up down in out on off over under again further then once
here there when where why how all any both each few more most other some such no nor not only own same so than too
very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())
# A word, as the fallback reads one (letters and digits; PostgreSQL's parser splits at the same places, near enough).
_WORD = re.compile(r"[^\W_]+")
# What websearch_to_tsquery reads as one operand: up to a space, a quote or one of the plain tsquery syntax's
# operators, which it skips (it reads only quotes, "or" and a minus sign at the start of a word).
_CHUNK = re.compile(r'[^\s"!&|()<]+')
_SKIPPED = frozenset("!&|()<")


def has_search_words(text: str) -> bool:
    """Whether ``text`` holds anything to search for once its operators are set aside ("-", '""' and "- -" do not;
    a common word does, and is explained as too common)."""
    return bool(_WORD.search(text or ""))


@dataclass(frozen=True)
class SearchTerm:
    """A word, or a phrase's words in order (None: a common word, which keeps its place in the phrase, as
    'abus' <2> 'trust' does for "abuse of trust"), and whether a minus sign leaves it out."""
    words: tuple[str | None, ...]
    excluded: bool = False


def _term(text: str, *, excluded: bool) -> SearchTerm | None:
    """Words joined by punctuation ("abuse-related") are a phrase, as PostgreSQL reads them; common words at either
    end go, and a term of common words alone is no term."""
    words = [None if word in STOP_WORDS else word for word in _WORD.findall(text.lower())]
    while words and words[0] is None:
        words.pop(0)
    while words and words[-1] is None:
        words.pop()
    return SearchTerm(words=tuple(words), excluded=excluded) if words else None


def parsed_search(text: str) -> tuple[tuple[SearchTerm, ...], ...]:
    """``text`` read as websearch_to_tsquery reads it (the PostgreSQL path): the alternatives ("or" between words) of
    which a document must match one, each the terms it must hold all of, or (with a minus sign) none of. Words are
    required; "quoted words" are a phrase; a minus sign at the start of a word or phrase leaves it out (two put it
    back); "or" between words is an alternative; the plain tsquery operators (! & | ( ) <) are skipped; common words
    are dropped. Empty when there is nothing to search for."""
    groups: list[tuple[SearchTerm, ...]] = []
    group: list[SearchTerm] = []
    minus_signs, waiting_for_word, position = 0, True, 0
    while position < len(text):
        character = text[position]
        if character.isspace() or character in _SKIPPED:
            position += 1
            continue
        if character == "-":
            minus_signs, waiting_for_word, position = minus_signs + 1, True, position + 1
            continue
        if character == '"':
            end = text.find('"', position + 1)
            end = len(text) if end < 0 else end
            operand, position = text[position + 1:end], end + 1
        else:
            chunk = _CHUNK.match(text, position)
            operand, position = chunk.group(), chunk.end()
            if not waiting_for_word and operand.lower() == "or":
                groups.append(tuple(group))
                group, minus_signs, waiting_for_word = [], 0, True
                continue
        term = _term(operand, excluded=minus_signs % 2 == 1)
        if term is not None:
            group.append(term)
        minus_signs, waiting_for_word = 0, False
    groups.append(tuple(group))
    return tuple(group for group in groups if group)


def wanted_words(groups) -> list[str]:
    """The words searched for, not those left out: what an extract is taken around and marks."""
    return list(dict.fromkeys(word for group in groups for term in group if not term.excluded
                              for word in term.words if word is not None))


def _term_pattern(term: SearchTerm) -> str:
    """A regular expression read alike by Python (Django's REGEXP on SQLite) and PostgreSQL (~*): the term's words
    each at the start of a word, in order, words apart. A word matches with any ending ("abuse" finds "abused"), the
    nearest the fallback comes to the English stemmer; it misses a changed stem ("abuse" and "abusing")."""
    parts = [r"\w+" if word is None else re.escape(word) + r"\w*" for word in term.words]
    return r"(?:^|\W)" + r"\W+".join(parts)


def simple_match(groups) -> Q:
    """The documents ``parsed_search`` asks for, by their reference, title or text (what PostgreSQL's vector holds):
    one of the alternatives, each with every term it requires and none it leaves out. Nothing for no alternatives."""
    alternatives = []
    for group in groups:
        every = Q()
        for term in group:
            pattern = _term_pattern(term)
            found = Q(reference__iregex=pattern) | Q(title__iregex=pattern) | Q(body__iregex=pattern)
            every &= ~found if term.excluded else found
        alternatives.append(every)
    return reduce(operator.or_, alternatives) if alternatives else Q(pk__in=[])
