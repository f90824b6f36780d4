"""`mirae` is a partner only through its own distribution's entry points (CONTRACT §10). The
registry is built from the installed metadata as it is, and again with `couchbank-mirae`'s
entry points left out (nothing is installed or uninstalled while the tests run): with them,
Mirae is heard, spoken, in the schemas and readiness, and the demo holds its CMA; without
them, none of that mentions it, and the demo works with two banks."""
from __future__ import annotations

import json
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, Iterator

import pytest

from adapters import registry
from adapters.memory import MemoryAdapter
from adapters.sandbox import banks as sandbox_banks
from app import create_app
from banking import bootstrap
from banking.core import speech
from banking.core.dialog import Reply
from banking.core.nlu import parse
from banking.demo.seed import seed_demo_if_empty
from banking.platform import config
from banking.platform.partners import Partners
from banking.platform.services import EXTENSION
from tests.support import Device, flask_transport

DISTRIBUTION = "couchbank-mirae"
pytestmark = pytest.mark.skipif("mirae" not in registry.available(),
                                reason="the couchbank-mirae package is not installed")


def _not_mirae(eps: Any) -> list[EntryPoint]:
    return [ep for ep in eps if ep.dist is None or ep.dist.name != DISTRIBUTION]


@pytest.fixture
def without_mirae(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The installed metadata minus the `couchbank-mirae` distribution's entry points."""
    real_adapters, real_sandboxes = registry.entry_points, sandbox_banks.entry_points
    monkeypatch.setattr(registry, "entry_points", lambda group: _not_mirae(real_adapters(group=group)))
    monkeypatch.setattr(sandbox_banks, "entry_points", lambda group: _not_mirae(real_sandboxes(group=group)))
    sandbox_banks.dialects.cache_clear()
    bootstrap.install_banks()
    yield
    monkeypatch.undo()
    sandbox_banks.dialects.cache_clear()
    bootstrap.install_banks()  # the catalogue of what is really installed, for later tests


def _app(tmp_path: Path) -> Any:
    """The service over in-memory partners for every bank the registry finds, demo seeded."""
    settings = config.load({"COUCHBANK_DATA_DIR": str(tmp_path / "data"), "COUCHBANK_BACKGROUND": "0",
                            "DATABASE_URL": f"sqlite:///{tmp_path / 'couchbank.sqlite3'}"})
    partners = Partners({bank.code: MemoryAdapter(bank.code) for bank in registry.catalogue()})
    app = create_app(settings, partners=partners)
    seed_demo_if_empty(app.extensions[EXTENSION])
    return app


def _balances(device: Device) -> dict[str, int]:
    assert device.turn("잔액 알려줘", new=True)["awaiting"] == "pin"
    reply = device.turn("4826")
    assert reply["status"] == "completed", reply
    return {a["bank"]: a["balance"] for a in reply["data"]["accounts"]}


def test_mirae_comes_from_its_own_distribution() -> None:
    (ep,) = [ep for ep in registry.entry_points(group=registry.GROUP) if ep.name == "mirae"]
    assert ep.dist is not None and ep.dist.name == DISTRIBUTION and ep.value == "couchbank_mirae.adapter:MiraeAdapter"
    (sandbox,) = [ep for ep in sandbox_banks.entry_points(group=sandbox_banks.GROUP) if ep.name == "mirae"]
    assert sandbox.dist is not None and sandbox.dist.name == DISTRIBUTION
    mirae = registry.available()["mirae"].bank
    assert mirae.sandbox is not None and mirae.sandbox.port_offset == 3  # python app.py: P+3
    assert (mirae.account_groups, mirae.clearing_code) == ((4, 4, 2), "238")


def test_with_mirae_it_is_known_everywhere(tmp_path: Path) -> None:
    assert [bank.code for bank in registry.catalogue()] == ["kbank", "mirae", "woori"]
    assert "mirae" in sandbox_banks.dialects()
    said = parse("미래에셋에서 엄마한테 3만원 보내줘")
    assert (said.intent, said.slots.bank, said.slots.amount, said.slots.payee) == ("transfer", "mirae", 30_000, "엄마")
    asked = parse("my Mirae balance")
    assert (asked.intent, asked.slots.bank) == ("balance", "mirae")
    assert "미래에셋증권" in speech.sentence(Reply("ask_bank"), "ko-KR").text
    assert "Mirae Asset" in speech.sentence(Reply("ask_bank"), "en-US").text

    app = _app(tmp_path)
    client = app.test_client()
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    assert "mirae" in schemas["Slots"]["properties"]["bank"]["enum"]
    assert "mirae" in client.get("/readyz").get_json()["checks"]

    device = Device(flask_transport(client))
    assert _balances(device) == {"kbank": 1_250_000, "woori": 3_400_000, "mirae": 5_000_000}
    reply = device.turn("my Mirae balance", new=True)
    reply = device.turn("4826") if reply["awaiting"] == "pin" else reply
    assert reply["data"]["accounts"] == [{"bank": "mirae", "name": "미래에셋 CMA-RP", "number_masked": "***-***-5678",
                                          "balance": 5_000_000, "currency": "KRW"}]
    reply = device.turn("미래에셋에서 엄마한테 3만원 보내줘", new=True)
    assert reply["awaiting"] == "pin" and reply["slots"]["bank"] == "mirae"
    assert "미래에셋증권 계좌에서" in reply["speech"] and "예금주 박*영" in reply["speech"]
    reply = device.turn("4826")
    assert reply["status"] == "completed" and reply["data"]["bank"] == "mirae", reply
    app.extensions[EXTENSION].close()


def test_without_mirae_nothing_mentions_it_and_the_demo_works_with_two_banks(tmp_path: Path,
                                                                              without_mirae: None) -> None:
    assert [bank.code for bank in registry.catalogue()] == ["kbank", "woori"]
    assert set(sandbox_banks.dialects()) == {"kbank", "woori"}
    assert set(config.load({}).partner_urls) == {"kbank", "woori"}
    assert parse("미래에셋에서 엄마한테 3만원 보내줘").slots.bank is None
    assert parse("my Mirae balance").slots.bank is None
    for locale in ("ko-KR", "en-US"):
        text = speech.sentence(Reply("ask_bank"), locale).text
        assert "미래" not in text and "Mirae" not in text

    app = _app(tmp_path)
    client = app.test_client()
    spec = client.get("/openapi.json").get_data(as_text=True)
    assert "mirae" not in spec.lower() and "미래" not in spec
    schemas = json.loads(spec)["components"]["schemas"]
    assert schemas["Slots"]["properties"]["bank"]["enum"] == ["kbank", "woori", None]
    assert set(client.get("/readyz").get_json()["checks"]) == {"database", "kbank", "woori"}

    device = Device(flask_transport(client))
    assert _balances(device) == {"kbank": 1_250_000, "woori": 3_400_000}
    reply = device.turn("엄마한테 3만원 보내줘", new=True)
    assert reply["awaiting"] == "pin" and "예금주 박*영" in reply["speech"]
    assert device.turn("4826")["status"] == "completed"
    app.extensions[EXTENSION].close()
