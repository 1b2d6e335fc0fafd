"""Sample assessment questions shared by the assessment tests, as the API and the services take them."""

from __future__ import annotations

from typing import Any

MC: dict[str, Any] = {
    "kind": "multiple_choice",
    "prompt": "Which status code means Created?",
    "points": 2,
    "content": {
        "options": [{"text": "201 Created", "correct": True}, {"text": "200 OK"}, {"text": "302 Found"}]
    },
}
FREE_TEXT: dict[str, Any] = {
    "kind": "free_text",
    "prompt": "Why use an application factory in Flask?",
    "points": 5,
    "content": {
        "expected_answer": "A create_app function builds the app, so tests and production use different configurations.",
        "key_points": [
            {
                "label": "Factory function",
                "text": "A function such as create_app builds and returns the app.",
            },
            {
                "label": "Configurations",
                "text": "Several instances with different configurations, e.g. for testing.",
            },
        ],
    },
}
# A code question with one visible example and one hidden test whose name and value must never leak.
ADD_CODE: dict[str, Any] = {
    "kind": "code",
    "prompt": "Write add(a, b).",
    "points": 3,
    "content": {
        "function_name": "add",
        "starter_code": "def add(a, b):\n    ...\n",
        "examples": [{"args": [1, 2], "expected": 3, "name": "small numbers"}],
        "tests": [{"args": [40, 2], "expected": 424242, "name": "secret-hidden-case"}],
    },
}
