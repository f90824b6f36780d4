"""Pure parts of the audit trail: the prepared HMAC, the fast message builder against the
reference canonical form, cursors, export formats and checkpoint signatures."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import json

import pytest
from hypothesis import given, strategies as st

from banking.audit import checkpoints as audit_checkpoints, export as audit_export
from banking.audit.query import Cursor, Filters
from banking.audit.trail import Actor, appended_canonical, canonical, dump_detail, iso
from banking.audit.verify import _sqlite_messages, hmac_sha256
from banking.platform.security.keys import Keyring

text = st.text(max_size=40)
maybe = st.none() | text
details = st.dictionaries(text, st.none() | st.booleans() | st.integers() | text | st.lists(st.integers(), max_size=3),
                          max_size=5)


@given(key=st.binary(min_size=1, max_size=100), message=st.binary(max_size=500))
def test_prepared_hmac_is_hmac_sha256(key: bytes, message: bytes) -> None:
    assert hmac_sha256(key)(message) == hmac.new(key, message, hashlib.sha256).hexdigest()


@given(seq=st.integers(1, 2**53), type_=text, user=maybe, device=maybe, session=maybe, request=maybe,
       detail=details, micro=st.integers(0, 999_999))
def test_fast_message_equals_the_reference_canonical_bytes(seq: int, type_: str, user: str | None, device: str | None,
                                                           session: str | None, request: str | None,
                                                           detail: dict, micro: int) -> None:
    at = dt.datetime(2025, 5, 17, 3, 4, 5, micro, tzinfo=dt.UTC)
    stored_at = f"{at:%Y-%m-%d %H:%M:%S}.{micro:06d}"  # SQLAlchemy's SQLite storage form
    event = {"seq": seq, "at": at, "type": type_, "user_id": user, "device_id": device,
             "session_id": session, "request_id": request, "detail": dump_detail(detail)}
    row = (seq, stored_at, type_, user, device, session, request, event["detail"], "a" * 64, "b" * 64)
    assert _sqlite_messages([row])[3] == ["a".encode() * 64 + canonical(event)]


@given(seq=st.integers(1, 2**53), type_=text, user=maybe, device=maybe, session=maybe, request=maybe,
       detail=details, micro=st.integers(0, 999_999))
def test_the_appended_message_equals_the_reference_canonical_bytes(seq: int, type_: str, user: str | None,
                                                                   device: str | None, session: str | None,
                                                                   request: str | None, detail: dict,
                                                                   micro: int) -> None:
    at = dt.datetime(2025, 5, 17, 3, 4, 5, micro, tzinfo=dt.UTC)
    event = {"seq": seq, "at": at, "type": type_, "user_id": user, "device_id": device,
             "session_id": session, "request_id": request, "detail": detail}
    actor = Actor(user_id=user, device_id=device, session_id=session, request_id=request)
    assert appended_canonical(iso(at), dump_detail(detail), seq, type_, actor) == canonical(event)


def test_an_odd_stored_time_is_never_spliced() -> None:
    row = (1, '2025-05-17T03:04:05.000000', "t", None, None, None, None, "{}", "a" * 64, "b" * 64)
    assert _sqlite_messages([row])[3] == [b""]


def test_stored_values_append_never_writes_fail_only_their_own_row() -> None:
    good = (1, "2025-05-17 03:04:05.000000", "t", None, None, None, None, "{}", "a" * 64, "b" * 64)
    odd = [(2, good[1], "t", 7, None, None, None, "{}", "a" * 64, "b" * 64),  # a number
           (3, good[1], None, None, None, None, None, "{}", "a" * 64, "b" * 64),  # no type
           (4, None, "t", None, None, None, None, "{}", "a" * 64, "b" * 64)]  # no time
    messages = _sqlite_messages([good, *odd])[3]
    assert messages[0].startswith(b"a" * 64 + b'{"at":') and messages[1:] == [b"", b"", b""]


def test_cursor_round_trip_and_refusals() -> None:
    cursor = Cursor(after=41, upto=900)
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "nope", Cursor(5, 2).encode(), "djE6YTpi"):
        with pytest.raises(ValueError):
            Cursor.decode(bad)


def test_filters_record_only_what_was_asked() -> None:
    filters = Filters.of({"user_id": "demo", "type": "", "since": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)})
    assert filters.asked() == {"user_id": "demo", "since": "2025-01-01T00:00:00.000000Z"}


EVENTS = [{"seq": 1, "at": "2025-01-01T00:00:00.000000Z", "type": "turn", "user_id": "demo", "device_id": None,
           "session_id": "s", "request_id": "r", "detail": {"text": "엄마한테, \"5만원\"\n"}, "prev_hash": "0" * 64,
           "hash": "1" * 64}]


def test_jsonl_is_one_object_per_line() -> None:
    lines = list(audit_export.jsonl(iter(EVENTS)))
    assert len(lines) == 1 and lines[0].endswith("\n") and "엄마" in lines[0]
    assert json.loads(lines[0]) == EVENTS[0]


def test_csv_has_a_header_and_quotes_what_needs_it() -> None:
    records = list(csv.reader(io.StringIO("".join(audit_export.csv_records(iter(EVENTS))))))
    assert records[0] == list(audit_export.COLUMNS)
    assert json.loads(records[1][7]) == EVENTS[0]["detail"] and records[1][4] == ""


def test_checkpoint_signature_binds_every_field() -> None:
    keys = Keyring(b"m" * 32)
    at = "2025-01-01T00:00:00.000000Z"
    signature = keys.checkpoint_signer.sign(audit_checkpoints.signed_bytes(7, "a" * 64, at)).hex()
    public_key = audit_checkpoints.public_key_hex(keys)
    saved = {"seq": 7, "hash": "a" * 64, "at": at, "signature": signature, "public_key": public_key,
             "key_id": audit_checkpoints.key_id(public_key)}
    assert audit_checkpoints.signature_ok(keys, saved)
    # key_id and public_key are optional, but must name this service's key when given
    assert audit_checkpoints.signature_ok(keys, {k: saved[k] for k in ("seq", "hash", "at", "signature")})
    for change in ({"seq": 8}, {"hash": "b" * 64}, {"at": at.replace("00Z", "01Z")}, {"signature": "00" * 64},
                   {"key_id": "ed25519:0123456789abcdef"}, {"public_key": "00" * 32}, {"seq": "x"}):
        assert not audit_checkpoints.signature_ok(keys, {**saved, **change})
    assert not audit_checkpoints.signature_ok(Keyring(b"n" * 32), saved)


def test_key_id_is_a_short_fingerprint_of_the_public_key() -> None:
    public_key = audit_checkpoints.public_key_hex(Keyring(b"m" * 32))
    assert audit_checkpoints.key_id(public_key) == "ed25519:" + hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:16]
    assert audit_checkpoints.key_id(public_key) != audit_checkpoints.key_id(audit_checkpoints.public_key_hex(Keyring(b"n" * 32)))


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(cell: str) -> None:
    event = {**EVENTS[0], "request_id": cell, "device_id": cell, "type": cell}
    record = list(csv.reader(io.StringIO("".join(audit_export.csv_records(iter([event]))), newline="")))[1]
    for column in ("request_id", "device_id", "type"):
        assert record[audit_export.COLUMNS.index(column)] == "'" + cell


def test_csv_leaves_ordinary_cells_and_jsonl_alone() -> None:
    event = {**EVENTS[0], "request_id": "req-1=2", "device_id": "tv-"}
    record = list(csv.reader(io.StringIO("".join(audit_export.csv_records(iter([event]))))))[1]
    assert record[audit_export.COLUMNS.index("request_id")] == "req-1=2" and record[4] == "tv-"
    hostile = {**EVENTS[0], "request_id": "-cmd"}
    assert json.loads("".join(audit_export.jsonl(iter([hostile]))))["request_id"] == "-cmd"


@pytest.mark.parametrize("after,upto", [(0, 2**63), (2**64, 2**64), (-1, 5), (5, 4)])
def test_a_cursor_outside_the_seq_column_is_refused(after: int, upto: int) -> None:
    forged = base64.urlsafe_b64encode(f"v1:{after}:{upto}".encode()).decode()
    with pytest.raises(ValueError):
        Cursor.decode(forged)
    assert Cursor.decode(Cursor(2**63 - 2, 2**63 - 1).encode()) == Cursor(2**63 - 2, 2**63 - 1)
