"""Labelled résumés for measuring skill detection: ``generate`` builds the files, ``run`` scores them."""
