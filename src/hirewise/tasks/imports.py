"""Importing a file of candidates in the background, with progress the import page polls."""

from __future__ import annotations

from celery import shared_task

from hirewise.candidates.importing import run_import


# runs_long: in embedded mode it runs in a thread of its own (hirewise.tasks.dispatch), not in the request.
@shared_task(name="hirewise.tasks.imports.import_candidates", runs_long=True)
def import_candidates(run_id: int) -> str:
    """Check every row of the run's file, load the good ones set-wise, and write the report."""
    return run_import(run_id)
