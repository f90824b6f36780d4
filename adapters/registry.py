"""Finds partner adapters through the `couchbank.adapters` entry-point group.

A partner ships its adapter in its own package and declares it under that group; a
plugin that fails to import, or that does not declare its bank's catalogue entry under
its own name, is logged and skipped so one broken partner cannot take the whole service
down (the keyring pattern). `catalogue()` is every installed bank, read from the adapter
classes without constructing one (CONTRACT §10).
"""
from __future__ import annotations

import logging
import re
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from adapters.base import BankInfo, PartnerAdapter
from adapters.credentials import partner_credentials

GROUP = "couchbank.adapters"
#: a code also names an environment variable (`COUCHBANK_<CODE>_URL`) and files under the data dir
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
log = logging.getLogger(__name__)


def _load(ep: EntryPoint) -> type[PartnerAdapter] | None:
    try:
        cls = ep.load()
    except Exception:  # any import-time failure of a third-party plugin
        log.warning("partner adapter %r could not be loaded; skipped", ep.name, exc_info=True)
        return None
    if not (isinstance(cls, type) and issubclass(cls, PartnerAdapter)):
        log.warning("partner adapter %r is not a PartnerAdapter; skipped", ep.name)
        return None
    bank = getattr(cls, "bank", None)
    if not (isinstance(bank, BankInfo) and bank.code == ep.name and _CODE.fullmatch(bank.code)):
        log.warning("partner adapter %r declares no catalogue entry with that code; skipped", ep.name)
        return None
    return cls


def available() -> dict[str, type[PartnerAdapter]]:
    """Every loadable adapter, by entry-point name."""
    found: dict[str, type[PartnerAdapter]] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in found:
            continue  # the same distribution seen twice on sys.path
        cls = _load(ep)
        if cls is not None:
            found[ep.name] = cls
    return found


def catalogue() -> tuple[BankInfo, ...]:
    """The installed banks, ordered by code (a stable order for speech and the spec)."""
    return tuple(sorted((cls.bank for cls in available().values()), key=lambda bank: bank.code))


def clearing_codes() -> dict[str, str]:
    """Each installed bank's KFTC standard code, by couchbank's code: how a partner's wire
    format names the payee's bank. A bank without one cannot be paid from another bank."""
    return {bank.code: bank.clearing_code for bank in catalogue() if bank.clearing_code}


def create(name: str, *, base_url: str, timeout_s: float, data_dir: Path) -> PartnerAdapter:
    """An adapter for partner `name`, with its credentials looked up for `data_dir`."""
    try:
        cls = available()[name]
    except KeyError:
        raise LookupError(f"no partner adapter named {name!r} in {GROUP!r}") from None
    credentials = partner_credentials(name, data_dir, cls.bank.credentials)
    return cls(base_url=base_url, timeout_s=timeout_s, credentials=credentials)
