"""The speaker console in a real browser (Debian chromium + Playwright): a whole transfer with
PIN and OTP through the page, nothing loaded from outside the app; and its absence in
production configuration."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from banking.auth.otp import _TOTP

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def in_chromium(test: Any) -> Any:
    """A browser test: one database is enough, and it needs Debian's chromium."""
    for mark in (pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
                 pytest.mark.browser,
                 pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)):
        test = mark(test)
    return test


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _page_keeping_to(browser: Any, base_url: str) -> tuple[Any, list[str]]:
    """A page that records (and blocks) every request leaving the app's own origin."""
    page = browser.new_page()
    outside: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(base_url + "/") or url == base_url:
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page, outside


def _say(page: Any, text: str, turns_before: int) -> None:
    page.get_by_label(re.compile("무엇을 도와드릴까요")).fill(text)
    page.keyboard.press("Enter")
    # one entry for what was said, one for the reply
    page.locator("#conversation li.speaker").nth(turns_before).wait_for()


@in_chromium
def test_a_quick_transfer_with_pin_and_otp_through_the_console(
        browser: Any, live_app_factory: Any, memory_partners: Any) -> None:
    app, url = live_app_factory(partners=memory_partners)
    page, outside = _page_keeping_to(browser, url)
    page.goto(url + "/console")
    assert page.title().startswith("couchbank")

    _say(page, "아빠한테 40만원 보내줘", 0)
    card = page.locator("#card")
    assert "40만" in card.inner_text() and "아빠" in card.inner_text()
    assert page.locator("#utterance").get_attribute("type") == "password"  # awaiting the PIN

    _say(page, "4826", 1)
    assert "otp" in page.locator("#awaiting").inner_text().lower()

    _say(page, _TOTP("JBSWY3DPEHPK3PXP").now(), 2)
    page.wait_for_function("document.getElementById('card').dataset.status === 'completed'")
    assert "transfer completed" in page.locator("#card-meta").inner_text()
    speech = page.locator("#speech").inner_text()
    assert speech and "40만" in speech

    log = page.locator("#conversation li")
    assert log.count() == 6
    said = page.locator("#conversation li.you .said").all_inner_texts()
    assert said[0] == "아빠한테 40만원 보내줘"
    # the PIN and the code were typed like passwords and are never shown
    assert said[1] == "••••" and set(said[2]) == {"•"}
    assert "4826" not in page.locator("body").inner_text()
    assert "completed" in log.last.inner_text()

    with app.extensions["couchbank"].db.read() as conn:
        from sqlalchemy import select

        from banking.platform.store.tables import transfers
        rows = conn.execute(select(transfers.c.amount, transfers.c.payee, transfers.c.status)).all()
    assert [tuple(r) for r in rows] == [(400000, "아빠", "completed")]
    assert outside == []


@in_chromium
def test_the_console_and_the_api_docs_load_nothing_from_outside(
        browser: Any, live_app_factory: Any, memory_partners: Any) -> None:
    _app, url = live_app_factory(partners=memory_partners)
    page, outside = _page_keeping_to(browser, url)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(url + "/console")
    # the page long-polls for notices (CONTRACT §8), so the network is never idle: loaded,
    # and its first look at the notices answered
    page.locator("#toasts[data-ready='true']").wait_for(state="attached")
    # keyboard first: the labelled input has the focus on arrival; Enter sends
    assert page.evaluate("document.activeElement.id") == "utterance"
    assert page.evaluate("document.activeElement.labels[0].textContent").startswith("무엇을 도와드릴까요")
    assert page.locator("#speech").get_attribute("aria-live") == "polite"
    # Korean text is laid out with real glyphs (not zero-width boxes)
    width = page.evaluate("(() => { const s = document.createElement('span'); s.textContent = '가나다라마';"
                          " document.body.append(s); return s.getBoundingClientRect().width; })()")
    assert width > 20

    page.goto(url + "/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.get_by_text("/v1/voice/turn", exact=True).count() >= 1
    # leaving the page ends its notices poll; nothing else may fail
    assert outside == [] and [u for u in failed if "/console/api/notices" not in u] == []


def test_the_console_is_absent_in_production(tmp_path: Path, memory_partners: Any) -> None:
    from app import create_app
    from tests.support import make_settings

    app = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'prod.sqlite3'}", environment="production"),
                     partners=memory_partners)
    try:
        client = app.test_client()
        assert client.get("/console").status_code == 404
        assert client.get("/console/static/console.js").status_code == 404
        response = client.post("/console/api/turn", json={"utterance": "잔액 알려줘"})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert not any(rule.rule.startswith("/console") for rule in app.url_map.iter_rules())
    finally:
        app.extensions["couchbank"].close()


def test_the_console_helper_signs_for_its_own_page_only(client: Any) -> None:
    assert client.get("/console").status_code == 200
    foreign = client.post("/console/api/turn", json={"utterance": "잔액 알려줘"},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert client.post("/console/api/turn", data="utterance=x").status_code == 415
    reply = client.post("/console/api/turn", json={"utterance": "잔액 알려줘"})
    assert reply.status_code == 200 and reply.get_json()["awaiting"] == "pin"
    bad = client.post("/console/api/turn", json={"utterance": ""})
    assert bad.status_code == 422 and "utterance" in bad.get_json()["error"]["fields"]


@in_chromium
def test_a_notice_shows_as_a_toast_and_in_the_conversation(
        browser: Any, live_app_factory: Any, memory_partners: Any) -> None:
    from banking.auth import enrolment
    from banking.transfers import release
    from tests.support import Clock

    app, url = live_app_factory(partners=memory_partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    with services.db.begin() as conn:
        enrolment.set_hold(conn, "demo", 1)
    page, outside = _page_keeping_to(browser, url)
    page.goto(url + "/console")
    _say(page, "엄마한테 만원 보내줘", 0)
    _say(page, "4826", 1)
    page.wait_for_function("document.getElementById('card').dataset.status === 'completed'")
    assert "transfer held" in page.locator("#card-meta").inner_text()
    page.locator("#toasts[data-ready='true']").wait_for(state="attached")
    services.clock.advance(minutes=2)
    assert release.release_due(services) == 1
    toast = page.locator("#toasts .toast").first
    toast.wait_for(timeout=10_000)
    assert "엄마" in toast.inner_text()
    notice = page.locator("#conversation li.notice").first
    notice.wait_for(timeout=10_000)
    assert "엄마" in notice.inner_text() and "transfer.released" in notice.inner_text()
    assert outside == []
