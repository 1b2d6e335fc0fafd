"""Answers built to game the free-text scorer, generated from graded data (seeded, deterministic).

Every set pairs each question of the data with texts that deserve 0 of 5, whatever their words:

``other_question``
    answers real students wrote for questions of *other* assignments (fluent, on the course's subject);
``question_copied``
    the question handed back: verbatim, as a statement, twice, or behind a lead-in ("The question asks: …");
``key_terms``
    the reference answer's key terms as a shuffled word list (no sentence), see :func:`key_terms`; only
    for references with at least ``MIN_LIST_TERMS`` of them: "main function" for "Where do C++ programs
    begin to execute?" (reference "At the main function.") is not a list that games the scorer but the
    answer, tersely, and deserves full marks;
``fluent_wrong``
    another question's reference answer with this question's key terms swapped in for some of its content
    words: a grammatical sentence that names the right terms and says something else;
``gibberish``
    pseudo-words, keyboard mashes and letter runs;
``dont_know``
    "I don't know" and its variants, alone or wrapped around the question's words.

Key terms: the mohler data list no key points, so they are derived from the reference answer: its
content words (the scorer's own stop-word list removed, so the attack uses exactly the words that earn
credit), first occurrence kept per stem, in the reference's order, leaving out words the question
already contains (they earn nothing) unless fewer than two would remain.

Each set draws its randomness from ``random.Random(f"{seed}:{set name}")``, so one set's size or
order never shifts another's. Tune on seeds 0-4; report on seeds 100-104 (the benchmark's default).
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hirewise.scoring.calibrate import GradedAnswer
from hirewise.scoring.freetext import FreeTextItem
from hirewise.scoring.text import STOPWORDS, WORD_LIST_MIN_WORDS, stem

TUNING_SEEDS = (0, 1, 2, 3, 4)
REPORT_SEEDS = (100, 101, 102, 103, 104)
# Items per question and seed, per set.
PER_QUESTION = {
    "other_question": 4,
    "question_copied": 1,
    "key_terms": 1,
    "fluent_wrong": 2,
    "gibberish": 1,
    "dont_know": 1,
}
SET_NAMES = tuple(PER_QUESTION)
# Fewer key terms than this and a list of them is a terse answer, not an attack; the scorer's word-list
# rule asks as many.
MIN_LIST_TERMS = WORD_LIST_MIN_WORDS

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_'+#-]*")


@dataclass(frozen=True, slots=True)
class _Question:
    question: str
    reference: str
    assignment: str
    question_id: str


def _questions(graded: Sequence[GradedAnswer]) -> list[_Question]:
    seen: dict[tuple[str, str], _Question] = {}
    for answer in graded:
        key = (answer.item.question, answer.item.expected_answer)
        if key not in seen:
            seen[key] = _Question(
                answer.item.question, answer.item.expected_answer, answer.assignment, answer.question_id
            )
    return list(seen.values())


def _is_content(word: str) -> bool:
    return word.lower() not in STOPWORDS


def key_terms(reference: str, question: str) -> list[str]:
    """The reference's content words in its order, one per stem, without the question's own words
    (unless that leaves fewer than two)."""
    asked = {stem(word.lower()) for word in _WORD.findall(question)}
    terms: list[str] = []
    stems: set[str] = set()
    for word in _WORD.findall(reference):
        if not _is_content(word):
            continue
        key = stem(word.lower())
        if key not in stems:
            stems.add(key)
            terms.append(word)
    novel = [term for term in terms if stem(term.lower()) not in asked]
    return novel if len(novel) >= 2 else terms


def _statement(question: str) -> str:
    return question.strip().rstrip("?").strip()


# -- the sets ---------------------------------------------------------------------------------------


def _other_question(
    question: _Question, graded: Sequence[GradedAnswer], questions: Sequence[_Question], rng: random.Random
) -> list[str]:
    pool = [answer for answer in graded if answer.assignment != question.assignment] or [
        answer for answer in graded if answer.item.question != question.question
    ]
    picks = rng.sample(pool, min(PER_QUESTION["other_question"], len(pool)))
    return [answer.item.answer for answer in picks]


_COPY_TEMPLATES = (
    "{question}",
    "{statement}.",
    "{question} {question}",
    "The question asks: {question}",
    "{statement}? That is the question.",
    "Question: {question} Answer: {statement}.",
)


def _question_copied(
    question: _Question, graded: Sequence[GradedAnswer], questions: Sequence[_Question], rng: random.Random
) -> list[str]:
    return [
        rng.choice(_COPY_TEMPLATES).format(
            question=question.question.strip(), statement=_statement(question.question)
        )
        for _ in range(PER_QUESTION["question_copied"])
    ]


def _key_terms(
    question: _Question, graded: Sequence[GradedAnswer], questions: Sequence[_Question], rng: random.Random
) -> list[str]:
    texts: list[str] = []
    if len(key_terms(question.reference, question.question)) < MIN_LIST_TERMS:
        return texts
    for _ in range(PER_QUESTION["key_terms"]):
        terms = key_terms(question.reference, question.question)
        rng.shuffle(terms)
        separator = rng.choice((" ", ", ", " "))
        texts.append(separator.join(term.lower() for term in terms))
    return texts


def _fluent_wrong(
    question: _Question, graded: Sequence[GradedAnswer], questions: Sequence[_Question], rng: random.Random
) -> list[str]:
    terms = key_terms(question.reference, question.question)
    others = [other for other in questions if other.assignment != question.assignment] or [
        other for other in questions if other.question != question.question
    ]

    def slots(text: str) -> list[re.Match[str]]:
        return [match for match in _WORD.finditer(text) if _is_content(match.group())]

    roomy = [other for other in others if len(slots(other.reference)) >= len(terms)]
    texts = []
    for _ in range(PER_QUESTION["fluent_wrong"]):
        frame = rng.choice(roomy or others).reference
        places = slots(frame)
        count = min(len(places), len(terms))
        chosen = sorted(rng.sample(range(len(places)), count))
        pieces, position = [], 0
        # Swap this question's terms in, in the reference's order, for randomly chosen content words.
        for term, place in zip(terms, chosen, strict=False):
            match = places[place]
            word = term if term.isupper() or match.start() == 0 else term[:1].lower() + term[1:]
            pieces.extend([frame[position : match.start()], word])
            position = match.end()
        pieces.append(frame[position:])
        texts.append("".join(pieces))
    return texts


_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _gibberish(
    question: _Question, graded: Sequence[GradedAnswer], questions: Sequence[_Question], rng: random.Random
) -> list[str]:
    texts = []
    for _ in range(PER_QUESTION["gibberish"]):
        style = rng.choice(("pseudo", "mash", "letters"))
        count = rng.randint(3, 25)
        words = []
        for _ in range(count):
            if style == "pseudo":
                word = "".join(
                    rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(1, 4))
                )
            elif style == "mash":
                row = rng.choice(_KEYBOARD_ROWS)
                start = rng.randrange(len(row) - 2)
                word = row[start : start + rng.randint(3, len(row) - start)]
            else:
                word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 9)))
            words.append(word)
        text = " ".join(words)
        texts.append(text[:1].upper() + text[1:] + rng.choice((".", "", "!", " ...")))
    return texts


_DONT_KNOW_TEMPLATES = (
    "I don't know.",
    "I do not know the answer to this question.",
    "No idea, sorry.",
    "I'm not sure.",
    "I can't remember {lower}.",
    "Sorry, I don't know {lower}.",
    "I have no clue about this one.",
    "I forgot this.",
    "Not sure {lower}, sorry.",
    "I did not study this part.",
    'I don\'t know the answer to "{question}"',
    "Idk",
    "?",
)


def _dont_know(
    question: _Question, graded: Sequence[GradedAnswer], questions: Sequence[_Question], rng: random.Random
) -> list[str]:
    statement = _statement(question.question)
    lower = statement[:1].lower() + statement[1:]
    return [
        rng.choice(_DONT_KNOW_TEMPLATES).format(lower=lower, question=question.question.strip())
        for _ in range(PER_QUESTION["dont_know"])
    ]


_GENERATORS: dict[
    str, Callable[[_Question, Sequence[GradedAnswer], Sequence[_Question], random.Random], list[str]]
] = {
    "other_question": _other_question,
    "question_copied": _question_copied,
    "key_terms": _key_terms,
    "fluent_wrong": _fluent_wrong,
    "gibberish": _gibberish,
    "dont_know": _dont_know,
}


def adversarial_sets(
    graded: Sequence[GradedAnswer], seeds: Sequence[int] = REPORT_SEEDS
) -> dict[str, list[GradedAnswer]]:
    """Each set's items for every question and seed, graded 0, carrying the question's assignment
    (so a leave-one-assignment-out run scores them with the fold that never saw the question)."""
    questions = _questions(graded)
    sets: dict[str, list[GradedAnswer]] = {name: [] for name in SET_NAMES}
    for name, generate in _GENERATORS.items():
        for seed in seeds:
            rng = random.Random(f"{seed}:{name}")
            for question in questions:
                for text in generate(question, graded, questions, rng):
                    item = FreeTextItem(question.question, question.reference, (), text)
                    sets[name].append(GradedAnswer(item, 0.0, question.assignment, question.question_id))
    return sets


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"100-104"`` or ``"0,1,2"`` (or a mix) to a tuple of seeds."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, last = (int(value) for value in part.split("-", 1))
            seeds.extend(range(first, last + 1))
        elif part:
            seeds.append(int(part))
    return tuple(seeds)


if __name__ == "__main__":  # a look at a few items of each set
    import sys
    from pathlib import Path

    from hirewise.scoring.calibrate import DEFAULT_DATA, load_graded_answers

    data = load_graded_answers(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA)
    for set_name, items in adversarial_sets(data, (0,)).items():
        print(f"== {set_name} ({len(items)} items for seed 0)")
        for example in items[:: max(1, len(items) // 4)][:4]:
            print(
                f"  Q: {example.item.question}\n  R: {example.item.expected_answer}\n  A: {example.item.answer}\n"
            )
