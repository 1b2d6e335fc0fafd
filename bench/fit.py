"""Fit benchmark: how many applications per second the pure scoring core scores and ranks.

    python -m bench.fit [--applications 2000] [--feedbacks 5] [--skills 12] [--seed 7]

Builds a synthetic scorecard (a third of the skills must-haves, weights 1..5) and, per application,
``--feedbacks`` interviewer feedbacks (one so far for one application in ten) that each rate most
skills 1..4 (some "not assessed"), plus an assessment result for one skill in four applications.
Then times ``compute_fit`` for every application and one ``rank`` over all of them. Pure compute:
no database, no Flask.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from hirewise.scoring import Evidence, FitResult, SkillSpec, compute_fit, rank

NOT_ASSESSED_SHARE = 0.15


def build_scorecard(skills: int) -> list[SkillSpec]:
    return [
        SkillSpec(
            skill_id=index + 1,
            name=f"Skill {index + 1}",
            kind="must_have" if index % 3 == 0 else "nice_to_have",
            weight=float(1 + index % 5),
            pass_bar=3.0,
        )
        for index in range(skills)
    ]


def build_evidence(
    rng: random.Random, scorecard: list[SkillSpec], applications: int, feedbacks: int
) -> dict[int, list[Evidence]]:
    evidence: dict[int, list[Evidence]] = {}
    for application_id in range(1, applications + 1):
        talent = rng.uniform(1.5, 3.8)
        items: list[Evidence] = []
        # One application in ten is still being interviewed: a single feedback so far.
        submitted = 1 if application_id % 10 == 0 else feedbacks
        for feedback in range(submitted):
            for spec in scorecard:
                if rng.random() < NOT_ASSESSED_SHARE:
                    continue
                rating = min(4, max(1, round(rng.gauss(talent, 0.7))))
                items.append(
                    Evidence.from_rating(
                        spec.skill_id,
                        rating,
                        author=f"interviewer {feedback + 1}",
                        reference=f"feedback:{application_id}:{feedback}",
                    )
                )
        if application_id % 4 == 0:
            fraction = min(1.0, max(0.0, rng.gauss((talent - 1) / 3, 0.1)))
            items.append(Evidence.from_assessment(scorecard[0].skill_id, fraction, weight=2.0))
        evidence[application_id] = items
    return evidence


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--feedbacks", type=int, default=5)
    parser.add_argument("--skills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    scorecard = build_scorecard(args.skills)
    evidence = build_evidence(rng, scorecard, args.applications, args.feedbacks)
    evidence_count = sum(len(items) for items in evidence.values())

    started = time.perf_counter()
    results: dict[int, FitResult] = {
        application_id: compute_fit(scorecard, items) for application_id, items in evidence.items()
    }
    scored = time.perf_counter()
    ranking = rank(results)
    ranked = time.perf_counter()

    total = ranked - started
    gates = Counter(result.gate for result in results.values())
    best = results[ranking[0]]
    print(
        f"{args.applications:,} applications x {args.feedbacks} feedbacks x {args.skills} skills "
        f"= {evidence_count:,} pieces of evidence"
    )
    print(
        f"compute_fit: {scored - started:.3f} s   rank: {(ranked - scored) * 1000:.1f} ms   total: {total:.3f} s"
    )
    print(f"throughput: {args.applications / total:,.0f} applications/s")
    print(
        f"gates: {gates['passed']} passed, {gates['incomplete']} incomplete, {gates['failed']} failed; "
        f"best: application {ranking[0]} (fit {best.fit:.1f}, gate {best.gate})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
