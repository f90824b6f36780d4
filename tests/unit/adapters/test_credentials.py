import json
import multiprocessing
import stat

from adapters.credentials import partner_credentials


def test_file_is_made_once_with_mode_0600(tmp_path, monkeypatch):
    for var in ("COUCHBANK_KBANK_CLIENT_ID", "COUCHBANK_KBANK_CLIENT_SECRET", "COUCHBANK_KBANK_ORG_CODE"):
        monkeypatch.delenv(var, raising=False)
    first = partner_credentials("kbank", tmp_path)
    path = tmp_path / "partners" / "kbank.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {"client_id", "client_secret", "org_code"} and all(first.values())
    assert partner_credentials("kbank", tmp_path) == first == json.loads(path.read_text())
    assert [p.name for p in path.parent.iterdir()] == ["kbank.json"]  # no temporary files left


def test_environment_wins_field_by_field(tmp_path, monkeypatch):
    monkeypatch.setenv("COUCHBANK_WOORI_APP_KEY", "key-from-env")
    monkeypatch.delenv("COUCHBANK_WOORI_APP_SECRET", raising=False)
    creds = partner_credentials("woori", tmp_path)
    assert creds["app_key"] == "key-from-env" and creds["app_secret"]
    monkeypatch.setenv("COUCHBANK_WOORI_APP_SECRET", "secret-from-env")
    assert partner_credentials("woori", tmp_path / "other") == {"app_key": "key-from-env",
                                                                 "app_secret": "secret-from-env"}
    assert not (tmp_path / "other").exists()  # nothing to store when the environment has it all


def test_other_banks_get_client_credentials(tmp_path):
    assert set(partner_credentials("acme", tmp_path)) == {"client_id", "client_secret"}


def _read(path):
    return partner_credentials("woori", path)


def test_processes_starting_together_agree(tmp_path, monkeypatch):
    monkeypatch.delenv("COUCHBANK_WOORI_APP_KEY", raising=False)
    monkeypatch.delenv("COUCHBANK_WOORI_APP_SECRET", raising=False)
    with multiprocessing.get_context("fork").Pool(6) as pool:
        results = pool.map(_read, [tmp_path] * 12)
    assert all(r == results[0] for r in results)
