import logging
from importlib.metadata import EntryPoint

import pytest

from adapters import registry
from adapters.kbank import KBankAdapter
from adapters.woori import WooriAdapter


def test_built_in_adapters_are_found_through_entry_points():
    found = registry.available()
    assert found["kbank"] is KBankAdapter and found["woori"] is WooriAdapter


def test_broken_plugins_are_logged_and_skipped(monkeypatch, caplog):
    real = list(registry.entry_points(group=registry.GROUP))
    fakes = [
        EntryPoint(name="broken", value="no_such_module_anywhere:Adapter", group=registry.GROUP),
        EntryPoint(name="notanadapter", value="os.path:join", group=registry.GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda group: fakes + real)
    with caplog.at_level(logging.WARNING, logger="adapters.registry"):
        found = registry.available()
    assert set(found) == {ep.name for ep in real}
    assert "broken" in caplog.text and "notanadapter" in caplog.text


def test_create_builds_with_credentials_from_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("COUCHBANK_WOORI_APP_SECRET", raising=False)
    adapter = registry.create("woori", base_url="http://127.0.0.1:9", timeout_s=2, data_dir=tmp_path)
    assert isinstance(adapter, WooriAdapter)
    assert (tmp_path / "partners" / "woori.json").exists()
    adapter.close()


def test_unknown_adapter_is_a_lookup_error(tmp_path):
    with pytest.raises(LookupError):
        registry.create("nobank", base_url="http://x", timeout_s=1, data_dir=tmp_path)


class _Unlisted(KBankAdapter):
    """Declares another bank's entry under its own entry-point name."""


def test_the_catalogue_is_read_from_the_classes_ordered_by_code():
    catalogue = registry.catalogue()
    assert [b.code for b in catalogue] == sorted(registry.available())
    assert catalogue == tuple(registry.available()[b.code].bank for b in catalogue)
    assert {KBankAdapter.bank, WooriAdapter.bank} <= set(catalogue)
    offsets = {b.code: b.sandbox.port_offset for b in catalogue if b.sandbox}
    assert offsets["kbank"] == 1 and offsets["woori"] == 2  # CONTRACT §1
    assert len(set(offsets.values())) == len(offsets)  # one port each


def test_an_adapter_without_its_own_catalogue_entry_is_skipped(monkeypatch, caplog):
    real = list(registry.entry_points(group=registry.GROUP))
    fakes = [EntryPoint(name="other", value=f"{__name__}:_Unlisted", group=registry.GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: fakes + real)
    with caplog.at_level(logging.WARNING, logger="adapters.registry"):
        assert [b.code for b in registry.catalogue()] == sorted(ep.name for ep in real)
    assert "'other' declares no catalogue entry" in caplog.text
