"""Sessions in Chromium: two browsers signed in as one user; one ends the other from the account page."""

from __future__ import annotations

from uuid import uuid4

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.extensions import db

PASSWORD = "a long e2e password"


def _sign_in(page, base_url: str, email: str, *, remember: bool = False) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if remember:
        page.get_by_label("Keep me signed in").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def test_ending_the_other_browsers_session_signs_it_out(live_server, browser):
    email = f"sessions.{uuid4().hex[:8]}@example.com"
    with live_server.app.app_context():
        auth_services.create_user(
            None, email=email, full_name="Sam Sessions", role=Role.RECRUITER, password=PASSWORD
        )
        db.session.commit()
        db.session.remove()
    base = live_server.url
    laptop_context = browser.new_context(viewport={"width": 1280, "height": 900})
    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        laptop, phone = laptop_context.new_page(), phone_context.new_page()
        _sign_in(laptop, base, email)
        _sign_in(phone, base, email, remember=True)
        [cookie] = [c for c in phone_context.cookies() if c["name"] == "session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0
        assert {c["name"] for c in laptop_context.cookies()} == {"session"}

        laptop.goto(f"{base}/account")
        assert laptop.get_by_text("This session").count() == 1
        laptop.on("dialog", lambda dialog: dialog.accept())
        laptop.get_by_role("button", name="End all other sessions").click()
        laptop.wait_for_url(f"{base}/account")
        assert "Ended 1 other session." in laptop.content()

        phone.goto(f"{base}/candidates")
        assert phone.url.startswith(f"{base}/login"), phone.url
        laptop.goto(f"{base}/candidates")
        assert laptop.url == f"{base}/candidates"
        # Logging out ends the laptop's session too.
        laptop.get_by_role("button", name="Log out").click()
        laptop.wait_for_url(f"{base}/login")
        laptop.goto(f"{base}/candidates")
        assert laptop.url.startswith(f"{base}/login")
    finally:
        laptop_context.close()
        phone_context.close()
