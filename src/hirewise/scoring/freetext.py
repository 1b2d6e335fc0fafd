"""Automatic scoring of a free-text assessment answer, 0..5, with an explanation a reviewer can check.

The candidate's answer is compared with the expected answer and its key points (derived from the
expected answer's sentences when none are listed). Two kinds of evidence feed a small calibrated
regression (see :mod:`hirewise.scoring.calibration`):

* semantic: a local sentence-embedding model (all-MiniLM-L6-v2, int8 ONNX, shipped in a wheel), one
  forward pass per answer whose token states are used four ways: the whole answer, each sentence,
  clause and pair of adjacent clauses (to find where a key point is stated: pooled states, and the
  point's tokens aligned within the span), the answer without the question's words, and its content
  tokens aligned one by one with the expected answer's (soft recall and precision, as in BERTScore);
* lexical: shared content words, again without the question's words.

Then the rules that keep the score honest, in this order (``decide``):

1. a blank answer, a way of saying "I don't know", only the question's words (with or without "the
   question asks"), or mostly non-words (gibberish) score 0;
2. relevance gate (embedding mode): an answer about something else scores 0, a loosely related one
   is scaled down;
3. a bare list of terms (no function word at all) scores at most ``WORD_LIST_CAP``;
4. **the rule tying score to explanation**: the score is at most ``5 x credit + margin``, where credit
   is the share of key points covered (a partly covered one counting ``PARTLY_CREDIT``) and the margin
   is ``BOUND_MARGIN_LISTED`` for key points the question lists (wider for derived ones). The rule and
   this answer's bound are part of the explanation (``rule``, ``bound``), and the review page shows them.

When the embedding model is not installed, or its files fail their integrity check, the scorer runs on
lexical evidence alone, with its own calibration, and says so in the rationale.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, cast

from hirewise.scoring.calibration import (
    SCORE_MAX,
    Calibration,
    LogisticCalibration,
    ScoringMode,
    load_calibration,
)
from hirewise.scoring.embeddings import (
    EmbeddingUnavailable,
    IntegrityError,
    MiniLMEncoder,
    TokenStates,
    embedding_installed,
    load_encoder,
    vocabulary,
)
from hirewise.scoring.text import (
    STOPWORDS,
    Span,
    adds_to_question,
    clause_spans,
    content_stems,
    derive_key_points,
    is_gibberish,
    is_non_answer,
    is_word_list,
    overlap_share,
    sentence_spans,
    stem,
    word_spans,
)

logger = logging.getLogger(__name__)

KeyPointStatus = Literal["covered", "partly", "missed"]

SCORER_NAME = "hirewise-freetext"
# Bump whenever the features, the key-point thresholds or the calibration change: stored scores say
# which scorer produced them.
SCORER_VERSION = "2.1.0"

LEXICAL_ONLY_NOT_INSTALLED = "Lexical evidence only: the embedding model is not installed"
LEXICAL_ONLY_SWITCHED_OFF = "Lexical evidence only: the embedding model is switched off for this scorer"
LEXICAL_ONLY_FAILED_CHECK = (
    "Lexical evidence only: the embedding model's files failed their integrity check and were not loaded"
)

# Key-point status thresholds on the reported similarity. Embedding cosines of all-MiniLM-L6-v2 between
# a sentence and a faithful paraphrase sit well above 0.6; unrelated sentences of the same course
# topic around 0.2-0.4. The lexical similarity is the share of the point's own words found.
COVERED_AT: dict[ScoringMode, float] = {"embedding": 0.62, "lexical": 0.6}
PARTLY_AT: dict[ScoringMode, float] = {"embedding": 0.42, "lexical": 0.3}
# The rule tying the score to the key points shown: score <= 5 x credit + margin, where credit is the
# share of key points covered, a partly covered one counting PARTLY_CREDIT, every point the same. With
# key points listed by the question's author the margin is BOUND_MARGIN_LISTED: 2 of 3 points covered
# can score at most 4.33, 0 of them 1. Key points derived from the expected answer's sentences are a
# rougher guide (a sentence is not always a point graders require, and a terse right answer can sit
# below every threshold), so their margin is wider, per mode. Chosen on the development folds and the
# tuning seeds (0-4) of bench.adversarial: a margin of 1 on derived points cost r 0.63 -> 0.60 and
# RMSE 1.06 -> 1.39 there.
PARTLY_CREDIT = 0.5
BOUND_MARGIN_LISTED = 1.0
BOUND_MARGIN_DERIVED: dict[ScoringMode, float] = {"embedding": 2.5, "lexical": 3.0}
# A bare list of terms (no function word at all: see text.is_word_list) names words and states nothing.
WORD_LIST_CAP = 1.0
# Below this share of words that are not the question's, the answer "mostly repeats the question".
REPEATS_QUESTION_BELOW = 0.25
# The relevance gate of the embedding mode. Relevance is the answer's best similarity to the question,
# the expected answer (whole, and without the question's words) or any key point. Under UNRELATED_BELOW
# the answer is about something else and scores 0; from RELATED_FROM on it keeps its full score; in
# between the score is scaled linearly. Human graders give wrong answers on the right topic 2-3 of 5,
# so the regression alone would give an answer about something else those points too. Set once on the
# development folds and the adversarial tuning seeds, never per question: half of the answers written
# for other questions fall under 0.21, and 6% of the graded answers under RELATED_FROM (their mean
# grade is 3: terse right answers such as "the whole code" that the model cannot place).
UNRELATED_BELOW = 0.15
RELATED_FROM = 0.35

# Every number computed, in the order the explanation lists them; the calibration uses a subset.
LEXICAL_FEATURES: tuple[str, ...] = (
    "lexical_recall",
    "lexical_precision",
    "lexical_key_point_mean",
    "novelty",
    "length_ratio",
    "expected_length",
    "key_point_credit",
)
EMBEDDING_FEATURES: tuple[str, ...] = (
    "reference_similarity",
    "demoted_similarity",
    "key_point_mean",
    "key_point_min",
    "question_similarity",
    "token_recall",
    "token_precision",
    "relevance",
    "relevance_gate",
    "terms_without_meaning",
    *LEXICAL_FEATURES,
)
REFERENCE_CACHE_SIZE = 4096
# A sentence up to this many words is shown whole as evidence; from a longer one only the clause(s).
EVIDENCE_SENTENCE_WORDS = 20
# Evidence is the shortest span whose similarity to the point is within this of the best span's.
EVIDENCE_SLACK = 0.05


@dataclass(frozen=True, slots=True)
class KeyPointFinding:
    key_point: str
    status: KeyPointStatus
    evidence: str | None  # the candidate's sentence (or, in a long one, clause) that covers the point
    similarity: float  # 0..1, rounded to 3 places


@dataclass(frozen=True, slots=True)
class FreeTextResult:
    score: float  # 0..5, rounded to 2 places
    key_points: tuple[KeyPointFinding, ...]
    rationale: str
    scorer: str
    scorer_version: str
    mode: ScoringMode
    features: dict[str, float]
    rule: str  # how the score is bounded by the key points (see ``score_rule``)
    bound: float  # that bound for this answer's key-point statuses: ``score <= bound`` always

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "key_points": [asdict(finding) for finding in self.key_points],
            "rationale": self.rationale,
            "scorer": self.scorer,
            "scorer_version": self.scorer_version,
            "mode": self.mode,
            "features": dict(self.features),
            "rule": self.rule,
            "bound": self.bound,
        }


@dataclass(frozen=True, slots=True)
class FreeTextItem:
    question: str
    expected_answer: str
    key_points: tuple[str, ...]
    answer: str


@dataclass(frozen=True, slots=True)
class _Reference:
    """What one (question, expected answer, key points) needs, computed once and cached."""

    question_stems: frozenset[str]
    key_points: tuple[str, ...]
    listed: bool  # the key points are the question's own, not derived from the expected answer
    key_point_stems: tuple[frozenset[str], ...]  # without the question's words, unless that empties them
    reference_stems: frozenset[str]  # the same for the whole expected answer
    reference_all_stems: frozenset[str]
    reference_length: int
    # Embedding mode only (numpy arrays), None in lexical mode.
    reference_vector: Any = None
    reference_demoted: Any = None
    question_vector: Any = None
    key_point_vectors: Any = None  # (key points, dims)
    # Unit vectors of each point's content tokens that are not the question's, one array per point.
    key_point_tokens: tuple[Any, ...] = ()
    token_vectors: Any = None  # unit vectors of the expected answer's own content tokens (not the question's)


@dataclass(frozen=True, slots=True)
class _Answer:
    sentences: tuple[Span, ...]
    # Where a key point may be stated: every sentence, then its clauses alone and in adjacent pairs.
    spans: tuple[Span, ...]
    span_sentence: tuple[int, ...]  # the sentence each span lies in
    span_stems: tuple[frozenset[str], ...]
    stems: tuple[str, ...]
    stem_set: frozenset[str]
    novel_stems: frozenset[str]  # content words that are not the question's
    span_novel: tuple[bool, ...]  # does each span say anything beyond the question?
    vector: Any = None
    demoted_vector: Any = None
    span_vectors: Any = None  # (spans, dims)
    token_vectors: Any = None  # unit vectors of the answer's content tokens that are not the question's
    all_token_vectors: Any = None  # unit vectors of every real token (specials left out), in text order
    span_tokens: tuple[tuple[int, int], ...] = ()  # each span's rows in all_token_vectors, end exclusive


# What a rule decides before any regression: an answer that is blank or says "I don't know", that only
# repeats the question's words, or that is mostly not words at all scores 0.
AnswerKind = Literal["answered", "empty", "repeats_question", "gibberish"]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the score is computed from, before the calibration is applied (see ``score_analysed``)."""

    key_points: tuple[str, ...]
    features: dict[str, float]
    similarities: tuple[float, ...]
    evidence: tuple[str | None, ...]
    kind: AnswerKind
    listed_key_points: bool
    word_list: bool = False


def _demoted(stems: Sequence[str] | frozenset[str], question_stems: frozenset[str]) -> frozenset[str]:
    kept = frozenset(stems) - question_stems
    return kept or frozenset(stems)


class FreeTextScorer:
    """Scores free-text answers; thread-safe, caches the reference side of each question."""

    def __init__(
        self,
        calibration: Calibration | None,
        encoder: MiniLMEncoder | None,
        lexical_note: str = LEXICAL_ONLY_NOT_INSTALLED,
    ) -> None:
        self._calibration = calibration
        self._encoder = encoder
        self._lexical_note = lexical_note
        self._references: OrderedDict[tuple[str, str, tuple[str, ...]], _Reference] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def mode(self) -> ScoringMode:
        return "embedding" if self._encoder is not None else "lexical"

    @property
    def features(self) -> tuple[str, ...]:
        return EMBEDDING_FEATURES if self.mode == "embedding" else LEXICAL_FEATURES

    def with_calibration(self, calibration: Calibration) -> FreeTextScorer:
        """The same encoder (and mode) under another calibration: the benchmark's refits use this."""
        return FreeTextScorer(calibration, self._encoder, self._lexical_note)

    def score(self, item: FreeTextItem) -> FreeTextResult:
        return self.score_many([item])[0]

    def score_many(self, items: Sequence[FreeTextItem]) -> list[FreeTextResult]:
        return self.score_analysed(self.analyse_many(items))

    def score_analysed(
        self, analyses: Sequence[Analysis], calibration: Calibration | None = None
    ) -> list[FreeTextResult]:
        """Scores and explanations from analyses (``analyse_many``) under this scorer's calibration or
        another one: the benchmark analyses each answer once and scores it under every fold's."""
        chosen = calibration or self._calibration
        if chosen is None:
            raise ValueError("This scorer has no calibration: it can only compute features.")
        fitted = chosen.for_mode(self.mode)
        return [self._result(analysis, fitted) for analysis in analyses]

    def feature_rows(self, items: Sequence[FreeTextItem]) -> list[dict[str, float] | None]:
        """The numbers the calibration maps to a score, one dict per item, for fitting; None for an
        answer that a rule scores 0 (blank, a non-answer, only the question's words, gibberish)."""
        return [analysis_row(analysis) for analysis in self.analyse_many(items)]

    # -- analysis -------------------------------------------------------------------------------

    def analyse_many(self, items: Sequence[FreeTextItem]) -> list[Analysis]:
        """What each answer's score is computed from, with no calibration involved."""
        references = self._references_for(items)
        kinds = [_answer_kind(item) for item in items]
        answers = self._answers_for(items, references, kinds)
        analyses = []
        for item, reference, answer, kind in zip(items, references, answers, kinds, strict=True):
            if answer is None:
                analyses.append(self._unanswered(reference, kind))
            else:
                analyses.append(
                    replace(self._analyse(reference, answer), word_list=is_word_list(item.answer))
                )
        return analyses

    def _references_for(self, items: Sequence[FreeTextItem]) -> list[_Reference]:
        keys = [(item.question, item.expected_answer, tuple(item.key_points)) for item in items]
        with self._lock:
            known = {key: self._references[key] for key in keys if key in self._references}
        missing = list(dict.fromkeys(key for key in keys if key not in known))
        if missing:
            built = self._build_references(missing)
            with self._lock:
                for key, reference in zip(missing, built, strict=True):
                    self._references[key] = reference
                    known[key] = reference
                while len(self._references) > REFERENCE_CACHE_SIZE:
                    self._references.popitem(last=False)
        with self._lock:
            for key in known:
                if key in self._references:
                    self._references.move_to_end(key)
        return [known[key] for key in keys]

    def _build_references(self, keys: list[tuple[str, str, tuple[str, ...]]]) -> list[_Reference]:
        lexical = []
        for question, expected, listed in keys:
            question_stems = frozenset(content_stems(question))
            points = tuple(point.strip() for point in listed if point.strip()) or derive_key_points(expected)
            all_stems = content_stems(expected)
            lexical.append(
                _Reference(
                    question_stems=question_stems,
                    key_points=points,
                    listed=any(point.strip() for point in listed),
                    key_point_stems=tuple(_demoted(content_stems(p), question_stems) for p in points),
                    reference_stems=_demoted(all_stems, question_stems),
                    reference_all_stems=frozenset(all_stems),
                    reference_length=len(all_stems),
                )
            )
        if self._encoder is None:
            return lexical
        import numpy as np

        texts: list[str] = []
        for (question, expected, _), reference in zip(keys, lexical, strict=True):
            texts.extend([expected, question, *reference.key_points])
        states = iter(self._encoder.token_states(texts))
        built = []
        for (_question, expected, _), reference in zip(keys, lexical, strict=True):
            expected_states = next(states)
            question_states = next(states)
            point_states = [next(states) for _ in reference.key_points]
            demoted = _demoted_vector(expected, expected_states, reference.question_stems)
            token_vectors = _demoted_token_vectors(expected, expected_states, reference.question_stems)
            built.append(
                replace(
                    reference,
                    reference_vector=_mean_vector(expected_states.vectors),
                    reference_demoted=demoted,
                    question_vector=_mean_vector(question_states.vectors),
                    key_point_vectors=(
                        np.stack([_mean_vector(s.vectors) for s in point_states])
                        if point_states
                        else np.zeros((0, expected_states.vectors.shape[1]), dtype=np.float32)
                    ),
                    token_vectors=token_vectors,
                    key_point_tokens=tuple(
                        _demoted_token_vectors(point, point_state, reference.question_stems)
                        for point, point_state in zip(reference.key_points, point_states, strict=True)
                    ),
                )
            )
        return built

    def _answers_for(
        self, items: Sequence[FreeTextItem], references: list[_Reference], kinds: Sequence[AnswerKind]
    ) -> list[_Answer | None]:
        answers: list[_Answer | None] = []
        for item, reference, kind in zip(items, references, kinds, strict=True):
            text = item.answer
            if kind != "answered":
                answers.append(None)
                continue
            stems = content_stems(text)
            sentences = tuple(sentence_spans(text))
            spans: list[Span] = list(sentences)
            span_sentence = list(range(len(sentences)))
            for index, sentence in enumerate(sentences):
                clauses = clause_spans(text, sentence)
                spans.extend(clauses)
                span_sentence.extend([index] * len(clauses))
            span_stems = tuple(frozenset(content_stems(span.text)) for span in spans)
            answers.append(
                _Answer(
                    sentences=sentences,
                    spans=tuple(spans),
                    span_sentence=tuple(span_sentence),
                    span_stems=span_stems,
                    stems=tuple(stems),
                    stem_set=frozenset(stems),
                    novel_stems=frozenset(stems) - reference.question_stems,
                    span_novel=tuple(bool(present - reference.question_stems) for present in span_stems),
                )
            )
        if self._encoder is None:
            return answers

        to_encode = [index for index, answer in enumerate(answers) if answer is not None]
        states = self._encoder.token_states([items[index].answer for index in to_encode])
        for index, answer_states in zip(to_encode, states, strict=True):
            answer = answers[index]
            assert answer is not None
            text = items[index].answer
            span_vectors, all_token_vectors, span_tokens = _span_pooling(answer_states, answer.spans)
            answers[index] = replace(
                answer,
                vector=_mean_vector(answer_states.vectors),
                demoted_vector=_demoted_vector(text, answer_states, references[index].question_stems),
                span_vectors=span_vectors,
                all_token_vectors=all_token_vectors,
                span_tokens=span_tokens,
                token_vectors=_content_token_vectors(text, answer_states, references[index].question_stems),
            )
        return answers

    def _analyse(self, reference: _Reference, answer: _Answer) -> Analysis:
        features = _lexical_features(reference, answer)
        if self._encoder is None:
            similarities, evidence = _lexical_key_points(reference, answer)
        else:
            points = _embedding_key_points(reference, answer)
            similarities, evidence = points.similarities, points.evidence
            features.update(_embedding_features(reference, answer, similarities))
            features["terms_without_meaning"] = points.terms_without_meaning
            features = _with_relevance(features, points.pooled_mean)
        features["key_point_credit"] = key_point_credit(
            [status_of(similarity, self.mode) for similarity in similarities]
        )
        return Analysis(
            key_points=reference.key_points,
            features={name: features[name] for name in self.features},
            similarities=similarities,
            evidence=evidence,
            kind="answered",
            listed_key_points=reference.listed,
        )

    def _unanswered(self, reference: _Reference, kind: AnswerKind) -> Analysis:
        count = len(reference.key_points)
        return Analysis(
            key_points=reference.key_points,
            features=dict.fromkeys(self.features, 0.0),
            similarities=(0.0,) * count,
            evidence=(None,) * count,
            kind=kind,
            listed_key_points=reference.listed,
        )

    # -- explanation ----------------------------------------------------------------------------

    def _result(self, analysis: Analysis, calibration: LogisticCalibration) -> FreeTextResult:
        mode = self.mode
        findings = tuple(
            KeyPointFinding(
                key_point=point,
                status=status_of(similarity, mode),
                evidence=evidence if status_of(similarity, mode) != "missed" else None,
                similarity=round(similarity, 3),
            )
            for point, similarity, evidence in zip(
                analysis.key_points, analysis.similarities, analysis.evidence, strict=True
            )
        )
        verdict = decide(analysis, findings, calibration, mode)
        return FreeTextResult(
            score=verdict.score,
            key_points=findings,
            rationale=self._rationale(analysis, findings, verdict),
            scorer=SCORER_NAME,
            scorer_version=SCORER_VERSION,
            mode=mode,
            features={name: round(value, 4) for name, value in analysis.features.items()},
            rule=score_rule(mode, analysis.listed_key_points),
            bound=verdict.bound,
        )

    def _rationale(self, analysis: Analysis, findings: Sequence[KeyPointFinding], verdict: Verdict) -> str:
        lexical_prefix = f"{self._lexical_note}. " if self.mode == "lexical" else ""
        if analysis.kind == "empty":
            return f"{lexical_prefix}No answer was given, so the score is 0."
        if analysis.kind == "repeats_question":
            return f"{lexical_prefix}The answer only repeats the question's words, so the score is 0."
        if analysis.kind == "gibberish":
            return f"{lexical_prefix}The answer is mostly not words, so the score is 0."
        covered = [finding for finding in findings if finding.status == "covered"]
        partly = [finding for finding in findings if finding.status == "partly"]
        missed = [finding for finding in findings if finding.status == "missed"]
        first = f"Covers {len(covered)} of {len(findings)} key points"
        if partly:
            first += f" ({len(partly)} more partly)"
        if missed:
            first += "; missed: " + "; ".join(
                f"\u201c{_shorten(finding.key_point)}\u201d" for finding in missed
            )
        first += "."
        features = analysis.features
        score = verdict.score
        if verdict.limited_by == "relevance" and score == 0.0:
            second = "The answer is about something other than the question, so the score is 0."
        elif verdict.limited_by == "relevance":
            second = (
                f"The answer is only loosely related to the question (relevance {features['relevance']:.2f}), "
                f"which lowers the score to {score:.1f} of 5."
            )
        elif verdict.limited_by == "word_list":
            second = (
                f"It is a list of terms, not a statement of any point, so the score is at most "
                f"{WORD_LIST_CAP:g} of 5."
            )
        elif verdict.limited_by == "bound":
            second = (
                f"With that share of the key points the score is at most {verdict.bound:.1f} of 5 "
                f"(the evidence alone gave {verdict.model_score:.1f})."
            )
        elif features["novelty"] < REPEATS_QUESTION_BELOW:
            second = "Most of the answer only repeats the question's words, which earns nothing."
        elif self.mode == "embedding":
            second = (
                f"Closeness in meaning to the expected answer is {features['reference_similarity']:.2f} "
                f"(0 unrelated, 1 the same), giving {score:.1f} of 5."
            )
        else:
            second = (
                f"The answer uses {features['lexical_recall']:.0%} of the expected answer's key terms, "
                f"giving {score:.1f} of 5."
            )
        return f"{lexical_prefix}{first} {second}"


# -- the rule that ties the score to the explanation ----------------------------------------------


def status_of(similarity: float, mode: ScoringMode) -> KeyPointStatus:
    if similarity >= COVERED_AT[mode]:
        return "covered"
    if similarity >= PARTLY_AT[mode]:
        return "partly"
    return "missed"


def key_point_credit(statuses: Sequence[KeyPointStatus]) -> float:
    """The share of the key points the answer covers, a partly covered one counting ``PARTLY_CREDIT``;
    every point weighs the same. 0 when there are no key points."""
    if not statuses:
        return 0.0
    earned = sum(
        1.0 if status == "covered" else PARTLY_CREDIT if status == "partly" else 0.0 for status in statuses
    )
    return earned / len(statuses)


def bound_margin(mode: ScoringMode, listed: bool) -> float:
    return BOUND_MARGIN_LISTED if listed else BOUND_MARGIN_DERIVED[mode]


def score_bound(credit: float, mode: ScoringMode, listed: bool) -> float:
    """The most an answer with this key-point credit may score: ``5 x credit + margin``, at most 5."""
    return min(SCORE_MAX, SCORE_MAX * credit + bound_margin(mode, listed))


def score_rule(mode: ScoringMode, listed: bool) -> str:
    """The rule in words, as the explanation states it (and the review page shows it)."""
    source = "" if listed else " (the key points are the expected answer's sentences, so the margin is wider)"
    return (
        f"Score \u2264 5 \u00d7 (key points covered + {PARTLY_CREDIT:g} \u00d7 partly covered) \u00f7 "
        f"number of key points + {bound_margin(mode, listed):g}{source}; a list of terms with no statement "
        f"scores at most {WORD_LIST_CAP:g}; a blank answer, \u201cI don\u2019t know\u201d, gibberish or "
        "only the question\u2019s own words score 0."
    )


LimitedBy = Literal["nothing", "rule", "relevance", "word_list", "bound"]


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float  # rounded to 2 places, never above ``bound``
    model_score: float  # what the calibration alone gave, before the gate, caps and the bound
    bound: float  # the rule's ceiling for these key-point statuses, rounded to 2 places
    limited_by: LimitedBy  # what brought the score below the calibration's (the last that did)


def decide(
    analysis: Analysis,
    findings: Sequence[KeyPointFinding],
    calibration: LogisticCalibration,
    mode: ScoringMode,
) -> Verdict:
    """The score of an analysed answer: the calibration's, times the relevance gate, capped for a bare list
    of terms, and never above ``score_bound`` of the key-point statuses shown (the rule)."""
    # Rounded down so that the rounded score can never exceed the rounded bound.
    credit = key_point_credit([finding.status for finding in findings])
    bound = math.floor(score_bound(credit, mode, analysis.listed_key_points) * 100) / 100
    if analysis.kind != "answered":
        return Verdict(0.0, 0.0, bound, "rule")
    model_score = calibration.predict(analysis.features)
    score, limited_by = model_score, "nothing"
    gate = analysis.features.get("relevance_gate", 1.0)
    if gate < 1.0:
        score, limited_by = score * gate, "relevance"
    if analysis.word_list and score > WORD_LIST_CAP:
        score, limited_by = WORD_LIST_CAP, "word_list"
    if score > bound:
        score, limited_by = bound, "bound"
    return Verdict(round(min(score, bound), 2), model_score, bound, cast(LimitedBy, limited_by))


def analysis_row(analysis: Analysis) -> dict[str, float] | None:
    """The calibration's input for one analysed answer; None when a rule scores it (not fitted on)."""
    return analysis.features if analysis.kind == "answered" else None


def _answer_kind(item: FreeTextItem) -> AnswerKind:
    if is_non_answer(item.answer, item.question):
        return "empty"
    if not adds_to_question(item.answer, item.question):
        return "repeats_question"
    context = " ".join([item.question, item.expected_answer, *item.key_points])
    if is_gibberish(item.answer, vocabulary(), context):
        return "gibberish"
    return "answered"


# -- features (module functions so the scorer stays readable) --------------------------------------


def _lexical_features(reference: _Reference, answer: _Answer) -> dict[str, float]:
    novel = answer.novel_stems
    return {
        "lexical_recall": overlap_share(reference.reference_stems, answer.stem_set),
        "lexical_precision": len(novel & reference.reference_all_stems) / len(novel) if novel else 0.0,
        "lexical_key_point_mean": _mean(
            [overlap_share(stems, answer.stem_set) for stems in reference.key_point_stems]
        ),
        "novelty": len(novel) / len(answer.stem_set) if answer.stem_set else 0.0,
        "length_ratio": math.log((1 + len(answer.stems)) / (1 + reference.reference_length)),
        # A property of the question, not the answer: the more an expected answer says, the more a
        # candidate can leave out, and graders' marks are lower on such questions.
        "expected_length": math.log(1 + reference.reference_length),
    }


def _lexical_key_points(
    reference: _Reference, answer: _Answer
) -> tuple[tuple[float, ...], tuple[str | None, ...]]:
    """Share of each point's words in the whole answer; the evidence is the shortest span (sentence,
    clause or clause pair) with as many of them as any."""
    similarities: list[float] = []
    evidence: list[str | None] = []
    for stems in reference.key_point_stems:
        if not answer.novel_stems:
            similarities.append(0.0)
            evidence.append(None)
            continue
        similarities.append(overlap_share(stems, answer.stem_set))
        shares = [overlap_share(stems, present) for present in answer.span_stems]
        most = max(shares, default=0.0)
        if most > 0:
            best = min(
                (index for index, share in enumerate(shares) if share == most),
                key=lambda index: answer.spans[index].end - answer.spans[index].start,
            )
            evidence.append(_evidence(answer, best))
        else:
            evidence.append(None)
    return tuple(similarities), tuple(evidence)


@dataclass(frozen=True, slots=True)
class _PointMatches:
    similarities: tuple[float, ...]  # each point's best match: pooled span, whole answer or token recall
    evidence: tuple[str | None, ...]
    pooled_mean: float  # mean over the points of the best pooled cosine alone (the relevance gate's)
    # Mean over the points of how far the point's words, aligned token by token, outrun the meaning of
    # the span that holds them (token recall minus pooled cosine, when positive): high when the right
    # terms sit in a sentence that says something else, or in a bare list.
    terms_without_meaning: float


def _embedding_key_points(reference: _Reference, answer: _Answer) -> _PointMatches:
    """Each point's best match among the answer's spans that say more than the question (sentences,
    clauses, clause pairs), and the evidence for it."""
    import numpy as np

    points = reference.key_point_vectors
    if points.shape[0] == 0:
        return _PointMatches((), (), 0.0, 0.0)
    usable = [index for index, novel in enumerate(answer.span_novel) if novel]
    if not usable or not answer.novel_stems:
        return _PointMatches((0.0,) * points.shape[0], (None,) * points.shape[0], 0.0, 0.0)
    pooled_similarity = points @ answer.span_vectors[usable].T  # (points, usable spans)
    whole_similarity = points @ answer.vector
    pooled_best = np.maximum(pooled_similarity.max(axis=1), whole_similarity).clip(0.0, 1.0)
    token_recall = _span_token_recall(reference, answer, usable)
    span_similarity = np.maximum(pooled_similarity, token_recall)
    best = np.maximum(span_similarity.max(axis=1), whole_similarity)
    similarities = tuple(float(min(1.0, max(0.0, value))) for value in best)
    lengths = np.array([answer.spans[index].end - answer.spans[index].start for index in usable])
    evidence = []
    for row in span_similarity:
        # The shortest span nearly as good as the best: the clause, not the sentence around it.
        close = np.flatnonzero(row >= row.max() - EVIDENCE_SLACK)
        evidence.append(_evidence(answer, usable[int(close[lengths[close].argmin()])]))
    outrun = (token_recall.max(axis=1) - pooled_best).clip(0.0, None)
    return _PointMatches(similarities, tuple(evidence), float(pooled_best.mean()), float(outrun.mean()))


def _span_token_recall(reference: _Reference, answer: _Answer, spans: Sequence[int]) -> Any:
    """For each key point and span, how much of the point the span expresses: the point's content tokens
    each matched to the closest token inside the span (BERTScore recall, confined to the span). Pooling a
    clause's token states is not enough on its own: in context every token carries its sentence, so a
    clause of a long sentence pools to something close to the whole sentence."""
    import numpy as np

    recall = np.zeros((len(reference.key_point_tokens), len(spans)), dtype=np.float32)
    tokens = answer.all_token_vectors
    for row, point_tokens in enumerate(reference.key_point_tokens):
        if point_tokens.shape[0] == 0:
            continue
        similarity = point_tokens @ tokens.T  # (point tokens, answer tokens)
        for column, span in enumerate(spans):
            first, last = answer.span_tokens[span]
            if last > first:
                recall[row, column] = similarity[:, first:last].max(axis=1).mean()
    return recall


def _embedding_features(
    reference: _Reference, answer: _Answer, key_point_similarities: tuple[float, ...]
) -> dict[str, float]:
    has_novel = bool(answer.novel_stems)
    return {
        "reference_similarity": float(reference.reference_vector @ answer.vector),
        "demoted_similarity": (
            float(reference.reference_demoted @ answer.demoted_vector) if has_novel else 0.0
        ),
        "key_point_mean": _mean(list(key_point_similarities)),
        "key_point_min": min(key_point_similarities, default=0.0),
        "question_similarity": float(reference.question_vector @ answer.vector),
        **_token_alignment(reference.token_vectors, answer.token_vectors),
    }


def _with_relevance(features: dict[str, float], key_point_pooled_mean: float) -> dict[str, float]:
    relevance = max(
        features["reference_similarity"],
        features["question_similarity"],
        features["demoted_similarity"],
        key_point_pooled_mean,
    )
    gate = (relevance - UNRELATED_BELOW) / (RELATED_FROM - UNRELATED_BELOW)
    return {**features, "relevance": relevance, "relevance_gate": min(1.0, max(0.0, gate))}


def _token_alignment(reference_tokens: Any, answer_tokens: Any) -> dict[str, float]:
    """BERTScore-style soft overlap: each content token matched to its closest token on the other side.

    Recall asks how much of the expected answer the candidate expressed (in any words); precision how
    much of what the candidate wrote is about the expected answer.
    """
    if reference_tokens.shape[0] == 0 or answer_tokens.shape[0] == 0:
        return {"token_recall": 0.0, "token_precision": 0.0}
    similarity = reference_tokens @ answer_tokens.T
    return {
        "token_recall": float(similarity.max(axis=1).mean()),
        "token_precision": float(similarity.max(axis=0).mean()),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _mean_vector(vectors: Any) -> Any:
    pooled = vectors.mean(axis=0)
    return pooled / max(float((pooled @ pooled) ** 0.5), 1e-12)


def _span_pooling(states: TokenStates, spans: Sequence[Span]) -> tuple[Any, Any, tuple[tuple[int, int], ...]]:
    """For each span, the mean of the (contextual) token states inside it, from one running sum over the
    tokens (a span costs a subtraction however many there are); and the unit vectors of the real tokens
    with each span's range of them, for aligning a key point's tokens within one span."""
    import numpy as np

    real = [index for index, (start, end) in enumerate(states.offsets) if end > start]
    dims = states.vectors.shape[1]
    vectors = states.vectors[real]
    unit = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    if not spans or not real:
        whole = _mean_vector(states.vectors)
        return np.repeat(whole[None, :], len(spans), axis=0), unit, ((0, 0),) * len(spans)
    starts = [states.offsets[index][0] for index in real]
    ends = [states.offsets[index][1] for index in real]
    running = np.zeros((len(real) + 1, dims), dtype=np.float64)
    np.cumsum(vectors, axis=0, out=running[1:])
    pooled = np.empty((len(spans), dims), dtype=np.float64)
    ranges = []
    for row, span in enumerate(spans):
        first = bisect_left(starts, span.start)
        last = bisect_right(ends, span.end)
        pooled[row] = running[last] - running[first] if last > first else running[-1]
        ranges.append((first, max(first, last)))
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32), unit, tuple(ranges)


def _token_rows_of_words(text: str, states: TokenStates, keep: Callable[[str], bool]) -> list[int]:
    """Indexes of the model tokens that lie inside a word of ``text`` for which ``keep(word)`` holds."""
    spans = word_spans(text)
    starts = [span[0] for span in spans]
    rows = []
    for index, (token_start, token_end) in enumerate(states.offsets):
        if token_end <= token_start:
            continue
        position = bisect_right(starts, token_start) - 1
        if position < 0 or token_start >= spans[position][1]:
            continue
        if keep(spans[position][2]):
            rows.append(index)
    return rows


def _demoted_vector(text: str, states: TokenStates, question_stems: frozenset[str]) -> Any:
    """Mean of the token states outside the question's words (and outside punctuation)."""
    rows = _token_rows_of_words(
        text, states, lambda word: word in STOPWORDS or stem(word) not in question_stems
    )
    return _mean_vector(states.vectors[rows] if rows else states.vectors)


def _demoted_token_vectors(text: str, states: TokenStates, question_stems: frozenset[str]) -> Any:
    """The content tokens that are not the question's, or all content tokens when that leaves none."""
    vectors = _content_token_vectors(text, states, question_stems)
    return vectors if vectors.shape[0] else _content_token_vectors(text, states, frozenset())


def _content_token_vectors(text: str, states: TokenStates, question_stems: frozenset[str]) -> Any:
    """Unit vectors of the tokens inside content words that the question does not already contain."""
    rows = _token_rows_of_words(
        text, states, lambda word: word not in STOPWORDS and stem(word) not in question_stems
    )
    vectors = states.vectors[rows]
    norms = (vectors * vectors).sum(axis=1, keepdims=True) ** 0.5
    return vectors / (norms + 1e-12)


def _evidence(answer: _Answer, span_index: int) -> str:
    """What a reviewer is shown for a point: the sentence that states it, unless that sentence is long
    enough that the clause(s) in question would be hard to find in it."""
    sentence = answer.sentences[answer.span_sentence[span_index]]
    if len(sentence.text.split()) <= EVIDENCE_SENTENCE_WORDS:
        return sentence.text
    return answer.spans[span_index].text


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# -- factories ------------------------------------------------------------------------------------


@functools.cache
def default_scorer() -> FreeTextScorer:
    """The process-wide scorer: embedding mode when the model is installed, lexical otherwise."""
    calibration = load_calibration()
    try:
        encoder: MiniLMEncoder | None = load_encoder()
    except IntegrityError as error:
        logger.error("Free-text scoring falls back to lexical evidence: %s.", error)
        return FreeTextScorer(calibration, None, LEXICAL_ONLY_FAILED_CHECK)
    except EmbeddingUnavailable as error:
        logger.warning("Free-text scoring falls back to lexical evidence: %s.", error)
        encoder = None
    return FreeTextScorer(calibration, encoder)


@functools.cache
def lexical_scorer() -> FreeTextScorer:
    """A scorer that never uses the embedding model (tests, and a deliberate fallback)."""
    note = LEXICAL_ONLY_SWITCHED_OFF if embedding_installed() else LEXICAL_ONLY_NOT_INSTALLED
    return FreeTextScorer(load_calibration(), None, note)
