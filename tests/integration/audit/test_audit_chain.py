"""The keyed chain against a real database (SQLite and PostgreSQL): every kind of tampering
is found and the first bad seq named; concurrent appends stay one gapless chain; pruning and
checkpoints keep the trail provable."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update

from banking.audit import checkpoints as audit_checkpoints, jobs as audit_jobs
from banking.audit.retention import PruneRefused
from banking.audit.trail import Actor
from banking.audit.verify import verify
from banking.platform.store.tables import audit_events, audit_head


def append(services: Any, n: int, **detail: Any) -> list[int]:
    seqs = []
    for i in range(n):
        with services.db.begin() as conn:
            seqs.append(services.audit.append(
                conn, "transfer.pending", {"i": i, "payee": "엄마", **detail},
                Actor(user_id="demo", device_id="demo-tv", session_id="s1", request_id=f"r{i}")))
    return seqs


def check(services: Any):  # type: ignore[no-untyped-def]
    return verify(services.db, services.keys.audit_chain)


def sql(services: Any, statement: Any) -> None:
    with services.db.begin() as conn:
        conn.execute(statement)


def shift(services: Any, from_seq: int, by: int) -> None:
    # two steps, so PostgreSQL's per-row unique check never sees two rows on one seq
    sql(services, update(audit_events).where(audit_events.c.seq >= from_seq).values(seq=audit_events.c.seq + 10**9))
    sql(services, update(audit_events).where(audit_events.c.seq >= 10**9).values(seq=audit_events.c.seq - 10**9 + by))


@pytest.fixture
def chain(services: Any) -> Any:
    append(services, 12)
    assert check(services).ok
    return services


def test_intact_chain_verifies(chain: Any) -> None:
    result = check(chain)
    assert (result.ok, result.checked, result.first_bad_seq) == (True, 12, None)


@pytest.mark.parametrize("values", [
    {"detail": '{"i":4,"payee":"아빠"}'},
    {"type": "transfer.completed"},
    {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
    {"user_id": "someone-else"},
    {"session_id": None},
])
def test_a_changed_field_is_named(chain: Any, values: dict[str, Any]) -> None:
    sql(chain, update(audit_events).where(audit_events.c.seq == 5).values(**values))
    result = check(chain)
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 5, 4)


def test_a_noncanonical_but_equal_detail_is_not_tampering(chain: Any) -> None:
    # the hash covers the meaning of `detail`, not its spacing: the reference path decides
    sql(chain, update(audit_events).where(audit_events.c.seq == 3).values(detail='{"payee": "엄마", "i": 2}'))
    assert check(chain).ok


def test_a_deleted_row_is_named(chain: Any) -> None:
    sql(chain, delete(audit_events).where(audit_events.c.seq == 7))
    assert check(chain).first_bad_seq == 7


def test_a_deleted_and_renumbered_row_is_named(chain: Any) -> None:
    sql(chain, delete(audit_events).where(audit_events.c.seq == 7))
    shift(chain, 8, -1)
    sql(chain, update(audit_head).values(seq=11))
    assert check(chain).first_bad_seq == 7


def test_an_inserted_row_is_named(chain: Any) -> None:
    with chain.db.read() as conn:
        prev = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 5)).scalar_one()
    shift(chain, 6, +1)
    sql(chain, audit_events.insert().values(
        seq=6, at=dt.datetime.now(dt.UTC), type="transfer.completed", user_id="demo", detail="{}",
        prev_hash=prev, hash="f" * 64))
    sql(chain, update(audit_head).values(seq=13))
    assert check(chain).first_bad_seq == 6


def test_a_row_appended_behind_the_head_is_named(chain: Any) -> None:
    with chain.db.read() as conn:
        head = conn.execute(select(audit_head.c.hash)).scalar_one()
    sql(chain, audit_events.insert().values(seq=13, at=dt.datetime.now(dt.UTC), type="turn", detail="{}",
                                            prev_hash=head, hash="e" * 64))
    assert check(chain).first_bad_seq == 13


def test_two_swapped_rows_are_named(chain: Any) -> None:
    sql(chain, update(audit_events).where(audit_events.c.seq == 4).values(seq=-4))
    sql(chain, update(audit_events).where(audit_events.c.seq == 9).values(seq=4))
    sql(chain, update(audit_events).where(audit_events.c.seq == -4).values(seq=9))
    assert check(chain).first_bad_seq == 4


def test_a_truncated_tail_is_named_from_the_head_row(chain: Any) -> None:
    sql(chain, delete(audit_events).where(audit_events.c.seq > 9))
    result = check(chain)
    assert (result.ok, result.first_bad_seq) == (False, 10)


def test_a_rewritten_head_is_named(chain: Any) -> None:
    sql(chain, update(audit_head).values(hash="0" * 64))
    assert check(chain).first_bad_seq == 12


def test_a_value_of_the_wrong_type_is_named_not_a_crash(chain: Any) -> None:
    if not chain.db.is_sqlite:
        pytest.skip("only SQLite stores any type in any column")
    sql(chain, text("UPDATE audit_events SET user_id = x'00ff' WHERE seq = 8"))
    assert check(chain).first_bad_seq == 8
    sql(chain, text("UPDATE audit_events SET user_id = 'demo' WHERE seq = 8"))
    sql(chain, text("UPDATE audit_events SET at = 12345 WHERE seq = 3"))
    assert check(chain).first_bad_seq == 3


def test_truncation_back_past_a_checkpoint_is_caught_and_named(chain: Any) -> None:
    saved = audit_checkpoints.write(chain.db, chain.keys, chain.clock).as_dict()
    assert saved["seq"] == 12
    assert audit_checkpoints.verify_saved(chain.db, chain.keys, saved).ok
    # the attacker cuts the tail and makes the head row agree, so the chain alone verifies ...
    sql(chain, delete(audit_events).where(audit_events.c.seq > 8))
    with chain.db.read() as conn:
        last = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 8)).scalar_one()
    sql(chain, update(audit_head).values(seq=8, hash=last))
    assert check(chain).ok
    # ... but not against the checkpoint the auditor kept, nor the one in the table
    for result in (audit_checkpoints.verify_saved(chain.db, chain.keys, saved),
                   audit_checkpoints.verify_trail(chain.db, chain.keys)):
        assert (result.ok, result.first_bad_seq) == (False, 12)
        assert "events 9..12 are missing" in (result.reason or "")
    # and new events appended since do not hide it
    append(chain, 6)
    for result in (audit_checkpoints.verify_saved(chain.db, chain.keys, saved),
                   audit_checkpoints.verify_trail(chain.db, chain.keys)):
        assert (result.ok, result.first_bad_seq) == (False, 12)
        assert "no longer carries" in (result.reason or "")


def test_a_forged_or_foreign_checkpoint_is_refused(chain: Any) -> None:
    saved = audit_checkpoints.write(chain.db, chain.keys, chain.clock).as_dict()
    assert not audit_checkpoints.verify_saved(chain.db, chain.keys, {**saved, "seq": 11}).ok
    assert not audit_checkpoints.verify_saved(chain.db, chain.keys, {**saved, "public_key": "00" * 32}).ok
    assert not audit_checkpoints.verify_saved(chain.db, chain.keys, {**saved, "key_id": "ed25519:0000"}).ok


def test_checkpoints_are_written_once_per_head(chain: Any) -> None:
    first = audit_jobs.checkpoint(chain)
    assert audit_jobs.checkpoint(chain) == first
    append(chain, 1)
    assert audit_jobs.checkpoint(chain).seq == first.seq + 1


def test_pruning_keeps_the_chain_verifiable_through_the_anchor(services: Any) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=6 * 365)
    saved = []
    for i in range(5):
        with services.db.begin() as conn:
            services.audit.append(conn, "turn", {"i": i}, Actor(user_id="demo"), at=old + dt.timedelta(minutes=i))
        if i in (2, 4):
            saved.append(audit_jobs.checkpoint(services).as_dict())
    append(services, 4)
    pruned = audit_jobs.prune(services)  # the default: five years
    assert (pruned.removed, pruned.anchor_seq) == (5, 5)
    result = check(services)
    assert result.ok and result.checked == 5  # 4 kept + the prune's own event
    with services.db.read() as conn:
        assert conn.execute(select(func.min(audit_events.c.seq))).scalar_one() == 6
        last = conn.execute(select(audit_events.c.type).order_by(audit_events.c.seq.desc())).first()
    assert last.type == "auditor.prune"
    # a checkpoint from before the anchor cannot be compared, and says so; one at it can
    result = audit_checkpoints.verify_saved(services.db, services.keys, saved[0])
    assert result.ok and "retention anchor" in (result.reason or "")
    result = audit_checkpoints.verify_saved(services.db, services.keys, saved[1])
    assert result.ok and result.reason is None
    assert audit_jobs.prune(services).removed == 0


def test_an_anchor_moved_by_hand_is_caught(chain: Any) -> None:
    with chain.db.read() as conn:
        hash4 = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 4)).scalar_one()
    sql(chain, delete(audit_events).where(audit_events.c.seq <= 4))
    sql(chain, update(audit_head).values(anchor_seq=4, anchor_hash=hash4))
    result = check(chain)
    assert (result.ok, result.first_bad_seq) == (False, 5)


def test_pruning_refuses_to_remove_tampered_events(chain: Any) -> None:
    sql(chain, update(audit_events).where(audit_events.c.seq == 2).values(type="turn"))
    with pytest.raises(PruneRefused, match="event 2"):
        audit_jobs.prune(chain, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert check(chain).first_bad_seq == 2


def test_concurrent_appends_make_one_gapless_chain(services: Any) -> None:
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            for i in range(50):
                with services.db.begin() as conn:
                    services.audit.append(conn, "turn", {"worker": name, "i": i}, Actor(device_id=name))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with services.db.read() as conn:
        seqs = conn.execute(select(audit_events.c.seq).order_by(audit_events.c.seq)).scalars().all()
    assert seqs == list(range(1, 201))
    result = check(services)
    assert (result.ok, result.checked, result.head_seq) == (True, 200, 200)


def test_verify_walks_more_than_one_batch(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from banking.audit import verify as audit_verify

    monkeypatch.setattr(audit_verify, "BATCH", 7)
    append(services, 30)
    assert check(services).ok
    sql(services, update(audit_events).where(audit_events.c.seq == 22).values(detail='{"i":0}'))
    assert check(services).first_bad_seq == 22
