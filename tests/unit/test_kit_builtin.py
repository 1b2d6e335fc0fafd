"""The built-in Flask Developer kit covers every skill and question of the hiring guide."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from jsonschema import Draft202012Validator

from hirewise.kits.models import QuestionType, SkillKind
from hirewise.kits.validation import KitSpec, kit_format_schema, load_kit_document

GUIDE_MUST_HAVE = (
    "Flask core framework",
    "Python proficiency",
    "RESTful API design",
    "Database integration",
    "Frontend basics",
    "Security practices",
    "Testing and debugging",
)
GUIDE_NICE_TO_HAVE = (
    "Cloud platforms and deployment",
    "Frontend frameworks",
    "Performance optimization",
    "DevOps practices",
    "Asynchronous programming",
)
# Tools and technologies the guide names per skill: each must be a résumé keyword of that skill.
GUIDE_KEYWORDS = {
    "Flask core framework": {"flask", "blueprint", "session management"},
    "Python proficiency": {"python"},
    "RESTful API design": {"rest", "restful", "http", "status codes", "oauth"},
    "Database integration": {
        "sql",
        "postgresql",
        "postgres",
        "mysql",
        "nosql",
        "mongodb",
        "sqlalchemy",
        "orm",
    },
    "Frontend basics": {"html", "css", "javascript", "jinja", "jinja2"},
    "Security practices": {
        "sql injection",
        "xss",
        "cross-site scripting",
        "csrf",
        "cross-site request forgery",
    },
    "Testing and debugging": {"pytest", "unittest", "debugging", "debugger"},
    "Cloud platforms and deployment": {"aws", "google cloud", "gcp", "azure", "docker", "kubernetes", "k8s"},
    "Frontend frameworks": {"vue", "vue.js", "react"},
    "Performance optimization": {"performance", "caching", "profiling"},
    "DevOps practices": {"ci/cd", "git", "github actions", "automated deployment"},
    "Asynchronous programming": {"celery", "asyncio", "async"},
}
# The guide's eleven questions, in order, by a phrase each of our paraphrases must keep.
GUIDE_QUESTIONS = (
    ("What is Flask", "Flask core framework"),
    ("request", "Flask core framework"),
    ("Blueprint", "Flask core framework"),
    ("RESTful API", "RESTful API design"),
    ("secure", "Security practices"),
    ("Jinja2", "Frontend basics"),
    ("structure", "Flask core framework"),
    ("test", "Testing and debugging"),
    ("asynchronous", "Asynchronous programming"),
    ("modular", "Flask core framework"),
    ("multiple threads", "Performance optimization"),
)


@pytest.fixture(scope="module")
def builtin_text() -> str:
    return resources.files("hirewise.kits").joinpath("builtin", "flask_developer.yaml").read_text("utf-8")


@pytest.fixture(scope="module")
def kit(builtin_text: str) -> KitSpec:
    return load_kit_document(builtin_text, "flask_developer.yaml")


def test_the_file_is_in_the_versioned_kit_format(builtin_text: str) -> None:
    document = yaml.safe_load(builtin_text)
    assert document["format"] == "hirewise-kit"
    assert document["version"] == 1
    assert set(document) == {"format", "version", "kit"}
    assert Draft202012Validator(kit_format_schema()).is_valid(document)


def test_identity(kit: KitSpec) -> None:
    assert kit.slug == "flask-developer"
    assert kit.name == "Flask Developer"
    assert kit.description


def test_exactly_twelve_skills_seven_must_have_five_nice_to_have(kit: KitSpec) -> None:
    assert len(kit.skills) == 12
    must = [s.name for s in kit.skills if s.kind is SkillKind.MUST_HAVE]
    nice = [s.name for s in kit.skills if s.kind is SkillKind.NICE_TO_HAVE]
    assert must == list(GUIDE_MUST_HAVE)
    assert nice == list(GUIDE_NICE_TO_HAVE)


def test_every_skill_is_complete(kit: KitSpec) -> None:
    for skill in kit.skills:
        assert len(skill.description) > 40, skill.name
        assert skill.pass_bar == 3.0, skill.name
        assert skill.weight in range(1, 11), skill.name
        assert len(skill.keywords) >= 8, skill.name
        assert all(k == k.lower() for k in skill.keywords), skill.name


def test_must_haves_weigh_more_than_any_nice_to_have(kit: KitSpec) -> None:
    lightest_must = min(s.weight for s in kit.skills if s.kind is SkillKind.MUST_HAVE)
    heaviest_nice = max(s.weight for s in kit.skills if s.kind is SkillKind.NICE_TO_HAVE)
    assert lightest_must > heaviest_nice


@pytest.mark.parametrize("skill_name", sorted(GUIDE_KEYWORDS))
def test_keywords_cover_the_tools_the_guide_names(kit: KitSpec, skill_name: str) -> None:
    skill = next(s for s in kit.skills if s.name == skill_name)
    assert GUIDE_KEYWORDS[skill_name] <= set(skill.keywords)


def test_exactly_eleven_complete_questions(kit: KitSpec) -> None:
    assert len(kit.questions) == 11
    skill_names = {s.name for s in kit.skills}
    for question in kit.questions:
        assert question.text.endswith("?") or question.text.endswith("."), question.text
        assert len(question.expected_answer) > 80, question.text
        assert 3 <= len(question.key_points) <= 6, question.text
        assert all(p.label and p.text for p in question.key_points), question.text
        assert question.skill in skill_names, question.text


@pytest.mark.parametrize(("index", "phrase_and_skill"), list(enumerate(GUIDE_QUESTIONS)))
def test_questions_follow_the_guide_in_order(
    kit: KitSpec, index: int, phrase_and_skill: tuple[str, str]
) -> None:
    phrase, skill = phrase_and_skill
    question = kit.questions[index]
    assert phrase.lower() in question.text.lower()
    assert question.skill == skill


def test_only_the_modularity_story_is_behavioural(kit: KitSpec) -> None:
    behavioural = [i for i, q in enumerate(kit.questions) if q.type is QuestionType.BEHAVIOURAL]
    assert behavioural == [9]


def test_the_multithreading_question_has_the_five_best_practices(kit: KitSpec) -> None:
    labels = [p.label for p in kit.questions[10].key_points]
    assert labels == [
        "Production WSGI server",
        "Offload background work",
        "No shared mutable state",
        "Async for I/O-bound work",
        "Monitor resources",
    ]
    answer = kit.questions[10].expected_answer
    for fact in ("Gunicorn", "uWSGI", "Celery", "RQ", "thread-local", "asyncio", "CPU", "memory"):
        assert fact in answer


def test_expected_answers_keep_the_guide_facts(kit: KitSpec) -> None:
    facts = {
        0: ("microservices",),
        1: ("decorator", "view function"),
        3: ("GET", "POST", "PUT", "DELETE", "JSON", "Flask-RESTful", "marshmallow"),
        4: ("CSRF", "SQL injection", "HTTPS", "Flask-Login"),
        5: ("loops", "inheritance"),
        6: ("blueprints", "factory"),
        7: ("pytest", "test client", "Mocking", "coverage"),
        8: ("Celery", "Redis"),
    }
    for index, words in facts.items():
        for word in words:
            assert word.lower() in kit.questions[index].expected_answer.lower(), (index, word)
