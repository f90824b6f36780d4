"""Account linking at the protocol level (CONTRACT §7.1): the authorisation code grant with
refresh tokens, link codes, and what an unlink revokes."""
from __future__ import annotations

import logging
from typing import Any

from click.testing import Result
from sqlalchemy import select

from banking.platform.store.tables import link_codes, oauth_codes, oauth_tokens
from tests.integration.assistants.fakes import (
    ALEXA_REDIRECT,
    NUGU_REDIRECT,
    authorize,
    basic,
    code_from,
    issue_link_code,
    link,
)


def _token(client: Any, form: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return client.post("/oauth/token", data=form, headers=headers or {})


def test_code_grant_answers_a_bearer_token_with_refresh(client, services):
    token = link(client, services)
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    assert token["access_token"] and token["refresh_token"]
    with services.db.read() as conn:
        rows = conn.execute(select(oauth_tokens)).all()
        stored = " ".join(str(v) for row in rows for v in row) + " ".join(
            str(v) for row in conn.execute(select(oauth_codes)).all() for v in row)
    # stored only as keyed hashes
    assert token["access_token"] not in stored and token["refresh_token"] not in stored


def test_redirect_carries_code_and_the_same_state(client, services):
    response = authorize(client, "nugu", NUGU_REDIRECT, "demo", issue_link_code(services), state="s-123")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(NUGU_REDIRECT + "?")
    assert "state=s-123" in response.headers["Location"] and "code=" in response.headers["Location"]


def test_client_secret_in_the_form_works_too(client, services):
    code = code_from(authorize(client, "nugu", NUGU_REDIRECT, "demo", issue_link_code(services)))
    response = _token(client, {"grant_type": "authorization_code", "code": code, "redirect_uri": NUGU_REDIRECT,
                               "client_id": "nugu", "client_secret": "nugu-demo-secret"})
    assert response.status_code == 200 and response.get_json()["token_type"] == "Bearer"


def test_replayed_code_is_invalid_grant(client, services):
    code = code_from(authorize(client, "alexa", ALEXA_REDIRECT, "demo", issue_link_code(services)))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": ALEXA_REDIRECT}
    assert _token(client, form, basic("alexa", "alexa-demo-secret")).status_code == 200
    again = _token(client, form, basic("alexa", "alexa-demo-secret"))
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_code_expires_after_five_minutes(client, services, monkeypatch):
    code = code_from(authorize(client, "alexa", ALEXA_REDIRECT, "demo", issue_link_code(services)))
    clock = services.clock
    later = clock() + __import__("datetime").timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(services, "clock", lambda: later)
    response = _token(client, {"grant_type": "authorization_code", "code": code, "redirect_uri": ALEXA_REDIRECT},
                      basic("alexa", "alexa-demo-secret"))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"


def test_wrong_redirect_uri_at_token_is_invalid_grant(client, services):
    code = code_from(authorize(client, "alexa", ALEXA_REDIRECT, "demo", issue_link_code(services)))
    response = _token(client, {"grant_type": "authorization_code", "code": code,
                               "redirect_uri": "https://evil.example/cb"}, basic("alexa", "alexa-demo-secret"))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"


def test_unregistered_redirect_uri_is_an_error_page_never_a_redirect(client):
    page = client.get("/oauth/authorize", query_string={"response_type": "code", "client_id": "alexa",
                                                        "redirect_uri": "https://evil.example/cb", "state": "x"})
    assert page.status_code == 400 and "Location" not in page.headers
    unknown = client.get("/oauth/authorize", query_string={"response_type": "code", "client_id": "nobody",
                                                           "redirect_uri": ALEXA_REDIRECT, "state": "x"})
    assert unknown.status_code == 400 and "Location" not in unknown.headers


def test_wrong_client_secret_is_invalid_client(client, services):
    code = code_from(authorize(client, "alexa", ALEXA_REDIRECT, "demo", issue_link_code(services)))
    response = _token(client, {"grant_type": "authorization_code", "code": code, "redirect_uri": ALEXA_REDIRECT},
                      basic("alexa", "not-the-secret"))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    # another client cannot redeem alexa's code either
    stolen = _token(client, {"grant_type": "authorization_code", "code": code, "redirect_uri": ALEXA_REDIRECT},
                    basic("nugu", "nugu-demo-secret"))
    assert stolen.status_code == 400 and stolen.get_json()["error"] == "invalid_grant"


def test_refresh_rotates_and_the_old_refresh_token_is_spent(client, services):
    first = link(client, services)
    refreshed = _token(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                       basic("alexa", "alexa-demo-secret"))
    assert refreshed.status_code == 200
    second = refreshed.get_json()
    assert second["access_token"] != first["access_token"] and second["refresh_token"]
    again = _token(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                   basic("alexa", "alexa-demo-secret"))
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    other = _token(client, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]},
                   basic("nugu", "nugu-demo-secret"))
    assert other.status_code == 400 and other.get_json()["error"] == "invalid_grant"


def test_unsupported_grant_and_missing_code_are_rfc6749_errors(client):
    response = _token(client, {"grant_type": "password", "username": "demo"}, basic("alexa", "alexa-demo-secret"))
    assert response.status_code == 400 and response.get_json()["error"] == "unsupported_grant_type"
    response = _token(client, {"grant_type": "authorization_code"}, basic("alexa", "alexa-demo-secret"))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"


def test_link_code_is_single_use(client, services):
    code = issue_link_code(services)
    assert authorize(client, "alexa", ALEXA_REDIRECT, "demo", code).status_code == 302
    again = authorize(client, "alexa", ALEXA_REDIRECT, "demo", code)
    assert again.status_code == 200 and "do not match" in again.get_data(as_text=True)


def test_five_wrong_link_codes_void_every_code(client, services):
    good = issue_link_code(services)
    for _ in range(5):
        wrong = authorize(client, "alexa", ALEXA_REDIRECT, "demo", "99999999" if good != "99999999" else "11111111")
        assert wrong.status_code == 200 and "do not match" in wrong.get_data(as_text=True)
    with services.db.read() as conn:
        assert conn.execute(select(link_codes)).all() == []
    assert authorize(client, "alexa", ALEXA_REDIRECT, "demo", good).status_code == 200


def test_link_code_expires_after_ten_minutes(client, services, monkeypatch):
    code = issue_link_code(services)
    later = services.clock() + __import__("datetime").timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(services, "clock", lambda: later)
    assert authorize(client, "alexa", ALEXA_REDIRECT, "demo", code).status_code == 200


def test_form_without_the_csrf_pair_is_refused(client, services):
    query = {"response_type": "code", "client_id": "alexa", "redirect_uri": ALEXA_REDIRECT, "state": "x"}
    response = client.post("/oauth/authorize", query_string=query,
                           data={"csrf": "forged", "user_id": "demo", "link_code": issue_link_code(services)})
    assert response.status_code == 400 and "Location" not in response.headers


def test_cli_link_code_and_unlink(app, client, services):
    runner = app.test_cli_runner()
    issued: Result = runner.invoke(args=["users", "link-code", "demo"])
    assert issued.exit_code == 0, issued.output
    code = issued.output.strip().splitlines()[-1]
    assert code.isdigit()
    token = client.post("/oauth/token", data={
        "grant_type": "authorization_code", "redirect_uri": ALEXA_REDIRECT,
        "code": code_from(authorize(client, "alexa", ALEXA_REDIRECT, "demo", code))},
        headers=basic("alexa", "alexa-demo-secret")).get_json()
    unlinked = runner.invoke(args=["users", "unlink", "demo", "--assistant", "alexa"])
    assert unlinked.exit_code == 0, unlinked.output
    refreshed = _token(client, {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
                       basic("alexa", "alexa-demo-secret"))
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant"


def test_cli_adds_a_client(app, client, services):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["assistants", "add", "genie", "--secret", "s3cret-genie",
                                "--redirect-uri", "https://genie.invalid/a", "--redirect-uri", "https://genie.invalid/b"])
    assert added.exit_code == 0, added.output
    token = link(client, services, "genie", "s3cret-genie", "https://genie.invalid/b")
    assert token["token_type"] == "Bearer"
    again = runner.invoke(args=["assistants", "add", "genie", "--secret", "x", "--redirect-uri", "https://g.invalid/"])
    assert again.exit_code != 0


def test_no_token_or_code_reaches_the_logs(client, services, caplog):
    caplog.set_level(logging.DEBUG)
    token = link(client, services)
    refreshed = _token(client, {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
                       basic("alexa", "alexa-demo-secret")).get_json()
    logged = caplog.text
    assert logged  # the access lines are there
    for secret in (token["access_token"], token["refresh_token"], refreshed["access_token"], "alexa-demo-secret"):
        assert secret not in logged
