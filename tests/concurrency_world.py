"""A team writing at the same moment through the API, for the SQLite concurrency test and its benchmark.

Each writer has an application of its own in one opening, an interviewer with a scheduled interview on
it, and an assessment link whose attempt is running. A writer's requests cycle through the four kinds
of write a team makes all day: a note, a stage move, a feedback draft and an assessment autosave.
Every request carries what it wrote, so that afterwards :func:`missing_rows` can tell whether each
answered write is in the database.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from hirewise.assessments import attempts
from hirewise.assessments import services as assessments
from hirewise.assessments.models import AssessmentAnswer
from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application, Note, StageMove
from hirewise.extensions import db
from hirewise.feedback.models import Feedback
from tests.assessment_samples import FREE_TEXT
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_feedback_services import interview_with_kit
from tests.integration.test_interview_services import add_questions

KINDS = ("note", "move", "draft", "autosave")
MOVE_BETWEEN = ("Screen", "Interview")  # two plain active stages: a move there triggers no rejection or hire


@dataclass
class Writer:
    """What one writer works on, and what it has written so far."""

    application_id: int
    recruiter_token: str
    interviewer_token: str
    interview_id: int
    attempt_token: str
    question_id: int
    stage_ids: tuple[int, int]
    moves_before: int  # inviting to the assessment may itself have moved the application
    notes: list[str] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)
    last_draft: str | None = None
    last_answer: str | None = None


@dataclass
class Outcome:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build_writers(count: int) -> list[Writer]:
    """``count`` writers on one opening; call inside the app's context, on a migrated database."""
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    add_questions(opening)
    assessment = assessments.create_assessment(
        recruiter, opening, {"title": "Screening", "time_limit_minutes": 120}
    )
    question = assessments.add_question(
        recruiter, assessment, {**FREE_TEXT, "skill_id": opening.skills[0].id}
    )
    stages = {stage.name: stage.id for stage in opening.stages}
    _, recruiter_token = create_api_token(recruiter, "concurrency", "read,write")
    writers = []
    for _ in range(count):
        application = ApplicationFactory(opening=opening)
        interviewer = UserFactory(role=Role.INTERVIEWER)
        interview = interview_with_kit(recruiter, application, [interviewer])
        _, interviewer_token = create_api_token(interviewer, "concurrency", "read,write")
        [issued] = assessments.invite(recruiter, assessment, [application])
        attempts.start_attempt(issued.invitation)
        moves_before = db.session.execute(
            select(func.count(StageMove.id)).where(StageMove.application_id == application.id)
        ).scalar_one()
        writers.append(
            Writer(
                application_id=application.id,
                recruiter_token=recruiter_token,
                interviewer_token=interviewer_token,
                interview_id=interview.id,
                attempt_token=issued.token,
                question_id=question.id,
                stage_ids=(stages[MOVE_BETWEEN[0]], stages[MOVE_BETWEEN[1]]),
                moves_before=moves_before,
            )
        )
    db.session.remove()
    return writers


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app behind werkzeug's threaded server, as ``flask run`` (so ``make run``) serves it, on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="concurrency-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _send(base_url: str, method: str, path: str, body: dict[str, Any], token: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    url = base_url + path  # always our own test server's http:// address
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        detail = error.read()[:200].decode(errors="replace")
        raise RequestFailed(f"{method} {path}: {error.code} {detail}") from None


class RequestFailed(Exception):
    pass


def write_once(base_url: str, writer: Writer, kind: str, number: int, label: str) -> None:
    """One write of ``kind``; raises :class:`RequestFailed` unless the server answered success."""
    if kind == "note":
        body = f"{label} note {number}"
        _send(
            base_url,
            "POST",
            f"/api/v1/applications/{writer.application_id}/notes",
            {"body": body},
            writer.recruiter_token,
        )
        writer.notes.append(body)
    elif kind == "move":
        stage_id = writer.stage_ids[len(writer.moves) % 2]
        _send(
            base_url,
            "POST",
            f"/api/v1/applications/{writer.application_id}/move",
            # Back and forth between two stages: the forward one advances past the incomplete gate.
            {"stage_id": stage_id, "reason": f"{label} move {number}", "confirm_gate": True},
            writer.recruiter_token,
        )
        writer.moves.append(stage_id)
    elif kind == "draft":
        summary = f"{label} draft {number}"
        _send(
            base_url,
            "POST",
            "/api/v1/feedback/draft",
            {"interview_id": writer.interview_id, "summary": summary},
            writer.interviewer_token,
        )
        writer.last_draft = summary
    else:
        text = f"{label} answer {number}"
        _send(
            base_url,
            "PUT",
            f"/api/v1/assessment-attempts/{writer.attempt_token}/answers/{writer.question_id}",
            {"response": {"text": text}},
            None,
        )
        writer.last_answer = text


def run_writers(base_url: str, writers: list[Writer], writes_each: int) -> Outcome:
    """Every writer's ``writes_each`` writes in a thread of its own, all released at once."""
    outcome = Outcome()
    lock = threading.Lock()
    start = threading.Barrier(len(writers))

    def work(index: int, writer: Writer) -> None:
        start.wait()
        for number in range(writes_each):
            kind = KINDS[(number + index) % len(KINDS)]
            try:
                write_once(base_url, writer, kind, number, f"writer {index}")
            except (RequestFailed, OSError) as exc:
                with lock:
                    outcome.errors.append(str(exc))
            with lock:
                outcome.requests += 1

    threads = [threading.Thread(target=work, args=(i, w)) for i, w in enumerate(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    return outcome


def missing_rows(writers: list[Writer]) -> list[str]:
    """What an answered write left out of the database; call inside the app's context."""
    missing = []
    for index, writer in enumerate(writers):
        notes = set(
            db.session.execute(
                select(Note.body).where(Note.application_id == writer.application_id)
            ).scalars()
        )
        missing += [f"writer {index}: note {body!r}" for body in writer.notes if body not in notes]
        moves = db.session.execute(
            select(func.count(StageMove.id)).where(StageMove.application_id == writer.application_id)
        ).scalar_one()
        if moves - writer.moves_before != len(writer.moves):
            missing.append(
                f"writer {index}: {moves - writer.moves_before} stage moves stored, {len(writer.moves)} answered"
            )
        application = db.session.get(Application, writer.application_id)
        if writer.moves and application is not None and application.stage_id != writer.moves[-1]:
            missing.append(f"writer {index}: not in the stage of its last move")
        if writer.last_draft is not None:
            summary = db.session.execute(
                select(Feedback.summary).where(Feedback.interview_id == writer.interview_id)
            ).scalar_one_or_none()
            if summary != writer.last_draft:
                missing.append(f"writer {index}: draft reads {summary!r}, not {writer.last_draft!r}")
        if writer.last_answer is not None:
            attempt = attempts.invitation_for_token(writer.attempt_token).attempt
            response = db.session.execute(
                select(AssessmentAnswer.response).where(
                    AssessmentAnswer.attempt_id == (attempt.id if attempt else None),
                    AssessmentAnswer.question_id == writer.question_id,
                )
            ).scalar_one_or_none()
            if not response or response.get("text") != writer.last_answer:
                missing.append(f"writer {index}: answer reads {response!r}, not {writer.last_answer!r}")
    db.session.remove()
    return missing
