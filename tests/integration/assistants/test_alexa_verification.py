"""Amazon's rules for skills hosted as web services (CONTRACT §7.2): each rule refused by
its own case, answered 400 in the error envelope, and nothing changed."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from banking.platform.store.tables import audit_events, nonces, sessions
from tests.integration.assistants.fakes import Authority, FakeAlexa, Pki, cache_name, link


def _counts(services: Any) -> tuple[int, int, int]:
    with services.db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
                     for t in (audit_events, sessions, nonces))


@pytest.fixture
def linked(fake_alexa: FakeAlexa, client: Any, services: Any) -> FakeAlexa:
    fake_alexa.token = link(client, services)["access_token"]
    return fake_alexa


def _refused(services: Any, alexa: FakeAlexa, **send: Any) -> dict[str, Any]:
    before = _counts(services)
    status, body = alexa.send({"type": "IntentRequest", "intent": {"name": "BalanceIntent", "slots": {}}}, **send)
    assert status == 400, body
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    assert _counts(services) == before
    return body  # type: ignore[no-any-return]


def test_a_verified_request_is_answered(linked):
    status, answer = linked.launch()
    assert status == 200 and answer["version"] == "1.0"
    assert answer["response"]["shouldEndSession"] is False


@pytest.mark.parametrize("url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",            # scheme
    "https://notamazon.com/echo.api/echo-api-cert.pem",              # host
    "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",       # port
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",           # path, case-sensitive
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",       # path
    "https://s3.amazonaws.com/echo.api/../invalid.path/cert.pem",    # path, once normalised
    "https://s3.amazonaws.com:not-a-port/echo.api/cert.pem",
    "",
])
def test_certificate_url_rules(services, linked, url):
    linked.cert_url = url
    _refused(services, linked)


@pytest.mark.parametrize("url", [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.AMAZONAWS.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
])
def test_certificate_urls_amazon_accepts(services, linked, pki: Pki, url):
    (pki.cache_dir / cache_name(url)).write_bytes(pki.leaf.chain_pem(pki.root))
    linked.cert_url = url
    assert linked.launch()[0] == 200


def _serve(pki: Pki, url: str, pem: bytes) -> None:
    (pki.cache_dir / cache_name(url)).write_bytes(pem)


def test_expired_certificate(services, linked, pki: Pki):
    expired = pki.root.issue(expired=True)
    url = "https://s3.amazonaws.com/echo.api/expired.pem"
    _serve(pki, url, expired.chain_pem(pki.root))
    linked.cert_url, linked.leaf = url, expired
    assert "chain" in _refused(services, linked)["error"]["message"]


def test_certificate_without_the_echo_api_name(services, linked, pki: Pki):
    other = pki.root.issue(names=("example.amazon.com",))
    url = "https://s3.amazonaws.com/echo.api/other-name.pem"
    _serve(pki, url, other.chain_pem(pki.root))
    linked.cert_url, linked.leaf = url, other
    _refused(services, linked)


def test_certificate_without_any_subject_alternative_name(services, linked, pki: Pki):
    bare = pki.root.issue(names=())
    url = "https://s3.amazonaws.com/echo.api/no-san.pem"
    _serve(pki, url, bare.chain_pem(pki.root))
    linked.cert_url, linked.leaf = url, bare
    _refused(services, linked)


def test_untrusted_root(services, linked, pki: Pki):
    stranger = Authority.make("Not Amazon's Root")
    leaf = stranger.issue()
    url = "https://s3.amazonaws.com/echo.api/untrusted.pem"
    _serve(pki, url, leaf.chain_pem(stranger))
    linked.cert_url, linked.leaf = url, leaf
    _refused(services, linked)


def test_certificate_file_that_is_not_pem(services, linked, pki: Pki):
    url = "https://s3.amazonaws.com/echo.api/garbage.pem"
    _serve(pki, url, b"not a certificate")
    linked.cert_url = url
    _refused(services, linked)


def test_bad_signature(services, linked):
    body = json.dumps(linked.envelope({"type": "LaunchRequest"})).encode()
    signature = linked.leaf.sign(body)
    _refused(services, linked, body=body.replace(b"LaunchRequest", b"LaunchRequesT"),
             headers={"Signature-256": signature})


@pytest.mark.parametrize("signature", ["", "not base64!", "QUJD"])
def test_missing_or_garbled_signature(services, linked, signature):
    _refused(services, linked, headers={"Signature-256": signature})


def test_signature_by_another_key(services, linked, pki: Pki):
    impostor = pki.root.issue()
    body = json.dumps(linked.envelope({"type": "LaunchRequest"})).encode()
    _refused(services, linked, body=body, headers={"Signature-256": impostor.sign(body)})


@pytest.mark.parametrize("seconds", [-151, 151, -3600])
def test_stale_timestamp(services, linked, seconds):
    _refused(services, linked, timestamp=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def test_timestamp_within_150_seconds_is_accepted(linked):
    status, _ = linked.send({"type": "LaunchRequest"}, timestamp=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=140))
    assert status == 200


def test_wrong_application_id(services, linked):
    linked.skill_id = "amzn1.ask.skill.someone-else"
    _refused(services, linked)


def test_application_id_from_the_session_when_context_lacks_it(linked):
    body = linked.envelope({"type": "LaunchRequest"})
    del body["context"]["System"]["application"]
    status, _ = linked.send({}, body=json.dumps(body).encode())
    assert status == 200


def test_no_skill_id_configured_refuses_everything(services, linked, app):
    app.extensions["couchbank.alexa"]._skill_id = None
    _refused(services, linked)


def test_chain_is_downloaded_once_and_cached(services, linked, pki: Pki, monkeypatch, tmp_path):
    from banking.assistants.alexa import certificates

    url = "https://s3.amazonaws.com/echo.api/downloaded.pem"
    fetched: list[str] = []

    def download(asked: str) -> bytes:
        fetched.append(asked)
        return pki.leaf.chain_pem(pki.root)

    monkeypatch.setattr(certificates, "_download", download)
    linked.cert_url = url
    assert linked.launch()[0] == 200 and linked.launch()[0] == 200
    assert fetched == [url]


def test_refused_before_anything_else(services, fake_alexa: FakeAlexa):
    """Unlinked and unsigned: the signature is what is answered."""
    body = _refused(services, fake_alexa, headers={"Signature-256": ""})
    assert "Signature" in body["error"]["message"]
