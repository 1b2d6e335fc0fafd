"""The hash locks stay in step with pyproject.toml.

``make install`` and the Docker image install only what the locks hold (``--require-hashes``, then the
app with ``--no-deps --no-build-isolation``), so a dependency added to pyproject.toml without ``make lock``
would be missing on a fresh machine. Here it fails at once: every requirement, the build backend's too,
must be locked at a version its range allows, with hashes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
BUILD_SYSTEM = PYPROJECT["build-system"]
# "name==version ; marker \" then one or more "--hash=sha256:..." lines
ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)(?:\s*;\s*(?P<marker>[^\\\n]+?))?\s*\\\n"
    r"(?P<hashes>(?:\s+--hash=sha256:[0-9a-f]{64}(?:\s*\\)?\n?)+)",
    re.MULTILINE,
)


def locked(path: Path) -> dict[str, list[tuple[Version, str, int]]]:
    """{name: [(version, marker, number of hashes)]} of a lock written by ``make lock``."""
    entries: dict[str, list[tuple[Version, str, int]]] = {}
    for match in ENTRY.finditer(path.read_text()):
        entries.setdefault(canonicalize_name(match["name"]), []).append(
            (Version(match["version"]), (match["marker"] or "").strip(), match["hashes"].count("--hash="))
        )
    return entries


def requirements(*extras: str) -> list[Requirement]:
    # The build backend is locked too: the app is installed with --no-build-isolation.
    listed = list(PROJECT["dependencies"]) + list(BUILD_SYSTEM["requires"])
    for extra in extras:
        listed += PROJECT["optional-dependencies"][extra]
    return [Requirement(text) for text in listed]


LOCKS = {
    "requirements.lock": (),
    "requirements-dev.lock": ("dev", "demo"),
}


@pytest.mark.parametrize("lock_name", LOCKS)
def test_every_requirement_is_locked_within_its_range(lock_name: str) -> None:
    lock = locked(ROOT / lock_name)
    assert lock, f"{lock_name} holds no pinned requirement"
    problems = []
    for requirement in requirements(*LOCKS[lock_name]):
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        here = [
            version
            for version, marker, _ in lock.get(canonicalize_name(requirement.name), [])
            if not marker or Marker(marker).evaluate()
        ]
        if not here:
            problems.append(f"{requirement} is not locked for this Python")
        elif not all(requirement.specifier.contains(version, prereleases=True) for version in here):
            problems.append(f"{requirement} is locked at {', '.join(map(str, here))}")
    assert not problems, f"run `make lock`: {problems}"


@pytest.mark.parametrize("lock_name", LOCKS)
def test_every_locked_version_has_hashes(lock_name: str) -> None:
    text = (ROOT / lock_name).read_text()
    pinned_lines = [line for line in text.splitlines() if "==" in line and not line.lstrip().startswith("#")]
    entries = sum(len(versions) for versions in locked(ROOT / lock_name).values())
    assert entries == len(pinned_lines)
    assert all(hashes >= 1 for versions in locked(ROOT / lock_name).values() for *_, hashes in versions)


def test_the_runtime_lock_leaves_the_demo_extra_out() -> None:
    runtime = locked(ROOT / "requirements.lock")
    demo_only = {
        canonicalize_name(Requirement(text).name) for text in PROJECT["optional-dependencies"]["demo"]
    }
    assert demo_only and not demo_only & runtime.keys()
