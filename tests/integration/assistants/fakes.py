"""A fake Alexa and a fake NUGU for the tests: a throwaway PKI (root CA, intermediate-free
leaf for `echo-api.amazon.com`) made with `cryptography`, envelopes shaped like Amazon's
documented request samples and signed as Alexa signs them, and the OAuth linking an
assistant platform does before it sends anything."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from banking.assistants.oauth import store
from banking.demo.seed import DEMO_USER

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0c0"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
NUGU_TOKEN = "nugu-backend-proxy-token"
ALEXA_REDIRECT = "https://pitangui.amazon.com/api/skill/link/DEMO"
NUGU_REDIRECT = "https://nugu.invalid/link/DEMO"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Authority:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @classmethod
    def make(cls, common: str = "Fake Alexa Root CA") -> Authority:
        key = _key()
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                             crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return cls(key, cert)

    def issue(self, *, names: tuple[str, ...] = ("echo-api.amazon.com",), expired: bool = False) -> Leaf:
        key = _key()
        now = dt.datetime.now(dt.UTC)
        start, end = ((now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired
                      else (now - dt.timedelta(days=1), now + dt.timedelta(days=90)))
        builder = (x509.CertificateBuilder().subject_name(_name("echo-api.amazon.com")).issuer_name(self.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                                crl_sign=False, encipher_only=False, decipher_only=False),
                                  critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                                            critical=False)
        return Leaf(key, builder.sign(self.key, hashes.SHA256()))

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class Leaf:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def chain_pem(self, authority: Authority) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM) + authority.pem()

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def cache_name(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest() + ".pem"


@dataclass
class FakeAlexa:
    """Amazon's side: builds the request envelopes of the documented samples, signs them
    with `leaf` and posts them with `post(path, body, headers) -> (status, json)`."""

    post: Callable[[str, bytes, dict[str, str]], tuple[int, Any]]
    leaf: Leaf
    token: str | None = None
    cert_url: str = CERT_URL
    skill_id: str = SKILL_ID
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    device_id: str = "amzn1.ask.device.AEXAMPLEDEVICE0001"
    person_id: str | None = "amzn1.ask.person.AEXAMPLEPERSON01"
    new: bool = True

    def envelope(self, request: dict[str, Any], *, timestamp: dt.datetime | None = None) -> dict[str, Any]:
        at = (timestamp or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        user: dict[str, Any] = {"userId": "amzn1.ask.account.AEXAMPLEACCOUNT1"}
        if self.token:
            user["accessToken"] = self.token
        system: dict[str, Any] = {
            "application": {"applicationId": self.skill_id}, "user": user,
            "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
            "apiEndpoint": "https://api.amazonalexa.com"}
        if self.person_id:
            system["person"] = {"personId": self.person_id}
        envelope = {
            "version": "1.0",
            "session": {"new": self.new, "sessionId": self.session_id,
                        "application": {"applicationId": self.skill_id}, "attributes": {}, "user": user},
            "context": {"System": system},
            "request": {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "timestamp": at, "locale": "en-US",
                        **request},
        }
        self.new = False
        return envelope

    def send(self, request: dict[str, Any], *, body: bytes | None = None, headers: dict[str, str] | None = None,
             timestamp: dt.datetime | None = None) -> tuple[int, Any]:
        if body is None:
            body = json.dumps(self.envelope(request, timestamp=timestamp)).encode()
        sent = {"Content-Type": "application/json; charset=utf-8", "SignatureCertChainUrl": self.cert_url,
                "Signature-256": self.leaf.sign(body)}
        sent.update(headers or {})
        return self.post("/v1/assistants/alexa", body, sent)

    def launch(self) -> tuple[int, Any]:
        return self.send({"type": "LaunchRequest"})

    def intent(self, name: str, **slots: str | tuple[str, str]) -> dict[str, Any]:
        status, answer = self.send({"type": "IntentRequest", "dialogState": "COMPLETED",
                                    "intent": {"name": name, "confirmationStatus": "NONE",
                                               "slots": {k: _slot(k, v) for k, v in slots.items()}}})
        assert status == 200, answer
        return answer  # type: ignore[no-any-return]


def _slot(name: str, value: str | tuple[str, str]) -> dict[str, Any]:
    """A slot as Alexa fills it; (heard, id) adds the custom type's entity resolution."""
    if isinstance(value, str):
        return {"name": name, "value": value, "confirmationStatus": "NONE", "source": "USER"}
    heard, ident = value
    return {"name": name, "value": heard, "confirmationStatus": "NONE", "source": "USER",
            "resolutions": {"resolutionsPerAuthority": [{
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{name.upper()}",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": heard, "id": ident}}]}]}}


def speech_of(answer: dict[str, Any]) -> str:
    return str(answer["response"]["outputSpeech"]["ssml"])


# -- account linking, as an assistant platform and the person do it

def issue_link_code(services: Any, user_id: str = DEMO_USER) -> str:
    with services.db.begin() as conn:
        return store.issue_link_code(conn, services, user_id)


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def authorize(client: Any, client_id: str, redirect_uri: str, user_id: str, link_code: str,
              state: str = "xyz-state") -> Any:
    """GET the linking page, then post its form (the test client keeps the CSRF cookie)."""
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state}
    page = client.get("/oauth/authorize", query_string=query)
    assert page.status_code == 200, page.get_data(as_text=True)
    csrf = _CSRF.search(page.get_data(as_text=True))
    assert csrf is not None
    return client.post("/oauth/authorize", query_string=query,
                       data={"csrf": csrf.group(1), "user_id": user_id, "link_code": link_code})


def code_from(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    return parse_qs(location.query)["code"][0]


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def link(client: Any, services: Any, client_id: str = "alexa", secret: str = "alexa-demo-secret",
         redirect_uri: str = ALEXA_REDIRECT) -> dict[str, Any]:
    """The whole linking: a link code, the page, the code, the token."""
    code = code_from(authorize(client, client_id, redirect_uri, DEMO_USER, issue_link_code(services)))
    response = client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                                 "redirect_uri": redirect_uri}, headers=basic(client_id, secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Pki:
    root: Authority
    leaf: Leaf
    roots_file: Path
    cache_dir: Path
