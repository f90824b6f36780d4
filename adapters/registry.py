"""Finds partner adapters through the `couchbank.adapters` entry-point group.

A partner ships its adapter in its own package and declares it under that group; a
plugin that fails to import is logged and skipped so one broken partner cannot take
the whole service down (the keyring pattern).
"""
from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from adapters.base import PartnerAdapter
from adapters.credentials import partner_credentials

GROUP = "couchbank.adapters"
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


def create(name: str, *, base_url: str, timeout_s: float, data_dir: Path) -> PartnerAdapter:
    """An adapter for partner `name`, with its credentials looked up for `data_dir`."""
    try:
        cls = available()[name]
    except KeyError:
        raise LookupError(f"no partner adapter named {name!r} in {GROUP!r}") from None
    return cls(base_url=base_url, timeout_s=timeout_s, credentials=partner_credentials(name, data_dir))
