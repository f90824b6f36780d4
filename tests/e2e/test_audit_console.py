"""The auditors' console in a real headless Chromium against a real server."""
from __future__ import annotations

import json
import os
from typing import Any

import pytest

from banking.audit.trail import Actor

CHROMIUM = "/usr/lib/chromium/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser() -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_sign_in_filter_open_verify_and_export(live_app_factory: Any, browser: Any, tmp_path: Any) -> None:
    app, url = live_app_factory()
    services = app.extensions["couchbank"]
    with services.db.begin() as conn:
        for user, payee, amount in (("demo", "엄마", 50000), ("kim", "아빠", 70000), ("demo", "김철수", 30000)):
            services.audit.append(conn, "transfer.pending", {"amount": amount, "payee": payee}, Actor(user_id=user))
            services.audit.append(conn, "transfer.completed", {"amount": amount, "payee": payee}, Actor(user_id=user))
        services.audit.append(conn, "turn", {"intent": "balance"}, Actor(user_id="demo"))

    page = browser.new_page(accept_downloads=True)
    page.goto(f"{url}/audit/")
    page.get_by_label("Auditor token").fill("demo-auditor-token")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Events", level=1).wait_for()

    page.get_by_label("User").fill("demo")
    page.get_by_label("Type").fill("transfer.")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 4
    assert all("transfer." in text for text in rows.locator("td:nth-child(3)").all_inner_texts())
    assert "엄마" in rows.first.inner_text()

    page.get_by_role("link", name="Open event 1").click()
    page.get_by_role("heading", name="Event 1: transfer.pending").wait_for()
    assert '"payee": "엄마"' in page.locator("pre").inner_text()

    page.get_by_role("link", name="Verify").click()
    page.get_by_role("button", name="Run verify").click()
    status = page.get_by_role("status")
    status.get_by_text("OK").wait_for()
    assert "intact" in status.inner_text()

    page.go_back()
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="JSON Lines").click()
    path = tmp_path / "export.jsonl"
    download_info.value.save_as(path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(e["user_id"], e["type"]) for e in lines] == [("demo", "transfer.pending"), ("demo", "transfer.completed")] * 2
    assert lines[0]["detail"] == {"amount": 50000, "payee": "엄마"}

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()


def test_checkpoints_are_listed_and_a_kept_one_verifies(live_app_factory: Any, browser: Any) -> None:
    from sqlalchemy import delete, select, update

    from banking.audit import jobs as audit_jobs
    from banking.platform.store.tables import audit_checkpoints, audit_events, audit_head

    app, url = live_app_factory()
    services = app.extensions["couchbank"]
    with services.db.begin() as conn:
        for i in range(6):
            services.audit.append(conn, "turn", {"i": i}, Actor(user_id="demo"))
    kept = audit_jobs.checkpoint(services)

    page = browser.new_page()
    page.goto(f"{url}/audit/verify")
    page.get_by_label("Auditor token").fill("demo-auditor-token")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Verify").click()
    table = page.locator("#checkpoints")
    assert table.locator("tbody tr").first.locator("th").inner_text() == str(kept.seq)
    assert kept.key_id in table.inner_text()
    page.get_by_text(f"Checkpoint {kept.seq}", exact=True).click()
    copied = json.loads(page.get_by_label(f"Checkpoint {kept.seq} as JSON").inner_text())
    assert copied == kept.as_dict()

    status = page.get_by_role("status")
    page.get_by_label("Kept checkpoint (JSON)").fill(json.dumps(copied))
    page.get_by_role("button", name="Verify against it").click()
    status.get_by_text("OK").wait_for()

    # the tail is cut, the head rewound and the checkpoint rows deleted: only the kept copy can tell
    with services.db.begin() as conn:
        conn.execute(delete(audit_checkpoints))
        conn.execute(delete(audit_events).where(audit_events.c.seq > kept.seq - 2))
        last = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == kept.seq - 2)).scalar_one()
        conn.execute(update(audit_head).values(seq=kept.seq - 2, hash=last))
    page.get_by_role("button", name="Verify against it").click()
    status.get_by_text("Broken").wait_for()
    assert f"broken at seq {kept.seq}" in status.inner_text()

    page.get_by_label("Kept checkpoint (JSON)").fill("{not json")
    page.get_by_role("button", name="Verify against it").click()
    status.get_by_text("Not verified").wait_for()
    assert "not JSON" in status.inner_text()
