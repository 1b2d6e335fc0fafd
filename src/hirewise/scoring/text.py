"""Plain-text helpers of the free-text scorer: sentences, key points, content words and their stems.

Pure Python on purpose: the lexical fallback must work where numpy and the embedding model are absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

# Function words and filler, so that overlap counts meaning, not grammar. Negations stay out of the
# list ("does not" and "does" are different answers); digits are always content. "one" is in: it is
# far more often filler ("the one that", "one of") than a count, and the development data agree.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each either etc few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just let
    lets may me might more most must my myself of off on once only or other our ours ourselves out over
    own same shall she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up upon us very via was we were what when where whether
    which while who whom whose why will with within would you your yours yourself yourselves e g ie eg
    one ones thing things something way ways use used uses using like example called basically
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words kept whole: "c++" and "c#" are programming terms, not "c".
_WORD = re.compile(r"[a-z0-9][a-z0-9_]*(?:\+\+|#)?")
_WORD_ANY_CASE = re.compile(_WORD.pattern, re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|(?<=\))\s+(?=[A-Z])")
_SUFFIXES = (
    "izations", "ization", "ational", "ations", "ation", "ments", "ment", "ness", "ities", "ity",
    "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s",
)  # fmt: skip
_MIN_STEM = 3


def stem(word: str) -> str:
    """A crude suffix stripper; only consistency matters ("defines", "defined", "define" → "defin")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > _MIN_STEM:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word with its character span in ``text`` itself (matching the original, not a lowered copy,
    keeps the offsets right for characters whose lower case is longer)."""
    return [(match.start(), match.end(), match.group().lower()) for match in _WORD_ANY_CASE.finditer(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, repeats kept."""
    return [stem(word) for word in words(text) if word not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text and where it sits, so pooled token states can be matched to it."""

    text: str
    start: int
    end: int


def sentence_spans(text: str) -> list[Span]:
    """Sentences (and ';'-separated clauses), stripped, with their character offsets in ``text``."""
    spans: list[Span] = []
    position = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[position:end]
        stripped = piece.strip()
        if stripped:
            start = position + piece.index(stripped)
            spans.append(Span(stripped, start, start + len(stripped)))
        if match:
            position = match.end()
    return spans


# Where a sentence divides into clauses: punctuation that separates phrases (not a comma inside a
# number), and the conjunctions that start a new statement. A bare "and" is no boundary: it joins
# items of a list ("testing and production") far more often than two statements.
_CLAUSE_BREAK = re.compile(
    r"\s*[,;:]\s+|\s+[-\u2013\u2014]+\s+|\s+(?=(?:but|whereas|because|although|though|so that|which means)\b)",
    re.IGNORECASE,
)
MAX_CLAUSES_PER_SPAN = 2


def clause_spans(text: str, sentence: Span) -> list[Span]:
    """The sentence's clauses, each alone and each with the next one (a point is often stated over two
    clauses: "several instances with different configurations, for example testing and production")."""
    clauses: list[Span] = []
    position = sentence.start
    for match in [*_CLAUSE_BREAK.finditer(text, sentence.start, sentence.end), None]:
        end = match.start() if match else sentence.end
        piece = text[position:end]
        stripped = piece.strip()
        if stripped:
            start = position + piece.index(stripped)
            clauses.append(Span(stripped, start, start + len(stripped)))
        if match:
            position = match.end()
    if len(clauses) < 2:
        return []
    runs: list[Span] = []
    for first in range(len(clauses)):
        for last in range(first, min(first + MAX_CLAUSES_PER_SPAN, len(clauses))):
            if first == 0 and last == len(clauses) - 1:
                continue  # the whole sentence, which the caller has already
            start, end = clauses[first].start, clauses[last].end
            runs.append(Span(text[start:end], start, end))
    return runs


def merge_short_spans(spans: list[Span], source: str, min_content_words: int = 2) -> list[Span]:
    """Glue fragments like "File scope." or "(local)" to a neighbour: alone they are not a point."""
    merged: list[Span] = []
    for span in spans:
        short = len(content_stems(span.text)) < min_content_words
        if merged and (short or len(content_stems(merged[-1].text)) < min_content_words):
            previous = merged[-1]
            merged[-1] = Span(source[previous.start : span.end], previous.start, span.end)
        else:
            merged.append(span)
    return merged


MAX_DERIVED_KEY_POINTS = 6


def derive_key_points(expected_answer: str) -> tuple[str, ...]:
    """Key points of an expected answer that has none listed: its sentences and ';' clauses."""
    spans = merge_short_spans(sentence_spans(expected_answer), expected_answer)
    points = [span.text.rstrip(" .;") for span in spans]
    points = [point for point in points if point]
    if len(points) > MAX_DERIVED_KEY_POINTS:
        # Keep the count bounded: fold the tail into the last point rather than drop content.
        points = [*points[: MAX_DERIVED_KEY_POINTS - 1], " ".join(points[MAX_DERIVED_KEY_POINTS - 1 :])]
    return tuple(points) or ((expected_answer.strip(),) if expected_answer.strip() else ())


# What candidates type instead of an answer. Compared whole (after lower-casing and dropping
# punctuation), so "None" or "No" — real answers to some questions — are not among them.
NON_ANSWERS = frozenset(
    {
        "", "no answer", "not answered", "unanswered", "n a", "na", "idk", "i dont know", "i don t know",
        "i do not know", "dont know", "don t know", "no idea", "skip", "skipped", "no response", "pass",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Ways of saying "I don't know". An answer made of these, the question's words and bare grammar says
# nothing: "Sorry, I can't remember what a pointer is." Apostrophes are gone by the time these match.
_IGNORANCE = re.compile(
    r"\b(?:i\s+)?(?:do\s+not|don\s*t|dont|did\s+not|didn\s*t|can\s*t|cannot|could\s*n\s*t|could\s+not)\s+"
    r"(?:really\s+)?(?:know|remember|recall|understand|study|studied|learn|learned|answer|tell|say)\b"
    r"|\b(?:not|never)\s+(?:sure|certain|studied|learned|covered)\b"
    r"|\b(?:no|any)\s+(?:idea|clue|answer|response)\b|\bidk\b|\bdunno\b|\bunsure\b|\bforg[oe]t+(?:en)?\b"
    r"|\bskip(?:ped)?\b|\bpass\b|\bsorry\b|\bguess\b"
)
# Words that may surround such a phrase or the question's own words without saying anything: "I have no
# clue about this one", "The question asks: …".
_FILLER_TEXT = (
    "i im m me my we you have has had your this that one part question questions answer answers asks ask asked what "
    "which how why who when where about means mean meant here there it is am are was were be the a an "
    "of to in on at by for and or as with yet really very much well so but just"
)
_FILLER_WORDS = frozenset(_FILLER_TEXT.split())


def is_non_answer(text: str, question: str = "") -> bool:
    """Blank, a stock phrase for "no answer", or a way of saying "I don't know" with nothing added but
    the question's words and filler ("Sorry, I can't remember what a pointer is")."""
    folded = _NON_WORD.sub(" ", text.lower()).strip()
    if folded in NON_ANSWERS:
        return True
    if not _IGNORANCE.search(folded):
        return False
    rest = _IGNORANCE.sub(" ", folded)
    asked = {stem(word) for word in _NON_WORD.sub(" ", question.lower()).split()}
    return all(word in _FILLER_WORDS or stem(word) in asked for word in rest.split())


# Words that link others and say nothing alone: an answer made of the question's words plus these only
# repeats the question. Deliberately much shorter than STOPWORDS: "all", "one", "before" can answer. The
# words about the exercise itself ("The question asks: …") count as grammar here.
_GRAMMAR_TEXT = (
    "a an the is are was were be been being am of to in on at by for it its this that these those and or as "
    "with question questions answer asks ask asked what which how why"
)
_GRAMMAR_WORDS = frozenset(_GRAMMAR_TEXT.split())


def adds_to_question(answer: str, question: str) -> bool:
    """Whether the answer has any word beyond the question's own words and bare grammar."""
    asked = {stem(word) for word in words(question)}
    return any(word not in _GRAMMAR_WORDS and stem(word) not in asked for word in words(answer))


# Function words: a statement has some ("a stack *is* a list *where* …"); a list of terms has none.
# Bare negations are left out: "not" is a term of its own in a list ("const, not, volatile").
_FUNCTION_TEXT = """
    a an the is are was were be been being am of to in on at by for from with as and or but if
    then than that this these those it its they them their there which who whom whose what when where why
    how can could will would shall should may might must do does did has have had i you he she we us our
    your my me him her so because into onto over under about after before between through during without
    within while until cannot can't isn't aren't doesn't don't won't
"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
# Quantifiers and focus adverbs (each, every, all, only, also, just) are not among them: they link
# nothing, so "call code every place copy made" is still a list of terms.
WORD_LIST_MIN_WORDS = 3
_LIST_NUMBER = re.compile(r"^\d+$")
# A compound such as "last-in" is one term of a list, not the function word "in".
_LIST_TERM = re.compile(r"[a-z0-9][a-z0-9_'+#]*(?:-[a-z0-9_'+#]+)*")
# Operators and brackets make an expression ("&b[3] bPtr + 3"), which is an answer in code, not a list.
# ("c++" and "c#" are names, not code.)
_CODE_MARK = re.compile(r"[&*=<>\[\](){}%|^~+]")
_LANGUAGE_NAME = re.compile(r"\b[cg]\+\+|\bc#", re.IGNORECASE)


def is_word_list(text: str) -> bool:
    """A list of terms with no statement: at least three terms, two of them words (numbers count as terms:
    "1, array, 2, size"), not one function word among them, and no code.

    Terms named are not a point stated: "software simulate behaviour product" names the words of "to
    simulate the behaviour of portions of the desired software product" and says nothing. Terse answers
    that are lists ("Refining, production, maintenance") are caught too; the cap this triggers is set
    with them in view (see freetext.WORD_LIST_CAP).
    """
    if _CODE_MARK.search(_LANGUAGE_NAME.sub(" ", text)):
        return False
    found = _LIST_TERM.findall(text.lower())
    named = [word for word in found if not _LIST_NUMBER.match(word)]
    return (
        len(found) >= WORD_LIST_MIN_WORDS
        and len(named) >= 2
        and not any(word in FUNCTION_WORDS for word in found)
    )


_LETTERS = re.compile(r"[a-z]+")
GIBBERISH_MIN_WORDS = 3
GIBBERISH_UNKNOWN_SHARE = 0.7
_MIN_PREFIX = 4


def is_gibberish(text: str, vocabulary: AbstractSet[str], context: str) -> bool:
    """Mostly words no dictionary knows: at least three words of two letters or more, and at least
    ``GIBBERISH_UNKNOWN_SHARE`` of them neither in ``vocabulary`` (the embedding model's whole-word
    entries) nor, whole or as a prefix of four letters or more, among the words of ``context`` (the
    question and expected answer, so that their jargon and its abbreviations count as known)."""
    if not vocabulary:
        return False
    found = [word for word in _LETTERS.findall(text.lower()) if len(word) >= 2]
    if len(found) < GIBBERISH_MIN_WORDS:
        return False
    known_words = set(_LETTERS.findall(context.lower()))
    known_stems = {stem(word) for word in known_words}

    def known(word: str) -> bool:
        if word in vocabulary or word in known_words or stem(word) in known_stems:
            return True
        return len(word) >= _MIN_PREFIX and any(other.startswith(word) for other in known_words)

    unknown = sum(not known(word) for word in found)
    return unknown / len(found) >= GIBBERISH_UNKNOWN_SHARE


def overlap_share(needed: Iterable[str], present: AbstractSet[str]) -> float:
    """Share of the distinct ``needed`` stems found in ``present``; 0 when nothing is needed."""
    distinct = set(needed)
    if not distinct:
        return 0.0
    return len(distinct & present) / len(distinct)
