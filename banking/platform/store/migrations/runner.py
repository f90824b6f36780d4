"""Alembic, driven from code: the service upgrades its own schema at start-up."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from banking.platform.security.keys import Keyring

HERE = Path(__file__).parent


def config(connection: Connection | None = None, keys: Keyring | None = None) -> Config:
    """`keys` reach the data migrations that encrypt (revision 0004), as `attributes["keys"]`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    cfg.attributes["keys"] = keys
    return cfg


def upgrade(connection: Connection, revision: str = "head", *, keys: Keyring | None = None) -> None:
    cfg = config(connection, keys)
    command.upgrade(cfg, revision)
    if cfg.attributes.get("truncate_wal"):
        _truncate_wal(connection)


def _truncate_wal(connection: Connection) -> None:
    # a migration that replaced secrets in place asked for it: SQLite's log keeps the pages
    # as they were before (old rows in clear) until it is truncated; it runs outside any
    # transaction, on the driver's connection, once the migration has committed
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
