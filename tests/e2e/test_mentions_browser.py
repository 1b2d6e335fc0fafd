"""@mention autocompletion in a note box, in Chromium: only people who may read the note are offered,
picking one by keyboard writes their name, and the note notifies them."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import select

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates import services as candidate_services
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.notifications.models import Notification, NotificationKind
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

PASSWORD = "a long e2e password"


def _people(live_server, tag: str) -> dict[str, int]:
    with live_server.app.test_request_context(base_url=live_server.url):
        kit_services.ensure_builtin_kits()

        def person(name: str, role: Role):
            return auth_services.create_user(
                None, email=f"{name.replace(' ', '.').lower()}.{tag}@example.com", full_name=f"{name} {tag}",
                role=role, password=PASSWORD,
            )  # fmt: skip

        recruiter = person("Rita Recruiter", Role.RECRUITER)
        manager = person("Mona Manager", Role.HIRING_MANAGER)
        outsider = person("Mona Outsider", Role.HIRING_MANAGER)
        db.session.commit()
        kit = kit_services.get_kit_by_slug("flask-developer")
        opening = opening_services.create_opening(
            recruiter, title=f"Flask Developer Mentions {tag}", kit_id=kit.id, status=OpeningStatus.OPEN
        )
        opening_services.set_team(recruiter, opening, [manager.id])
        application = candidate_services.submit_application(
            opening, full_name="Ada Lovelace", email=f"ada.{tag}@example.com", consent=True
        )
        db.session.commit()
        return {"application": application.id, "manager": manager.id, "outsider": outsider.id,
                "recruiter_email": recruiter.email}  # fmt: skip


def test_typing_at_offers_who_may_read_the_note_and_the_pick_is_notified(live_server, browser):
    tag = uuid4().hex[:6]
    ids = _people(live_server, tag)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(ids["recruiter_email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{live_server.url}/applications/{ids['application']}")
    box = page.get_by_label("Note", exact=True)
    box.click()
    box.press_sequentially("Could you read the cover letter, @Mon")
    offered = page.get_by_role("listbox", name="People to mention").get_by_role("option")
    offered.first.wait_for()
    names = offered.all_inner_texts()
    assert names == [f"Mona Manager {tag}"]  # the other Mona is on no team of this opening
    assert box.get_attribute("aria-expanded") == "true"
    box.press("Enter")
    assert box.input_value() == f"Could you read the cover letter, @Mona Manager {tag} "
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("please?")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    context.close()

    with live_server.app.app_context():
        told = (
            db.session.execute(
                select(Notification.user_id).where(Notification.kind == NotificationKind.MENTION)
            )
            .scalars()
            .all()
        )
        assert ids["manager"] in told and ids["outsider"] not in told
