"""Debrief, hiring decisions, the ranking of an opening's applications and side-by-side comparison."""
