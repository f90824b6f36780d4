"""Transfers: when a send may start and when the last one did

`send_by` is the last moment a send of the transfer may begin; `send_started_at` is when the
latest send began (NULL: none ever did). The reconciler believes a bank's "not found" only
from what these say (see `banking.transfers.send`, "The exactly-once rule"). Transfers written
before this revision get `send_started_at = created_at`, the old rule's assumption.

Revision ID: 0003
Revises: 0002

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("transfers") as batch_op:
        batch_op.add_column(sa.Column("send_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
    # a transfer from before this revision may have been sent at any time since it was made
    op.execute("UPDATE transfers SET send_started_at = created_at, send_by = created_at")


def downgrade() -> None:
    with op.batch_alter_table("transfers") as batch_op:
        batch_op.drop_column("send_started_at")
        batch_op.drop_column("send_by")
