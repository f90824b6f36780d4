"""One data layer over SQLite (embedded default) and PostgreSQL (scale-out), with SQLAlchemy
Core: plain SQL expressions, explicit transactions, no ORM session to fight a unit of work."""
from __future__ import annotations

from banking.platform.store.database import Database, insert_ignore
from banking.platform.store.unit_of_work import Spend, UnitOfWork

__all__ = ["Database", "Spend", "UnitOfWork", "insert_ignore"]
