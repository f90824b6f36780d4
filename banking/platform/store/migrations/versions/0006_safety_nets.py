"""Held transfers, payee registration dates, holding per user and notices (CONTRACT §8)

Payees registered before this revision get a registration date 30 days before the upgrade:
they were known long before the 72-hour rule existed, so transfers to them are not held.

Revision ID: 0006
Revises: 0005

"""
import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("hold_minutes", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("payees") as batch_op:
        batch_op.add_column(sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("transfers") as batch_op:
        batch_op.add_column(sa.Column("release_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("notify_settled", sa.Boolean(), nullable=False, server_default="0"))
        batch_op.create_index("ix_transfers_held", ["status", "release_at"])
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    payees = sa.table("payees", sa.column("registered_at", sa.DateTime(timezone=True)))
    op.execute(payees.update().where(payees.c.registered_at.is_(None)).values(registered_at=old))
    op.create_table(
        "notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("speech", sa.Text(), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("transfer_id", sa.String(40)),
        sa.PrimaryKeyConstraint("id", name="pk_notices"),
    )
    op.create_index("ix_notices_user_id", "notices", ["user_id", "id"])
    op.create_index("ix_notices_at", "notices", ["at"])


def downgrade() -> None:
    # SQLite drops a column in place: recreating a table that others reference trips their
    # foreign keys
    op.drop_table("notices")
    with op.batch_alter_table("transfers") as batch_op:
        batch_op.drop_index("ix_transfers_held")
        batch_op.drop_column("notify_settled")
        batch_op.drop_column("release_at")
    with op.batch_alter_table("payees", recreate="never") as batch_op:
        batch_op.drop_column("registered_at")
    with op.batch_alter_table("users", recreate="never") as batch_op:
        batch_op.drop_column("hold_minutes")
