"""`flask audit ...` and `flask auditors ...` through Flask's CLI runner."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from banking.audit.trail import Actor
from banking.platform.store.tables import audit_events, audit_head


def seed(services: Any, n: int = 6, at: dt.datetime | None = None) -> None:
    for i in range(n):
        with services.db.begin() as conn:
            services.audit.append(conn, "transfer.completed" if i % 2 else "turn", {"i": i, "payee": "김철수"},
                                  Actor(user_id="demo"), at=at + dt.timedelta(minutes=i) if at else None)


def test_verify_intact_and_broken(app: Any, services: Any) -> None:
    runner = app.test_cli_runner()
    seed(services)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output and "6 events" in result.output
    with services.db.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 4).values(detail='{"i":99}'))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "seq 4" in result.output


def test_checkpoint_file_then_verify_catches_a_truncated_tail(app: Any, services: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    seed(services)
    out = tmp_path / "checkpoint.json"
    result = runner.invoke(args=["audit", "checkpoint", "--out", str(out)])
    assert result.exit_code == 0
    saved = json.loads(out.read_text())
    assert set(saved) == {"seq", "hash", "at", "signature", "key_id", "public_key"} and saved["seq"] == 6
    assert runner.invoke(args=["audit", "verify", "--checkpoint", str(out)]).exit_code == 0
    with services.db.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq > 3))
        last = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 3)).scalar_one()
        conn.execute(update(audit_head).values(seq=3, hash=last))
    # the chain alone cannot tell; the checkpoint kept in the database and the one in the file can
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "broken at seq 6" in result.output
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 1 and "broken at seq 6" in result.output


def test_export_jsonl_csv_and_time_window(app: Any, services: Any) -> None:
    runner = app.test_cli_runner()
    seed(services, 4, at=dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))
    result = runner.invoke(args=["audit", "export"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0 and [e["seq"] for e in lines] == [1, 2, 3, 4]
    assert lines[0]["detail"]["payee"] == "김철수"
    result = runner.invoke(args=["audit", "export", "--format", "csv", "--since", "2025-03-01T09:01:00Z",
                                 "--until", "2025-03-01T09:03:00"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["seq"] for r in rows] == ["2", "3"]
    assert runner.invoke(args=["audit", "export", "--since", "not-a-time"]).exit_code == 2


def test_prune_keeps_verify_green(app: Any, services: Any) -> None:
    runner = app.test_cli_runner()
    seed(services, 3, at=dt.datetime(2019, 1, 1, tzinfo=dt.UTC))
    seed(services, 2)
    result = runner.invoke(args=["audit", "prune"])
    assert result.exit_code == 0 and "removed 3 events" in result.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "prune", "--before", "2999-01-01T00:00:00Z"])
    assert "removed 3 events" in result.output  # the 2 new ones and the first prune's record
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_auditors_add_list_revoke(app: Any, client: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["auditors", "add", "kim-auditor"])
    token = result.output.strip()
    assert result.exit_code == 0 and len(token) >= 32
    assert client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert runner.invoke(args=["auditors", "add", "kim-auditor"]).exit_code == 1
    listing = runner.invoke(args=["auditors", "list"]).output
    assert "kim-auditor" in listing and "demo-auditor" in listing and token not in listing
    assert runner.invoke(args=["auditors", "revoke", "kim-auditor"]).exit_code == 0
    assert "revoked" in runner.invoke(args=["auditors", "list"]).output
    assert runner.invoke(args=["auditors", "revoke", "kim-auditor"]).exit_code == 1
    assert client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {token}"}).status_code == 401
