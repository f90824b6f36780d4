"""The partner calls of a unit of work: logged once each, by whoever drains them for the
audit trail, and still logged when they end after the last drain (a read that outlived its
turn's budget)."""
from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

from banking.platform.logs import configure, json_formatter
from banking.platform.partners import CallLog, PartnerCall


def _capture() -> tuple[logging.Handler, io.StringIO]:
    configure(logging.DEBUG, stream=io.StringIO())  # through the standard library, as the app does
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(json_formatter())
    logging.getLogger().addHandler(handler)
    return handler, buffer


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in map(json.loads, buffer.getvalue().splitlines()) if line["event"] == "partner_call"]


def _call(bank: str) -> PartnerCall:
    return PartnerCall(bank, "balance", "ok", 1.0)


def test_calls_are_logged_when_drained_and_drained_once() -> None:
    handler, buffer = _capture()
    try:
        with CallLog() as calls:
            workers = [threading.Thread(target=calls.add, args=(_call(bank),)) for bank in ("kbank", "woori")]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            assert _lines(buffer) == []  # the pool threads logged nothing
            drained = calls.drain()
            assert sorted(c.adapter for c in drained) == ["kbank", "woori"]
            assert calls.drain() == []
        assert sorted(line["adapter"] for line in _lines(buffer)) == ["kbank", "woori"]
    finally:
        logging.getLogger().removeHandler(handler)


def test_undrained_calls_are_logged_on_close_and_late_calls_log_themselves() -> None:
    handler, buffer = _capture()
    try:
        with CallLog() as calls:
            calls.add(_call("kbank"))
        assert [line["adapter"] for line in _lines(buffer)] == ["kbank"]
        calls.add(_call("woori"))  # ended after its turn was over
        assert [line["adapter"] for line in _lines(buffer)] == ["kbank", "woori"]
        assert calls.drain() == []
    finally:
        logging.getLogger().removeHandler(handler)
