"""Evidence-based decisions: per-skill scores, the must-have gate, the fit score and the ranking.

Pure Python (no Flask, no SQLAlchemy) so it can be tested and benchmarked on its own.
"""

from hirewise.scoring.evidence import (
    NO,
    STRONG_NO,
    STRONG_YES,
    YES,
    Evidence,
    EvidenceSource,
    assessment_to_rating,
)
from hirewise.scoring.fit import (
    MUST_HAVE,
    NICE_TO_HAVE,
    FitResult,
    Gate,
    SkillKindName,
    SkillResult,
    SkillSpec,
    compute_fit,
    parse_kind,
    rank,
)

__all__ = [
    "MUST_HAVE",
    "NICE_TO_HAVE",
    "NO",
    "STRONG_NO",
    "STRONG_YES",
    "YES",
    "Evidence",
    "EvidenceSource",
    "FitResult",
    "Gate",
    "SkillKindName",
    "SkillResult",
    "SkillSpec",
    "assessment_to_rating",
    "compute_fit",
    "parse_kind",
    "rank",
]
