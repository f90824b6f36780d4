"""One data layer over SQLite (embedded default) and PostgreSQL (scale-out), with SQLAlchemy
Core: plain SQL expressions, explicit transactions, no ORM session to fight a unit of work."""
from __future__ import annotations

from banking.platform.store.database import FIRST_WRITE, HELD_READ, Database, FirstWrite, HeldRead, insert_ignore

__all__ = ["FIRST_WRITE", "HELD_READ", "Database", "FirstWrite", "HeldRead", "insert_ignore"]
