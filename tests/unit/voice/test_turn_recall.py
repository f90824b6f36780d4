"""Calling a held transfer back through the turn, against the in-memory unit of work: the
read-back, then the cancel in one commit with the conversation (CONTRACT §8)."""
from __future__ import annotations

import dataclasses
import datetime as dt

from banking.audit.trail import Actor
from banking.core.dialog import Recall
from banking.platform.services import Services
from banking.transfers import Transfer
from tests.unit.voice.test_turn import NOW, FakeUnitOfWork, _known, services, turn  # noqa: F401 (fixture)

HELD = Transfer(id="tr_" + "1" * 32, user_id="demo", from_bank="kbank", from_account_enc=b"", from_last4="6789",
                payee="엄마", to_bank="woori", to_account_enc=b"", to_last4="4321", amount=50_000, status="held",
                idempotency_key="k1", day="2026-03-02", attempts=0, last_outcome=None, created_at=NOW,
                send_by=None, send_started_at=None, release_at=NOW + dt.timedelta(hours=3))


class HeldUnitOfWork(FakeUnitOfWork):
    def __init__(self, released_first: bool = False) -> None:
        super().__init__(_known())
        self.held = HELD
        self.released_first = released_first

    def recall_facts(self, user_id: str) -> Recall | None:
        h = self.held
        return Recall(h.id, h.status, h.amount, h.payee, h.from_bank, h.release_at)

    def cancel_transfer(self, transfer_id: str, user_id: str, actor: Actor) -> Transfer:
        assert transfer_id == self.held.id
        status = "pending" if self.released_first else "cancelled"
        self.held = dataclasses.replace(self.held, status=status)
        if status == "cancelled":
            self.events.append(("transfer.cancelled", {"transfer_id": transfer_id}, actor))
        return self.held


def test_read_back_then_cancel_in_one_commit(services: Services) -> None:  # noqa: F811
    uow = HeldUnitOfWork()
    asked = turn(services, uow, "방금 보낸 거 취소해줘")
    assert (asked.intent, asked.status, asked.awaiting) == ("transfer", "in_progress", "pin")
    assert "오후 1시 15분" in asked.speech and "5만 원" in asked.speech and "엄마" in asked.speech
    done = turn(services, uow, "4826", asked.session_id)
    assert (done.intent, done.status, done.data["status"]) == ("transfer", "completed", "cancelled")
    assert "취소했" in done.speech
    types = [type_ for type_, _, _ in uow.events]  # the cancel is in the conversation's commit
    assert types[-3:] == ["auth.pin.ok", "transfer.cancelled", "turn"]


def test_released_first_says_it_was_sent(services: Services) -> None:  # noqa: F811
    uow = HeldUnitOfWork(released_first=True)
    asked = turn(services, uow, "cancel that transfer")
    done = turn(services, uow, "4826", asked.session_id)
    assert (done.status, done.data["status"]) == ("completed", "pending")
    assert "already been sent" in done.speech
