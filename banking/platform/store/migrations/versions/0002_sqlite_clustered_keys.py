"""SQLite: audit events keyed by the rowid, nonces stored in their key

On SQLite only a column declared exactly INTEGER PRIMARY KEY is the table's rowid; the
BIGINT key of 0001 gave audit_events a second B-tree that every append also wrote. Nonces
are looked up only by their key, so they live in it (WITHOUT ROWID) instead of in a table
plus an index. PostgreSQL keeps its schema: nothing changes there.

Revision ID: 0002
Revises: 0001

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("audit_events", recreate="always") as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=False, autoincrement=False)
    with op.batch_alter_table("nonces", recreate="always", table_kwargs={"sqlite_with_rowid": False}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("nonces", recreate="always", table_kwargs={"sqlite_with_rowid": True}):
        pass
    with op.batch_alter_table("audit_events", recreate="always") as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=False, autoincrement=False)
