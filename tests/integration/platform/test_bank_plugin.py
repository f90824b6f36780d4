"""Adding a bank needs no edit in `banking/` (issue 15, CONTRACT §10): a fake partner package,
registered only through entry-point metadata (a `*.dist-info` on `sys.path`, nothing
installed), shows up in speech, understanding, the schemas, enrolment and readiness; without
it, it is absent everywhere."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from adapters import registry
from app import create_app
from banking import bootstrap
from banking.auth import enrolment
from banking.core import speech
from banking.core.dialog import Reply
from banking.core.nlu import parse
from banking.platform import config
from banking.platform.services import EXTENSION

PACKAGE = "couchbank_fake_toss"
#: the partners really installed (K-Bank, Woori, and `mirae` where its package is)
INSTALLED = [bank.code for bank in registry.catalogue()]
ADAPTER = '''
from adapters.base import BankInfo
from adapters.memory import MemoryAdapter

constructed = []


class TossAdapter(MemoryAdapter):
    bank = BankInfo(code="toss", name_ko="토스뱅크", name_en="Toss Bank",
                    spoken=("토스 뱅크", "토스 은행", "toss bank"), account_groups=(4, 4, 4))

    def __init__(self, *, base_url, timeout_s, credentials):
        constructed.append(base_url)
        super().__init__("toss", ledger=(("toss", "1000-2000-3000", "토스통장", "demo", 10_000),))
'''


@pytest.fixture
def fake_toss(tmp_path: Path) -> Iterator[Any]:
    site = tmp_path / "site"
    (site / PACKAGE).mkdir(parents=True)
    (site / PACKAGE / "__init__.py").write_text(ADAPTER, encoding="utf-8")
    meta = site / "couchbank_fake_toss-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: couchbank-fake-toss\nVersion: 1.0\n")
    (meta / "entry_points.txt").write_text(f"[{registry.GROUP}]\ntoss = {PACKAGE}:TossAdapter\n")
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(site))
        sys.modules.pop(PACKAGE, None)
        importlib.invalidate_caches()
        bootstrap.install_banks()  # the catalogue of what is really installed, for later tests


def _app(tmp_path: Path, **env: str) -> Any:
    settings = config.load({"COUCHBANK_DATA_DIR": str(tmp_path / "data"), "COUCHBANK_BACKGROUND": "0",
                            "DATABASE_URL": f"sqlite:///{tmp_path / 'couchbank.sqlite3'}",
                            # nothing listens there: readiness only has to name them
                            "COUCHBANK_KBANK_URL": "http://127.0.0.1:9", "COUCHBANK_WOORI_URL": "http://127.0.0.1:9",
                            **env})
    app = create_app(settings)
    app.extensions[EXTENSION].ensure_ready()
    return app


def _bank_enums(spec: dict[str, Any]) -> dict[str, list[Any]]:
    schemas = spec["components"]["schemas"]
    return {name: schemas[name]["properties"]["bank"]["enum"] for name in ("Slots", "Transfer")}


def _link_toss_account(app: Any) -> None:
    services = app.extensions[EXTENSION]
    with services.db.begin() as conn:
        enrolment.create_user(conn, "kim", "김하나")
        enrolment.link_account(conn, services.keys, "kim", "toss", "1000-2000-3000", "토스통장")


def test_a_bank_registered_through_entry_points_is_known_everywhere(tmp_path: Path, fake_toss: Any) -> None:
    app = _app(tmp_path, COUCHBANK_TOSS_URL="http://127.0.0.1:9")
    codes = [bank.code for bank in registry.catalogue()]
    assert codes == sorted([*INSTALLED, "toss"])
    assert fake_toss.constructed == []  # the catalogue is read from the class

    assert speech.bank_name("toss", "ko-KR") == "토스뱅크" and speech.bank_name("toss", "en-US") == "Toss Bank"
    assert "토스뱅크" in speech.sentence(Reply("ask_bank"), "ko-KR").text
    assert "Toss Bank" in speech.sentence(Reply("ask_bank"), "en-US").text

    assert parse("토스 뱅크에서 엄마한테 5만원 보내줘").slots.bank == "toss"
    assert parse("send 10,000 won to mom from my Toss Bank account").slots.bank == "toss"
    assert parse("엄마 토스뱅크 계좌로 3만원 보내줘").slots.payee == "엄마"

    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    assert _bank_enums(spec) == {"Slots": [*codes, None], "Transfer": codes}
    assert spec["components"]["schemas"]["Ready"]["properties"]["checks"]["example"] == {
        "database": "ok", **{code: "ok" for code in codes}}

    checks = client.get("/readyz").get_json()["checks"]
    assert checks["toss"] == "ok"  # in process: always reachable
    assert set(checks) == {"database", *codes}
    assert fake_toss.constructed == ["http://127.0.0.1:9"]  # the service's own, from COUCHBANK_TOSS_URL

    _link_toss_account(app)
    app.extensions[EXTENSION].close()


def test_without_the_package_the_bank_is_absent(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert [bank.code for bank in registry.catalogue()] == INSTALLED

    assert speech.bank_name("toss", "ko-KR") == "toss"
    assert "토스" not in speech.sentence(Reply("ask_bank"), "ko-KR").text
    assert parse("토스 뱅크에서 엄마한테 5만원 보내줘").slots.bank is None

    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    assert _bank_enums(spec) == {"Slots": [*INSTALLED, None], "Transfer": INSTALLED}
    assert set(client.get("/readyz").get_json()["checks"]) == {"database", *INSTALLED}

    with pytest.raises(enrolment.EnrolmentError, match=", ".join(INSTALLED)):
        _link_toss_account(app)
    app.extensions[EXTENSION].close()


def test_an_installed_partner_without_a_url_or_a_sandbox_is_a_configuration_error(fake_toss: Any) -> None:
    with pytest.raises(ValueError, match="COUCHBANK_TOSS_URL"):
        config.load({})
