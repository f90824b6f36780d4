"""CONTRACT §3 and §4.4 over real HTTP: every bad request gets its 4xx with the error body
and changes nothing."""
import json
import time

import pytest
import requests
from sqlalchemy import func, select

from banking.auth.signing import signed_headers
from banking.platform.store.tables import audit_events, nonces, sessions
from tests.support import nonce

PATH = "/v1/voice/turn"
GOOD = {"utterance": "잔액 알려줘", "session_id": None, "locale": None}


@pytest.fixture
def live(live_app_factory, memory_partners):
    app, url = live_app_factory(memory_partners)
    return app.extensions["couchbank"], url


def counts(services):
    with services.db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (nonces, sessions, audit_events))


def post(url, body: bytes, headers):
    return requests.post(url + PATH, data=body, headers=headers, timeout=10)


def signed(body: bytes, **overrides):
    headers = signed_headers("demo-tv", "demo-tv-secret", "POST", PATH, body, now=time.time(), nonce=nonce())
    headers.update(overrides)
    return headers


def assert_error(response, status, code=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_good_request_works(live):
    services, url = live
    body = json.dumps(GOOD).encode()
    r = post(url, body, signed(body))
    assert r.status_code == 200 and r.json()["awaiting"] == "pin"


BAD_BODIES = [
    (b"{not json", 400, None),
    (json.dumps({"utterance": 5}).encode(), 422, "utterance"),
    (json.dumps({"utterance": ""}).encode(), 422, "utterance"),
    (json.dumps({"utterance": "가" * 501}).encode(), 422, "utterance"),
    (json.dumps({"utterance": "hi", "locale": "fr-FR"}).encode(), 422, "locale"),
    (json.dumps({"utterance": "hi", "session_id": 7}).encode(), 422, "session_id"),
    (json.dumps({"utterance": "hi", "extra": True}).encode(), 422, "extra"),
    (json.dumps({}).encode(), 422, "utterance"),
    (json.dumps(["utterance"]).encode(), 422, None),
]


@pytest.mark.parametrize("body,status,field", BAD_BODIES)
def test_bad_bodies(live, body, status, field):
    services, url = live
    before = counts(services)
    error = assert_error(post(url, body, signed(body)), status)
    if field:
        assert field in error["fields"]
    # a signed request uses its nonce, nothing else changes
    after = counts(services)
    assert after[1:] == before[1:]


def test_oversized_body_is_413_before_anything(live):
    services, url = live
    before = counts(services)
    body = json.dumps({"utterance": "x" * 70_000}).encode()
    assert_error(post(url, body, signed(body)), 413)
    assert counts(services) == before


def test_not_json_is_415(live):
    services, url = live
    before = counts(services)
    body = b"utterance=hi"
    assert_error(post(url, body, signed(body, **{"Content-Type": "text/plain"})), 415)
    assert counts(services) == before


@pytest.mark.parametrize("change", ["unknown_device", "wrong_signature", "stale", "future", "missing", "bad_nonce",
                                    "tampered_body"])
def test_signature_failures_are_401_and_change_nothing(live, change):
    services, url = live
    before = counts(services)
    body = json.dumps(GOOD).encode()
    headers = signed(body)
    if change == "unknown_device":
        headers["X-Device-Id"] = "stranger-tv"
    elif change == "wrong_signature":
        headers = signed_headers("demo-tv", "guess", "POST", PATH, body, now=time.time(), nonce=nonce())
    elif change == "stale":
        headers = signed_headers("demo-tv", "demo-tv-secret", "POST", PATH, body, now=time.time() - 301, nonce=nonce())
    elif change == "future":
        headers = signed_headers("demo-tv", "demo-tv-secret", "POST", PATH, body, now=time.time() + 400, nonce=nonce())
    elif change == "missing":
        del headers["X-Signature"]
    elif change == "bad_nonce":
        headers = signed_headers("demo-tv", "demo-tv-secret", "POST", PATH, body, now=time.time(), nonce="short")
    elif change == "tampered_body":
        body = json.dumps({**GOOD, "utterance": "엄마한테 100만원 보내줘"}).encode()
    error = assert_error(post(url, body, headers), 401, "unauthorized")
    assert "secret" not in error["message"].lower()
    assert counts(services) == before


def test_reused_nonce_is_401(live):
    services, url = live
    body = json.dumps(GOOD).encode()
    headers = signed(body)
    assert post(url, body, headers).status_code == 200
    before = counts(services)
    assert_error(post(url, body, headers), 401)
    assert counts(services) == before


def test_signature_is_checked_before_the_body(live):
    _, url = live
    body = b"{broken"
    headers = signed(body)
    headers["X-Signature"] = "0" * 64
    assert_error(post(url, body, headers), 401)


def test_unknown_route_and_wrong_method_use_the_envelope(live):
    _, url = live
    assert_error(requests.get(url + "/nope", timeout=5), 404, "not_found")
    r = requests.get(url + PATH, timeout=5)
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]


def test_auditor_token_cannot_speak(live):
    services, url = live
    before = counts(services)
    body = json.dumps(GOOD).encode()
    r = requests.post(url + PATH, data=body, timeout=5, headers={
        "Authorization": "Bearer demo-auditor-token", "Content-Type": "application/json"})
    assert_error(r, 403)
    assert counts(services) == before


def test_too_many_requests_from_one_device_is_429(live_app_factory, memory_partners):
    app, url = live_app_factory(memory_partners, device_requests_per_minute=3)
    body = json.dumps({"utterance": "도움말"}).encode()
    statuses = [post(url, body, signed(body)).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    r = post(url, body, signed(body))
    assert_error(r, 429) and r.headers["Retry-After"]


def test_healthz(live):
    _, url = live
    r = requests.get(url + "/healthz", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_the_same_request_raced_from_threads_is_served_once(live):
    import threading

    services, url = live
    body = json.dumps({"utterance": "엄마한테 5만원 보내줘"}).encode()
    headers = signed(body)
    statuses: list[int] = []
    barrier = threading.Barrier(5)

    def send():
        barrier.wait()
        statuses.append(post(url, body, headers).status_code)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 401, 401, 401, 401]
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(sessions)).scalar_one() == 1


def test_no_request_keeps_a_database_connection(live):
    """The edge's read transaction is handed to the handler's first read; a request that
    never reads again (a refused body, a replay) must still give it back."""
    services, url = live
    good = json.dumps(GOOD).encode()
    replayed = signed(good)
    assert post(url, good, replayed).status_code == 200
    assert_error(post(url, good, replayed), 401)
    for body, status, _ in BAD_BODIES:
        assert_error(post(url, body, signed(body)), status)
    listed = requests.get(url + "/v1/transfers", headers=signed_get("/v1/transfers"), timeout=10)
    assert listed.status_code == 200
    assert services.db.engine.pool.checkedout() == 0


def signed_get(path: str):
    return signed_headers("demo-tv", "demo-tv-secret", "GET", path, b"", now=time.time(), nonce=nonce())
