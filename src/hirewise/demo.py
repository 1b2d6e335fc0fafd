"""``flask seed-kit`` and ``flask demo-data``: the built-in kit and a realistic demo workspace.

Both are idempotent: running them again creates nothing twice, so ``make run`` can call them on
every start.
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass

import click
from sqlalchemy import select

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role, User
from hirewise.candidates import services as candidate_services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Application, ApplicationSource
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.mail import services as mail_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import EmploymentType, Opening, OpeningStatus, StageKind

DEMO_PASSWORD = "hirewise-demo"  # noqa: S105 - published demo logins, printed by make run
DEMO_MOVE_REASON = "Demo data: placed in this stage to show a full pipeline"
# fpdf2 is in the `demo` extra, not in the runtime set: a production install has no use for it.
MISSING_DEMO_EXTRA = (
    "flask demo-data writes PDF résumés with fpdf2, which is not installed. "
    "Install the demo extra: pip install 'hirewise[demo]' (make run does)."
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role


DEMO_USERS = (
    DemoUser("admin@example.com", "Ada Admin", Role.ADMIN),
    DemoUser("recruiter@example.com", "Rita Recruiter", Role.RECRUITER),
    DemoUser("manager@example.com", "Hank Manager", Role.HIRING_MANAGER),
    DemoUser("interviewer@example.com", "Ivan Interviewer", Role.INTERVIEWER),
)

FIRST_NAMES = (
    "Amara",
    "Bruno",
    "Chen",
    "Dalia",
    "Emil",
    "Fatima",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tara",
)
LAST_NAMES = ("Okafor", "Silva", "Wei", "Haddad", "Novak", "Khan", "Petrov", "Sato", "Moreau", "Berg")

PARAGRAPHS = {
    "flask": "Built and maintained Flask services with blueprints, an application factory and Jinja2 templates.",
    "python": "Seven years of Python, type hints and packaging; mentoring on idiomatic Python code.",
    "rest": "Designed RESTful APIs with proper HTTP methods, status codes and token authentication.",
    "db": "Modelled PostgreSQL schemas with SQLAlchemy and Alembic migrations; some MongoDB experience.",
    "frontend": "Comfortable with HTML, CSS and JavaScript for server-rendered pages.",
    "security": "Hardened apps against SQL injection, XSS and CSRF; ran OWASP reviews.",
    "testing": "Wrote pytest suites with fixtures and coverage; debugging with pdb.",
    "cloud": "Deployed with Docker and Kubernetes on AWS.",
    "react": "Built React and Vue.js front ends talking to Flask APIs.",
    "perf": "Profiled and optimised slow endpoints with caching and query tuning.",
    "devops": "Set up CI/CD pipelines in GitHub Actions; Git flow and code review.",
    "async": "Moved slow work to Celery workers with Redis; some asyncio.",
}
OPENINGS = (
    ("Senior Flask Developer", "Berlin or remote (EU)", OpeningStatus.OPEN),
    ("Flask Developer (API platform)", "Remote", OpeningStatus.OPEN),
)
DESCRIPTION = """We are looking for a **{title}** to build and run our Python web services.

## What you will do
- Design and build RESTful APIs with Flask and SQLAlchemy
- Keep our services secure, tested and fast
- Work with product and design in small, autonomous teams

## What we offer
- A calm, written-first culture and a real budget for learning
"""


def build_resume_pdf(name: str, email: str, paragraphs: list[str]) -> bytes:
    from fpdf import FPDF  # the demo extra, checked by demo_data_command before anything is written

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 8, email, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, "Experience", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def ensure_demo_users() -> dict[Role, User]:
    users: dict[Role, User] = {}
    for demo in DEMO_USERS:
        user = auth_services.find_user_by_email(demo.email)
        if user is None:
            user = auth_services.create_user(
                None, email=demo.email, full_name=demo.full_name, role=demo.role, password=DEMO_PASSWORD
            )
            db.session.commit()
        users[demo.role] = user
    return users


def ensure_demo_openings(users: dict[Role, User]) -> list[Opening]:
    kit = kit_services.get_kit_by_slug("flask-developer")
    openings = []
    for index, (title, location, status) in enumerate(OPENINGS):
        existing = db.session.execute(select(Opening).where(Opening.title == title)).scalar_one_or_none()
        if existing is None:
            team = [users[Role.RECRUITER].id] + ([users[Role.HIRING_MANAGER].id] if index == 0 else [])
            existing = opening_services.create_opening(
                users[Role.RECRUITER],
                title=title,
                kit_id=kit.id,
                location=location,
                employment_type=EmploymentType.FULL_TIME,
                description=DESCRIPTION.format(title=title),
                status=status,
                team_ids=team,
            )
        openings.append(existing)
    return openings


def ensure_demo_assessments(openings: list[Opening], recruiter: User) -> int:
    """Give each demo opening its kit's screening assessment, ready to invite candidates to."""
    from hirewise.assessments.builtin import add_kit_assessment, builtin_for
    from hirewise.assessments.models import Assessment

    added = 0
    for opening in openings:
        has_one = db.session.execute(select(Assessment.id).where(Assessment.opening_id == opening.id)).first()
        if has_one is None and builtin_for(opening) is not None:
            add_kit_assessment(recruiter, opening)
            added += 1
    return added


def ensure_demo_candidates(openings: list[Opening], recruiter: User, count: int = 40) -> int:
    """Apply ``count`` people with generated PDF résumés and spread them over the stages."""
    rng = random.Random(2026)  # noqa: S311 - demo data, reproducible on purpose
    created = 0
    for i in range(count):
        opening = openings[i % len(openings)]
        full_name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}"
        email = f"{full_name.lower().replace(' ', '.')}.{i}@example.com"
        already = db.session.execute(
            select(Application.id)
            .join(Application.candidate)
            .where(Application.opening_id == opening.id)
            .where(Application.candidate.has(email=email))
        ).first()
        if already:
            continue
        topics = rng.sample(sorted(PARAGRAPHS), k=rng.randint(3, 8))
        resume = ResumeUpload(
            filename=f"{full_name.replace(' ', '_')}_CV.pdf",
            data=build_resume_pdf(full_name, email, [PARAGRAPHS[t] for t in topics]),
        )
        application = candidate_services.submit_application(
            opening,
            full_name=full_name,
            email=email,
            phone=f"+49 30 5550{i:03d}",
            links=[f"https://github.com/demo-{i}"],
            cover_letter="I would love to build Flask services with you.",
            resume=resume,
            consent=True,
            source=rng.choice(list(ApplicationSource)[:3]),
        )
        active = [s for s in opening.stages if s.kind == StageKind.ACTIVE]
        target = rng.choice(active + active[:2] + [s for s in opening.stages if s.kind != StageKind.ACTIVE])
        if target.kind == StageKind.REJECTED:
            candidate_services.reject_application(recruiter, application, "Not enough Flask experience yet")
        elif target.id != application.stage_id:
            # Demo applications have no evidence yet: their must-have gate is incomplete.
            candidate_services.move_application(
                recruiter, application, target.id, DEMO_MOVE_REASON, confirm_gate=True
            )
        created += 1
    return created


def seed() -> None:
    kit_services.ensure_builtin_kits()
    mail_services.ensure_default_templates()
    db.session.commit()


@click.command("seed-kit")
def seed_command() -> None:
    """Load the built-in Flask Developer kit and the default email templates (idempotent)."""
    seed()
    click.echo("Flask Developer kit and default email templates are loaded.")


@click.command("demo-data")
@click.option("--candidates", default=40, show_default=True, help="How many demo applicants.")
def demo_data_command(candidates: int) -> None:
    """Load demo users, two openings with screening assessments and applicants with PDF résumés (idempotent)."""
    if importlib.util.find_spec("fpdf") is None:
        raise click.ClickException(MISSING_DEMO_EXTRA)
    seed()
    users = ensure_demo_users()
    openings = ensure_demo_openings(users)
    created = ensure_demo_candidates(openings, users[Role.RECRUITER], candidates)
    ensure_demo_assessments(openings, users[Role.RECRUITER])
    # Six months of history behind the reports (once): imported here, where it is used.
    from hirewise.reports.demo_history import ensure_report_history

    panel = [users[Role.INTERVIEWER], users[Role.HIRING_MANAGER], users[Role.RECRUITER]]
    created += ensure_report_history(openings, panel)
    click.echo(f"Demo data ready ({created} new applications).")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for demo in DEMO_USERS:
        click.echo(f"  {demo.role.label:<15} {demo.email}")
