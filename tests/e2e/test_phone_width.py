"""The main pages on a 390 px phone in Chromium: none scrolls sideways, and the top menu folds away."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest

from hirewise.assessments.builtin import add_kit_assessment
from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates import services as candidate_services
from hirewise.candidates.models import Application
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PASSWORD = "a long e2e password"
# Long unbroken words are what usually pushes a page wider than the phone.
LONG_NAME = "Maximiliane Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh"


@dataclass
class World:
    email: str
    opening_id: int
    slug: str
    candidate_id: int
    application_id: int


def _prepare(live_server) -> World:
    tag = uuid4().hex[:8]
    app = live_server.app
    with app.test_request_context(base_url=live_server.url):
        [kit] = [k for k in kit_services.ensure_builtin_kits() if k.slug == "flask-developer"]
        admin = auth_services.create_user(
            None,
            email=f"phone.admin.{tag}@example.com",
            full_name="Ada Phone",
            role=Role.ADMIN,
            password=PASSWORD,
        )
        opening = opening_services.create_opening(
            admin,
            title=f"Senior Flask Developer with a long title {tag}",
            kit_id=kit.id,
            status=OpeningStatus.OPEN,
        )
        opening_services.set_team(admin, opening, [admin.id])
        add_kit_assessment(admin, opening)
        application_id = candidate_id = 0
        for index in range(4):
            candidate = candidate_services.create_candidate(
                admin, full_name=f"{LONG_NAME} {index}", email=f"long.{index}.{tag}@example.com"
            )
            application = candidate_services.add_application(admin, candidate, opening)
            application_id, candidate_id = application.id, candidate.id
        detected = [
            {"skill_id": skill.id, "skill": skill.name, "keyword": "flask", "snippet": "flask"}
            for skill in opening.skills
        ]
        db.session.get(Application, application_id).detected_skills = detected
        db.session.commit()
        world = World(admin.email, opening.id, opening.slug, candidate_id, application_id)
        db.session.remove()
    return world


def _sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _pages(world: World) -> list[str]:
    opening = f"/openings/{world.opening_id}"
    return [
        "/",
        "/openings",
        opening,
        f"{opening}/board",
        f"{opening}/applications",
        f"{opening}/interview-plan",
        f"{opening}/assessments",
        f"{opening}/ranking",
        f"{opening}/settings",
        f"/applications/{world.application_id}",
        "/candidates",
        f"/candidates/{world.candidate_id}",
        "/interviews/mine",
        "/careers",
        f"/careers/{world.slug}",
        f"/careers/{world.slug}/apply",
    ]


SCROLL_WIDTH = "document.documentElement.scrollWidth"
# For the failure message: the innermost elements that reach past the right edge.
OVERFLOWING = """Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > 391 && e.children.length === 0)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
            + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_no_main_page_scrolls_sideways_on_a_phone(live_server, browser):
    world = _prepare(live_server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, world.email)
        too_wide = {}
        for path in _pages(world):
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            width = page.evaluate(SCROLL_WIDTH)
            if width > PHONE["width"]:
                too_wide[path] = (width, page.evaluate(OVERFLOWING))
        assert too_wide == {}
    finally:
        context.close()


def test_the_top_menu_folds_on_a_phone_and_unfolds_on_a_laptop(live_server, browser):
    world = _prepare(live_server)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    try:
        _sign_in(page, live_server, world.email)
        openings_link = page.locator("nav[aria-label=Main] a", has_text="Openings")
        assert not openings_link.is_visible()
        page.click(".nav-menu > summary")
        assert openings_link.is_visible()
        assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
        openings_link.click()
        page.wait_for_url(f"{live_server.url}/openings")
    finally:
        phone.close()

    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    page = laptop.new_page()
    try:
        _sign_in(page, live_server, world.email)
        assert not page.locator(".nav-menu > summary").is_visible()
        assert page.locator("nav[aria-label=Main] a", has_text="Openings").is_visible()
    finally:
        laptop.close()


def test_show_more_on_the_board_adds_the_cards_in_place(live_server, browser):
    world = _prepare(live_server)
    with live_server.app.test_request_context(base_url=live_server.url):
        from hirewise.auth.models import User
        from hirewise.openings.services import get_opening

        admin = db.session.execute(db.select(User).where(User.email == world.email)).scalar_one()
        opening = get_opening(world.opening_id)
        for index in range(50):
            candidate = candidate_services.create_candidate(
                admin, full_name=f"Bulk {index}", email=f"bulk.{index}.{world.opening_id}@example.com"
            )
            candidate_services.add_application(admin, candidate, opening)
        applied = opening.stages[0].id
        db.session.remove()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, live_server, world.email)
        page.goto(f"{live_server.url}/openings/{world.opening_id}/board")
        column = page.locator(f'ul.board-cards[data-stage-id="{applied}"] > li.board-card')
        assert column.count() == 50
        page.click(f"#stage-{applied} .column-more a")
        for _ in range(100):
            if column.count() == 54:
                break
            page.wait_for_timeout(50)
        assert column.count() == 54
        assert page.url.endswith(f"column={applied}&limit=100#stage-{applied}") or "limit=100" in page.url
        # The swapped-in column is still a drop target and its list is sortable. htmx runs the board's
        # onLoad after it settles the swap, a moment after the cards appear: wait for it (CI once
        # read the attribute in between).
        sortable = page.locator(f'ul.board-cards[data-stage-id="{applied}"][data-sortable]')
        sortable.wait_for(state="attached", timeout=5_000)
        assert sortable.count() == 1
    finally:
        context.close()
