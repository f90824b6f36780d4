"""Payees' account holders, for the recipient check (CONTRACT §10)

`payees.holder_enc`: the holder's name, sealed like the account numbers
(`banking.platform.security.holder_names`). The demo household's payees (CONTRACT §2) get
the holders CONTRACT §10 names, found by their user, name, bank and last four digits; that
needs the keyring, which `Database.migrate` hands over as revision 0004's conversion does.
Other payees keep none until re-enrolled with `--holder`: the check then reads back the name
the payee's bank gives, with nothing registered to compare it with.

Revision ID: 0005
Revises: 0004

"""
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import context, op

from banking.platform.security import holder_names

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: (user, payee, bank, last four digits) -> holder: the demo payees as this revision knew them
_DEMO_HOLDERS = {
    ("demo", "엄마", "woori", "4321"): "박미영",
    ("demo", "아빠", "kbank", "0111"): "김영수",
    ("demo", "김철수", "woori", "2333"): "김철수",
}


def _keys() -> Any:
    keys = context.config.attributes.get("keys")
    if keys is None:
        raise RuntimeError("revision 0005 seals the demo payees' holders and needs the keyring: "
                           "run it through Database.migrate(keys=...)")
    return keys


def upgrade() -> None:
    with op.batch_alter_table("payees") as batch_op:
        batch_op.add_column(sa.Column("holder_enc", sa.LargeBinary(), nullable=True))
    payees = sa.table("payees", sa.column("id", sa.Integer()), sa.column("user_id", sa.String()),
                      sa.column("name", sa.String()), sa.column("bank", sa.String()),
                      sa.column("last4", sa.String()), sa.column("holder_enc", sa.LargeBinary()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(payees).where(payees.c.user_id.in_({user for user, *_ in _DEMO_HOLDERS}))).all()
    for row in rows:
        holder = _DEMO_HOLDERS.get((row.user_id, row.name, row.bank, row.last4))
        if holder is not None:
            conn.execute(payees.update().where(payees.c.id == row.id).values(
                holder_enc=holder_names.seal(_keys(), row.user_id, row.name, holder)))


def downgrade() -> None:
    with op.batch_alter_table("payees") as batch_op:
        batch_op.drop_column("holder_enc")
