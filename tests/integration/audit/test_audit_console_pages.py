"""The auditors' console over the Flask test client: sign-in, escaping, revocation."""
from __future__ import annotations

import json
import re
from typing import Any

from banking.audit import auditors
from banking.audit.trail import Actor


def csrf(client: Any, path: str = "/audit/signin") -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def sign_in(client: Any, token: str = "demo-auditor-token") -> Any:
    return client.post("/audit/signin", data={"token": token, "csrf": csrf(client)})


def test_pages_need_a_signed_in_auditor(client: Any) -> None:
    for path in ("/audit/", "/audit/verify", "/audit/events/1", "/audit/export"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/audit/signin")


def test_sign_in_refuses_a_bad_token_and_a_missing_form_token(client: Any) -> None:
    assert sign_in(client, "wrong").status_code == 401
    assert client.post("/audit/signin", data={"token": "demo-auditor-token"}).status_code == 400


def test_hostile_and_korean_detail_is_shown_as_text(client: Any, services: Any) -> None:
    with services.db.begin() as conn:
        seq = services.audit.append(conn, "transfer.failed", {"note": "<script>alert(1)</script>", "payee": "엄마"},
                                    Actor(user_id="<b>demo</b>"))
    assert sign_in(client).status_code == 302
    for path in ("/audit/", f"/audit/events/{seq}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>demo</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "엄마" in html
    assert 'lang="en"' in html and 'charset="utf-8"' in html


def test_a_revoked_auditor_is_signed_out_at_the_next_request(client: Any, services: Any) -> None:
    with services.db.begin() as conn:
        token = auditors.add(conn, services.keys, "leaving-auditor")
    sign_in(client, token)
    assert client.get("/audit/").status_code == 200
    with services.db.begin() as conn:
        auditors.revoke(conn, "leaving-auditor")
    assert client.get("/audit/").status_code == 302


def test_sign_in_and_out_are_recorded(client: Any, services: Any) -> None:
    sign_in(client)
    token = csrf(client, "/audit/verify")
    assert client.post("/audit/verify", data={"csrf": token}, headers={"Accept": "application/json"}).get_json()["ok"]
    client.post("/audit/signout", data={"csrf": token})
    assert client.get("/audit/").status_code == 302
    response = client.get("/v1/audit/events", query_string={"type": "auditor."},
                          headers={"Authorization": "Bearer demo-auditor-token"})
    types = [e["type"] for e in response.get_json()["events"]]
    assert types[0] == "auditor.signin" and "auditor.verify" in types and types[-1] == "auditor.signout"


def test_the_verify_page_lists_checkpoints_and_verifies_a_pasted_one(client: Any, services: Any) -> None:
    from banking.audit import jobs as audit_jobs

    with services.db.begin() as conn:
        services.audit.append(conn, "turn", {"intent": "balance"}, Actor(user_id="demo"))
    kept = audit_jobs.checkpoint(services).as_dict()
    sign_in(client)
    html = client.get("/audit/verify").get_data(as_text=True)
    assert kept["key_id"] in html and kept["signature"] in html
    token = csrf(client, "/audit/verify")

    def paste(text: str, **headers: str) -> Any:
        return client.post("/audit/verify", data={"csrf": token, "checkpoint": text}, headers=headers)

    response = paste(json.dumps(kept))
    assert response.status_code == 200 and "<strong>OK</strong>" in response.get_data(as_text=True)
    body = paste(json.dumps({**kept, "hash": "0" * 64}), Accept="application/json").get_json()
    assert (body["ok"], body["first_bad_seq"]) == (False, None) and "signature" in body["summary"]
    for bad in ("not json", "[1]", json.dumps({**kept, "seq": 2**64}), "[" * 5000):
        response = paste(bad)
        assert response.status_code == 422 and "Not verified" in response.get_data(as_text=True)
        response = paste(bad, Accept="application/json")
        assert response.status_code == 422 and set(response.get_json()["error"]) == {"code", "message", "fields"}
    # a plain run still verifies the chain and its newest checkpoint
    assert client.post("/audit/verify", data={"csrf": token}, headers={"Accept": "application/json"}).get_json()["ok"]
