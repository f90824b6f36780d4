"""The one place couchbank is wired together (cosmicpython's `bootstrap`).

`build(settings)` makes a process's services: the database, the keys, the audit trail, the
partner adapters from the registry, and the background jobs; first it installs the catalogue
of the installed banks (`install_banks`), which speech, understanding, schemas and enrolment
read. `init_app(app, services)` puts the HTTP platform on the Flask app, then each feature's
blueprints and commands (`banking/<feature>/wiring.py`), in an order that keeps `openapi.yaml`
stable.

One turn's path: `voice.api` (the device's signature, `auth.device_auth`) → `voice.turn`
(understanding and dialog from `core`, reads through `voice.reads`, a transfer through
`transfers`) → `audit.trail`, in the turn's commit."""
from __future__ import annotations

from flask import Flask

from adapters import registry
from banking import transfers
from banking.assistants import wiring as assistants_wiring
from banking.audit import jobs as audit_jobs, wiring as audit_wiring
from banking.audit.trail import AuditTrail
from banking.auth import nonces, wiring as auth_wiring
from banking.core import banks
from banking.core.nlu.cli import nlu
from banking.demo import wiring as demo_wiring
from banking.notices import jobs as notices_jobs, wiring as notices_wiring
from banking.platform import http
from banking.platform.config import Settings
from banking.platform.partners import Partners
from banking.platform.security.keys import Keyring, load_master_key
from banking.platform.services import EXTENSION, Services
from banking.platform.store import Database
from banking.platform.workers import Job
from banking.transfers import wiring as transfers_wiring
from banking.voice import wiring as voice_wiring


def install_banks() -> banks.Catalogue:
    """The banks of the installed adapters, as the core reads them (CONTRACT §10)."""
    return banks.install(banks.Catalogue(registry.catalogue()))


def build(settings: Settings, *, partners: Partners | None = None) -> Services:
    install_banks()
    keys = Keyring(lambda: load_master_key(settings.data_dir))
    if partners is None:
        partners = Partners(lambda: {
            name: registry.create(name, base_url=url, timeout_s=settings.adapter_timeout_s,
                                  data_dir=settings.data_dir)
            for name, url in settings.partner_urls.items()
        })
    services = Services(settings=settings, db=Database(settings.database_url), keys=keys,
                        audit=AuditTrail(lambda: keys.audit_chain), partners=partners)
    services.jobs = jobs(services)
    return services


def jobs(services: Services) -> list[Job]:
    """What every service process runs in the background; each claims its work in the
    database, so any number of processes may run them."""
    return [
        # also the first thing after a restart: pending transfers are settled by asking the bank
        Job("reconcile", services.settings.reconcile_every_s, lambda: transfers.reconcile_once(services)),
        Job("prune-nonces", 60.0, lambda: nonces.prune_nonces(services)),
        Job("audit-checkpoint", services.settings.checkpoint_every_s, lambda: audit_jobs.checkpoint(services)),
        Job("audit-retention", 86400.0, lambda: audit_jobs.prune(services)),
        # held transfers that are due go out through the same exactly-once path as any other
        Job("release-held", services.settings.release_every_s, lambda: transfers.release_due(services)),
        Job("prune-notices", 3600.0, lambda: notices_jobs.prune(services)),
    ]


def init_app(app: Flask, services: Services) -> None:
    app.extensions[EXTENSION] = services
    api = http.init_app(app)
    for feature in (voice_wiring, transfers_wiring, audit_wiring, auth_wiring, demo_wiring, notices_wiring,
                    assistants_wiring):
        feature.init_app(app, api)
    app.cli.add_command(nlu)
    app.before_request(services.ensure_ready)
