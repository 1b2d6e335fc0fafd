"""Skill detection against the labelled résumés: precision and recall per skill, tuning and held-out parts.

    python -m bench.resumes.run                    # also `make bench-resumes`
    python -m bench.resumes.run --show r02_ben_okafor   # a tuning résumé's text and what was found in it

Each file goes through the real reading path (:func:`hirewise.candidates.resumes.extract_text`, the
reader child process with its limits, OCR when Tesseract is installed), then
:func:`~hirewise.candidates.resumes.detect_skills` with the skills of the built-in Flask Developer kit.
A file that cannot be read counts as "no skills found". Only the tuning part's mistakes are listed one
by one: the held-out part is reported in aggregate, so that nobody tunes on it by accident.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from hirewise.candidates.resumes import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    ResumeUnreadable,
    detect_skills,
    extract_text,
)

HERE = Path(__file__).parent
KIT = HERE.parents[1] / "src" / "hirewise" / "kits" / "builtin" / "flask_developer.yaml"
CONTENT_TYPES = {".pdf": PDF_CONTENT_TYPE, ".docx": DOCX_CONTENT_TYPE}


@dataclass(frozen=True)
class KitSkill:
    id: int
    name: str
    keywords: list[str]


def kit_skills() -> list[KitSkill]:
    kit = yaml.safe_load(KIT.read_text(encoding="utf-8"))["kit"]
    return [
        KitSkill(number, s["name"], list(s.get("keywords") or []))
        for number, s in enumerate(kit["skills"], 1)
    ]


def read(path: Path) -> tuple[str, str | None]:
    try:
        return extract_text(path.read_bytes(), CONTENT_TYPES[path.suffix]), None
    except ResumeUnreadable as exc:
        return "", exc.message


@dataclass
class Tally:
    true_positive: Counter[str]
    false_positive: Counter[str]
    false_negative: Counter[str]

    @classmethod
    def empty(cls) -> Tally:
        return cls(Counter(), Counter(), Counter())


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "  - "


def print_table(title: str, tally: Tally, skills: list[KitSkill]) -> tuple[float, float]:
    print(f"\n{title}")
    print(f"  {'skill':34} {'precision':>9} {'recall':>7}   tp  fp  fn")
    for skill in skills:
        tp, fp, fn = (
            tally.true_positive[skill.name],
            tally.false_positive[skill.name],
            tally.false_negative[skill.name],
        )
        print(f"  {skill.name:34} {ratio(tp, tp + fp):>9} {ratio(tp, tp + fn):>7}  {tp:3} {fp:3} {fn:3}")
    tp, fp, fn = (sum(c.values()) for c in (tally.true_positive, tally.false_positive, tally.false_negative))
    print(f"  {'overall (micro)':34} {ratio(tp, tp + fp):>9} {ratio(tp, tp + fn):>7}  {tp:3} {fp:3} {fn:3}")
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show", help="print one tuning résumé's text and its detected skills")
    args = parser.parse_args(argv)
    labels = yaml.safe_load((HERE / "labels.yaml").read_text(encoding="utf-8"))
    held_out = set(labels["held_out"])
    skills = kit_skills()
    known = {skill.name for skill in skills}
    files = {path.stem: path for path in sorted((HERE / "files").iterdir()) if path.suffix in CONTENT_TYPES}
    if args.show:
        if args.show in held_out:
            print("That résumé is held out: it is never looked at one by one.", file=sys.stderr)
            return 2
        text, failure = read(files[args.show])
        print(failure or text)
        print("\nfound:", [found["skill"] for found in detect_skills(text, skills)])
        return 0
    tallies = {"tuning": Tally.empty(), "held_out": Tally.empty()}
    failures: list[str] = []
    started = time.perf_counter()
    for name, expected_list in labels["resumes"].items():
        expected = set(expected_list)
        unknown = expected - known
        if unknown:
            raise SystemExit(f"{name}: labels name skills the kit does not have: {sorted(unknown)}")
        text, failure = read(files[name])
        part = "held_out" if name in held_out else "tuning"
        if failure:
            failures.append(f"  {name} ({part}): {failure}")
        found = {entry["skill"] for entry in detect_skills(text, skills)}
        tally = tallies[part]
        tally.true_positive.update(found & expected)
        tally.false_positive.update(found - expected)
        tally.false_negative.update(expected - found)
        if part == "tuning" and found != expected:
            extra, missed = sorted(found - expected), sorted(expected - found)
            print(
                f"  {name}: "
                + "; ".join(filter(None, [extra and f"wrongly found {extra}", missed and f"missed {missed}"]))
            )
    elapsed = time.perf_counter() - started
    sizes = Counter("held_out" if name in held_out else "tuning" for name in labels["resumes"])
    if failures:
        print("\nFiles that could not be read (counted as no skills found):")
        print("\n".join(failures))
    tuning = print_table(f"Tuning part ({sizes['tuning']} résumés)", tallies["tuning"], skills)
    kept = print_table(
        f"Held-out part ({sizes['held_out']} résumés, never tuned on)", tallies["held_out"], skills
    )
    print(
        f"\nOverall: tuning precision {tuning[0]:.2f} recall {tuning[1]:.2f}; "
        f"held-out precision {kept[0]:.2f} recall {kept[1]:.2f} (targets on held-out: >= 0.95, >= 0.90); "
        f"{len(labels['resumes'])} files read in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
