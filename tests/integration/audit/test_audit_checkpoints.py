"""Signed checkpoints hold the trail to what was signed (issue 14, CONTRACT §6 as amended), on
SQLite and PostgreSQL: a cut tail with a rewound head is found, forged rows are evidence, the
writer never signs below a checkpoint, auditors list and verify kept checkpoints over HTTP,
and every new checkpoint is also appended to the checkpoint log file."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, func, select, update

from banking.audit import checkpoints as audit_checkpoints, jobs as audit_jobs
from banking.audit.checkpoint_log import CheckpointLogUnavailable
from banking.audit.checkpoints import CheckpointRefused
from banking.audit.trail import GENESIS, Actor
from banking.platform.store.tables import audit_checkpoints as checkpoint_rows, audit_events, audit_head
from tests.conftest import _build_app, _observe

AUTH = {"Authorization": "Bearer demo-auditor-token"}


def append(services: Any, n: int) -> int:
    with services.db.begin() as conn:
        return services.audit.append_many(
            conn, [("transfer.pending", {"i": i}, Actor(user_id="demo", request_id=f"r{i}")) for i in range(n)])


def sql(services: Any, statement: Any) -> None:
    with services.db.begin() as conn:
        conn.execute(statement)


def cut_tail_and_rewind(services: Any, keep: int) -> None:
    """What the issue saw: delete the newest events and make the head row agree (no key needed)."""
    sql(services, delete(audit_events).where(audit_events.c.seq > keep))
    with services.db.read() as conn:
        last = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == keep)).scalar_one()
    sql(services, update(audit_head).values(seq=keep, hash=last))


def verify_api(client: Any) -> dict[str, Any]:
    response = client.get("/v1/audit/verify", headers=AUTH)
    assert response.status_code == 200
    return response.get_json()


def rows(services: Any) -> list[int]:
    with services.db.read() as conn:
        return conn.execute(select(checkpoint_rows.c.seq).order_by(checkpoint_rows.c.seq)).scalars().all()


@pytest.fixture
def signed(services: Any) -> Any:
    """A trail whose head is signed; the demo seed's own events come first."""
    head = append(services, 12)
    assert audit_jobs.checkpoint(services).seq == head
    return services


def head_seq(services: Any) -> int:
    with services.db.read() as conn:
        return conn.execute(select(audit_head.c.seq)).scalar_one()


# --- verify holds the chain to the newest signed checkpoint ---------------------------------------

def test_cutting_the_tail_and_rewinding_the_head_is_found(signed: Any, client: Any, app: Any) -> None:
    top = head_seq(signed)
    assert verify_api(client)["ok"]
    cut_tail_and_rewind(signed, top - 4)
    body = verify_api(client)
    assert body["ok"] is False and body["first_bad_seq"] == top
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"broken at seq {top}" in result.output


def test_wiping_every_event_and_resetting_the_head_is_found(signed: Any, client: Any) -> None:
    top = head_seq(signed)
    sql(signed, delete(audit_events))
    sql(signed, update(audit_head).values(seq=0, hash=GENESIS, anchor_seq=0, anchor_hash=GENESIS))
    assert verify_api(client) == {"ok": False, "checked": 0, "first_bad_seq": top}


def test_events_appended_after_a_cut_do_not_hide_it(signed: Any, client: Any) -> None:
    top = head_seq(signed)
    cut_tail_and_rewind(signed, top - 4)
    append(signed, 10)  # the chain grows past the checkpoint again, through a different event
    assert verify_api(client)["first_bad_seq"] == top


def test_a_checkpoint_row_that_is_not_signed_by_the_service_fails_verify(signed: Any, client: Any) -> None:
    top = head_seq(signed)
    append(signed, 3)
    assert verify_api(client)["ok"]
    # a forged checkpoint for the real head: it asserts a true head, but nobody signed it
    with signed.db.read() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    sql(signed, checkpoint_rows.insert().values(seq=head.seq, head_hash=head.hash, at=dt.datetime.now(dt.UTC),
                                                signature="ab" * 64, public_key=audit_checkpoints.public_key_hex(signed.keys)))
    assert verify_api(client) == {"ok": False, "checked": head.seq, "first_bad_seq": head.seq}
    # and the genuine checkpoint below it still counts: a forged row never makes verify pass
    cut_tail_and_rewind(signed, top - 2)
    assert verify_api(client)["first_bad_seq"] == top


def test_defacing_the_newest_checkpoint_to_hide_a_cut_is_found(signed: Any, client: Any) -> None:
    top = head_seq(signed)
    append(signed, 2)
    audit_jobs.checkpoint(signed)
    cut_tail_and_rewind(signed, top + 1)
    sql(signed, update(checkpoint_rows).where(checkpoint_rows.c.seq == top + 2).values(signature="00" * 64))
    # the genuine checkpoint at `top` agrees with what is left; the defaced one above it is named
    assert verify_api(client)["first_bad_seq"] == top + 2


def test_a_forged_lower_checkpoint_that_disagrees_with_the_chain_is_named(signed: Any, client: Any) -> None:
    sql(signed, checkpoint_rows.insert().values(seq=3, head_hash="f" * 64, at=dt.datetime.now(dt.UTC),
                                                signature="ab" * 64, public_key="cd" * 32))
    assert verify_api(client)["first_bad_seq"] == 3


def test_a_checkpoint_row_of_another_key_is_not_the_services(signed: Any, client: Any) -> None:
    from banking.platform.security.keys import Keyring

    other = Keyring(b"x" * 32)
    top = head_seq(signed)
    cut_tail_and_rewind(signed, top - 3)
    with signed.db.read() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    at = "2030-01-01T00:00:00.000000Z"
    sql(signed, delete(checkpoint_rows))
    sql(signed, checkpoint_rows.insert().values(
        seq=head.seq + 5, head_hash=head.hash, at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        signature=other.checkpoint_signer.sign(audit_checkpoints.signed_bytes(head.seq + 5, head.hash, at)).hex(),
        public_key=audit_checkpoints.public_key_hex(other)))
    assert verify_api(client)["first_bad_seq"] == head.seq + 5


# --- the writer never signs below a checkpoint ----------------------------------------------------

def test_no_checkpoint_is_signed_for_a_rewound_head(signed: Any, client: Any) -> None:
    top = head_seq(signed)
    cut_tail_and_rewind(signed, top - 4)
    with pytest.raises(CheckpointRefused, match=f"below the checkpoint at seq {top}"):
        audit_jobs.checkpoint(signed)
    response = client.post("/v1/audit/checkpoints", headers=AUTH)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "checkpoint_refused"
    # grown back past the old checkpoint through other events: still not an extension of it
    append(signed, 10)
    with pytest.raises(CheckpointRefused):
        audit_jobs.checkpoint(signed)
    assert rows(signed) == [top]
    refused = client.get("/v1/audit/events", query_string={"type": "auditor.checkpoint"}, headers=AUTH)
    assert "refused" in refused.get_json()["events"][-1]["detail"]


def test_no_checkpoint_is_signed_over_events_tampered_since_the_last(signed: Any) -> None:
    top = head_seq(signed)
    append(signed, 5)
    sql(signed, update(audit_events).where(audit_events.c.seq == top + 2).values(detail='{"i":99}'))
    with pytest.raises(CheckpointRefused, match="does not verify"):
        audit_jobs.checkpoint(signed)
    assert rows(signed) == [top]


def test_a_forged_row_above_the_head_stops_signing(signed: Any) -> None:
    sql(signed, checkpoint_rows.insert().values(seq=10**12, head_hash="f" * 64, at=dt.datetime.now(dt.UTC),
                                                signature="ab" * 64, public_key="cd" * 32))
    append(signed, 1)
    with pytest.raises(CheckpointRefused, match="does not hold"):
        audit_jobs.checkpoint(signed)


def test_the_same_head_keeps_its_first_checkpoint_and_new_ones_extend_it(signed: Any) -> None:
    first = audit_jobs.checkpoint(signed)
    assert audit_jobs.checkpoint(signed) == first
    append(signed, 2)
    assert audit_jobs.checkpoint(signed).seq == first.seq + 2
    assert audit_checkpoints.verify_trail(signed.db, signed.keys).ok


def test_racing_writers_never_sign_below_a_checkpoint(services: Any) -> None:
    errors: list[BaseException] = []

    def appender() -> None:
        for _ in range(30):
            append(services, 2)

    def signer() -> None:
        try:
            for _ in range(8):
                audit_jobs.checkpoint(services)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=appender)] + [threading.Thread(target=signer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with services.db.read() as conn:
        written = conn.execute(select(checkpoint_rows.c.seq, checkpoint_rows.c.at).order_by(checkpoint_rows.c.at,
                                                                                             checkpoint_rows.c.seq)).all()
    assert [seq for seq, _ in written] == sorted(seq for seq, _ in written)  # signed in seq order
    assert audit_checkpoints.verify_trail(services.db, services.keys).ok


# --- the auditors' HTTP API ---------------------------------------------------------------------

def test_checkpoints_are_listed_newest_first_a_page_at_a_time(services: Any, client: Any) -> None:
    seqs = []
    for _ in range(5):
        append(services, 1)
        seqs.append(audit_jobs.checkpoint(services).seq)
    body = client.get("/v1/audit/checkpoints", query_string={"limit": 2}, headers=AUTH).get_json()
    assert [c["seq"] for c in body["checkpoints"]] == [seqs[4], seqs[3]]
    seen = [c["seq"] for c in body["checkpoints"]]
    while body["next_before_seq"] is not None:
        body = client.get("/v1/audit/checkpoints", headers=AUTH,
                          query_string={"limit": 2, "before_seq": body["next_before_seq"]}).get_json()
        seen += [c["seq"] for c in body["checkpoints"]]
    assert seen == seqs[::-1]
    for params in ({"before_seq": 2**63}, {"before_seq": 0}, {"limit": "9" * 5000}, {"before_seq": "x"}):
        response = client.get("/v1/audit/checkpoints", query_string=params, headers=AUTH)
        assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == set(params)


def test_a_listed_checkpoint_verifies_off_host_with_its_public_key(signed: Any, client: Any) -> None:
    listed = client.get("/v1/audit/checkpoints", headers=AUTH).get_json()["checkpoints"][0]
    assert set(listed) == {"seq", "hash", "at", "signature", "key_id", "public_key"}
    public_key = bytes.fromhex(listed["public_key"])
    assert listed["key_id"] == "ed25519:" + hashlib.sha256(public_key).hexdigest()[:16]
    # exactly what the schema documents, with nothing of couchbank's code
    message = b"couchbank audit checkpoint v1\n" + json.dumps(
        {"at": listed["at"], "head_hash": listed["hash"], "seq": listed["seq"]},
        sort_keys=True, separators=(",", ":")).encode()
    Ed25519PublicKey.from_public_bytes(public_key).verify(bytes.fromhex(listed["signature"]), message)


def test_post_verify_against_a_kept_checkpoint(signed: Any, client: Any) -> None:
    kept = client.get("/v1/audit/checkpoints", headers=AUTH).get_json()["checkpoints"][0]

    def post(checkpoint: dict[str, Any]) -> dict[str, Any]:
        response = client.post("/v1/audit/verify", json={"checkpoint": checkpoint}, headers=AUTH)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def outcome(checkpoint: dict[str, Any]) -> tuple[bool, int | None]:
        body = post(checkpoint)
        return body["ok"], body["first_bad_seq"]

    assert outcome(kept) == (True, None)
    bare = {k: kept[k] for k in ("seq", "hash", "at", "signature")}
    assert post(bare)["ok"]
    assert outcome({**kept, "hash": "0" * 64}) == (False, None)
    assert post({**kept, "key_id": "ed25519:0000000000000000"})["ok"] is False
    # the auditor's copy outlives the table: delete every checkpoint row, cut and rewind
    sql(signed, delete(checkpoint_rows))
    cut_tail_and_rewind(signed, kept["seq"] - 3)
    assert verify_api(client)["ok"]  # nothing left inside the database can tell ...
    assert outcome(kept) == (False, kept["seq"])  # ... the kept one can
    events = client.get("/v1/audit/events", query_string={"type": "auditor.verify"}, headers=AUTH).get_json()["events"]
    assert events[-1]["detail"]["checkpoint_seq"] == kept["seq"] and events[-1]["detail"]["ok"] is False


@pytest.mark.parametrize("body", [
    {},
    {"checkpoint": None},
    {"checkpoint": "x"},
    {"checkpoint": []},
    {"checkpoint": {"seq": 1}},
    {"checkpoint": {"seq": 2**64, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128}},
    {"checkpoint": {"seq": -1, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128}},
    {"checkpoint": {"seq": "1", "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128}},
    {"checkpoint": {"seq": True, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128}},
    {"checkpoint": {"seq": 1.5, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128}},
    {"checkpoint": {"seq": 1, "hash": 5, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128}},
    {"checkpoint": {"seq": 1, "hash": "0" * 64, "at": "yesterday", "signature": "0" * 128}},
    {"checkpoint": {"seq": 1, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "zz"}},
    {"checkpoint": {"seq": 1, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128,
                    "public_key": "\x00"}},
    {"checkpoint": {"seq": 1, "hash": "0" * 64, "at": "2025-01-01T00:00:00.000000Z", "signature": "0" * 128,
                    "extra": 1}},
    [1, 2],
])
def test_post_verify_refuses_malformed_bodies_in_the_envelope(client: Any, body: Any) -> None:
    response = client.post("/v1/audit/verify", json=body, headers=AUTH)
    # the edge refuses integers beyond 64 bits as it parses (400); the schema the rest (422)
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("raw", [b'{"checkpoint": {"seq": ' + b"9" * 5000 + b"}}", b"{", b"\xff", b"[" * 10000])
def test_post_verify_refuses_bodies_that_are_not_json_in_the_envelope(client: Any, raw: bytes) -> None:
    response = client.post("/v1/audit/verify", data=raw, content_type="application/json", headers=AUTH)
    assert response.status_code in (400, 422) and "error" in response.get_json()


def test_post_verify_needs_an_auditor(client: Any) -> None:
    assert client.post("/v1/audit/verify", json={"checkpoint": {}}).status_code == 401


# --- the checkpoint log file --------------------------------------------------------------------

@pytest.fixture
def logged(tmp_path: Path, database_url: str, memory_partners: Any) -> Iterator[tuple[Any, Path]]:
    log = tmp_path / "offhost" / "checkpoints.jsonl"
    log.parent.mkdir()
    log.write_text('{"kept": "from before"}\n')
    app = _build_app(tmp_path, database_url, memory_partners, audit_checkpoint_log=log)
    yield app, log
    _observe(app)
    app.extensions["couchbank"].close()


def test_each_new_checkpoint_is_appended_to_the_log(logged: tuple[Any, Path]) -> None:
    app, log = logged
    services = app.extensions["couchbank"]
    client = app.test_client()
    first = audit_jobs.checkpoint(services)
    audit_jobs.checkpoint(services)  # the same head: nothing new to write
    append(services, 2)
    response = client.post("/v1/audit/checkpoints", headers=AUTH)
    assert response.status_code == 201
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0
    lines = log.read_text().splitlines()
    assert lines[0] == '{"kept": "from before"}'  # appended, never rewritten
    logged_checkpoints = [json.loads(line) for line in lines[1:]]
    listed = client.get("/v1/audit/checkpoints", headers=AUTH).get_json()["checkpoints"]
    assert logged_checkpoints == listed[::-1]
    assert logged_checkpoints[0] == first.as_dict()
    # a logged line is a kept checkpoint: the auditor verifies against it
    assert client.post("/v1/audit/verify", json={"checkpoint": logged_checkpoints[-1]}, headers=AUTH).get_json()["ok"]


def test_a_log_that_cannot_be_written_signs_nothing(logged: tuple[Any, Path]) -> None:
    app, log = logged
    services = app.extensions["couchbank"]
    log.unlink()
    log.mkdir()  # a directory where the file should be: the append fails
    append(services, 1)
    with pytest.raises(CheckpointLogUnavailable):
        audit_jobs.checkpoint(services)
    response = app.test_client().post("/v1/audit/checkpoints", headers=AUTH)
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "checkpoint_log_unavailable"
    assert str(log) not in response.get_data(as_text=True)
    assert rows(services) == []
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1 and "nothing signed" in result.output


def test_the_log_setting_comes_from_the_environment(tmp_path: Path) -> None:
    from banking.platform import config

    assert config.load({"COUCHBANK_DATA_DIR": str(tmp_path)}).audit_checkpoint_log is None
    settings = config.load({"COUCHBANK_DATA_DIR": str(tmp_path),
                            "COUCHBANK_AUDIT_CHECKPOINT_LOG": str(tmp_path / "c.jsonl")})
    assert settings.audit_checkpoint_log == tmp_path / "c.jsonl"


# --- out-of-range query values, and the unlock event's type ----------------------------------------

def _cursor(after: int, upto: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"v1:{after}:{upto}".encode()).decode().rstrip("=")


@pytest.mark.parametrize("params", [
    {"cursor": _cursor(2**64, 2**64 + 1)},
    {"cursor": _cursor(0, 2**63)},
    {"cursor": _cursor(-5, 3)},
    {"cursor": _cursor(1, 10**400)},
    {"cursor": "\x00"},
    {"limit": 2**64},
    {"limit": -1},
    {"limit": "9" * 5000},
    {"since": "99999-01-01T00:00:00"},
    {"until": "2025-13-01T00:00:00"},
])
def test_out_of_range_event_queries_are_422_in_the_envelope(client: Any, services: Any, params: dict[str, Any]) -> None:
    append(services, 3)
    response = client.get("/v1/audit/events", query_string=params, headers=AUTH)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.get_json()["error"]["fields"]) == set(params)


@pytest.mark.parametrize("seq", [str(2**63), str(2**64), "-1", "9" * 5000, "0"])
def test_out_of_range_event_seqs_are_404_in_the_envelope(client: Any, seq: str) -> None:
    response = client.get(f"/v1/audit/events/{seq}", headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unlocking_a_user_is_an_auth_lock_event(app: Any, client: Any, services: Any) -> None:
    result = app.test_cli_runner().invoke(args=["users", "unlock", "demo"])
    assert result.exit_code == 0, result.output
    with services.db.read() as conn:
        types = conn.execute(select(audit_events.c.type).where(audit_events.c.user_id == "demo")).scalars().all()
        assert conn.execute(select(func.count()).where(audit_events.c.type == "auth.unlock")).scalar_one() == 0
    assert "auth.lock.released" in types
    found = client.get("/v1/audit/events", query_string={"type": "auth.lock."}, headers=AUTH).get_json()["events"]
    assert [e["type"] for e in found] == ["auth.lock.released"]
