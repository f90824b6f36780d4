"""Conversation comforts: remembered speech rate, last reply for repeat (CONTRACT §9)

Revision ID: 0008
Revises: 0007

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("speech_rate", sa.String(8), nullable=False, server_default="normal"))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("last_reply", sa.Text(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35+) drops a plain column in place: recreating `users` would break the
    # foreign keys that point at it
    with op.batch_alter_table("sessions", recreate="never") as batch:
        batch.drop_column("last_reply")
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("speech_rate")
