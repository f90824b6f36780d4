"""Account linking in a real browser (CONTRACT §7.1): the person opens the linking page an
assistant sends them to, types their user id and a link code, and the browser is redirected
to the assistant with a code the assistant then trades for tokens; a wrong code shows the
form again. Debian chromium + Playwright, as the speaker console's test."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.e2e.test_speaker_console import browser, in_chromium  # noqa: F401  (the fixture)
from tests.integration.assistants.fakes import ALEXA_REDIRECT, issue_link_code


def _linking_page(browser: Any, base_url: str) -> tuple[Any, list[str]]:
    """A page on the app; the assistant's redirect URI is answered here, as Amazon would."""
    page = browser.new_page()
    arrived: list[str] = []

    def amazon(route: Any) -> None:
        arrived.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p id=linked>linked</p>")

    page.route("https://pitangui.amazon.com/**", amazon)
    return page, arrived


@in_chromium
def test_linking_in_chromium(live_app_factory: Any, memory_partners: Any, browser: Any) -> None:  # noqa: F811
    app, url = live_app_factory(memory_partners)
    services = app.extensions["couchbank"]
    page, arrived = _linking_page(browser, url)
    query = urlencode({"response_type": "code", "client_id": "alexa", "redirect_uri": ALEXA_REDIRECT,
                       "state": "amazon-state-42"})
    page.goto(f"{url}/oauth/authorize?{query}")

    page.get_by_label("User id").fill("demo")
    page.get_by_label("Link code").fill("00000000" if issue_link_code(services) != "00000000" else "11111111")
    page.get_by_role("button", name="Link").click()
    page.get_by_role("alert").wait_for()
    assert "do not match" in page.get_by_role("alert").inner_text() and arrived == []

    page.get_by_label("User id").fill("demo")
    page.get_by_label("Link code").fill(issue_link_code(services))
    page.get_by_role("button", name="Link").click()
    page.locator("#linked").wait_for()
    assert len(arrived) == 1
    returned = parse_qs(urlsplit(arrived[0]).query)
    assert returned["state"] == ["amazon-state-42"]

    token = requests.post(f"{url}/oauth/token", auth=("alexa", "alexa-demo-secret"), timeout=10, data={
        "grant_type": "authorization_code", "code": returned["code"][0], "redirect_uri": ALEXA_REDIRECT})
    assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
    page.close()


@in_chromium
def test_a_form_posted_from_another_site_is_refused(live_app_factory: Any, memory_partners: Any,
                                                   browser: Any) -> None:  # noqa: F811
    """Cross-site: the CSRF cookie is SameSite=Strict and the form's token is missing."""
    app, url = live_app_factory(memory_partners)
    services = app.extensions["couchbank"]
    page, arrived = _linking_page(browser, url)
    query = urlencode({"response_type": "code", "client_id": "alexa", "redirect_uri": ALEXA_REDIRECT, "state": "s"})
    page.goto(f"{url}/oauth/authorize?{query}")  # the person has the page's cookie
    forged = (f"<form method=post action='{url}/oauth/authorize?{query}'>"
              f"<input name=user_id value=demo><input name=link_code value={issue_link_code(services)}></form>"
              "<script>document.forms[0].submit()</script>")
    page.route("http://evil.invalid/**", lambda route: route.fulfill(status=200, content_type="text/html", body=forged))
    with page.expect_navigation():
        page.goto("http://evil.invalid/attack")
    assert arrived == [] and "expired" in page.content()
    page.close()
