"""Account numbers at rest: encrypted, with the last four digits in clear

`accounts.number`, `payees.number` and `transfers.from_account` / `to_account` become AES-GCM
ciphertexts (`banking.platform.security.account_numbers`, each bound to its row) beside their last four
digits. Existing rows are converted in place, which needs the keyring: `Database.migrate`
hands it over in the Alembic config's attributes (a database with no such rows needs none).

On SQLite, pages freed on the way are zeroed (`secure_delete`), and the upgrade asks the
runner to truncate the write-ahead log once it has committed, so that no old number is left
in the database's files.

The database can no longer hold one account linked twice by a unique constraint (the
ciphertexts of one number differ); enrolment refuses it instead.

Revision ID: 0004
Revises: 0003

"""
from typing import Any, Callable, Iterator, Sequence, Union

import sqlalchemy as sa
from alembic import context, op

from banking.platform.security import account_numbers

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_BATCH = 1000
_UNIQUE_ACCOUNT = "uq_accounts_user_id_bank_number"


class _Field:
    """One account-number column and what replaces it."""

    def __init__(self, plain: str, enc: str, four: str, context_of: Callable[[Any], str]) -> None:
        self.plain, self.enc, self.four, self.context_of = plain, enc, four, context_of


_TABLES: dict[str, tuple[tuple[str, ...], tuple[_Field, ...]]] = {
    "accounts": (("user_id", "bank"), (
        _Field("number", "number_enc", "last4", lambda r: account_numbers.account_context(r.user_id, r.bank)),)),
    "payees": (("user_id", "name"), (
        _Field("number", "number_enc", "last4", lambda r: account_numbers.payee_context(r.user_id, r.name)),)),
    "transfers": ((), (
        _Field("from_account", "from_account_enc", "from_last4",
               lambda r: account_numbers.transfer_context(r.id, "from_account")),
        _Field("to_account", "to_account_enc", "to_last4",
               lambda r: account_numbers.transfer_context(r.id, "to_account")))),
}


def _keys() -> Any:
    keys = context.config.attributes.get("keys")
    if keys is None:
        raise RuntimeError("revision 0004 encrypts existing account numbers and needs the keyring: "
                           "run it through Database.migrate(keys=...)")
    return keys


def _table(name: str) -> sa.TableClause:
    id_type = sa.String() if name == "transfers" else sa.Integer()
    context_columns, fields = _TABLES[name]
    columns = [sa.column("id", id_type), *(sa.column(c, sa.String()) for c in context_columns)]
    for f in fields:
        columns += [sa.column(f.plain, sa.String()), sa.column(f.enc, sa.LargeBinary()),
                    sa.column(f.four, sa.String())]
    return sa.table(name, *columns)


def _pages(conn: sa.Connection, table: sa.TableClause) -> Iterator[list[Any]]:
    """The table's rows in pages by key, so a large transfers table is never held whole."""
    last = None
    while True:
        query = sa.select(table).order_by(table.c.id).limit(_BATCH)
        rows = conn.execute(query if last is None else query.where(table.c.id > last)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _convert(name: str, step: Callable[[Any, Any, _Field], dict[str, Any]]) -> None:
    conn = op.get_bind()
    table = _table(name)
    fields = _TABLES[name][1]
    keys = None
    for rows in _pages(conn, table):
        keys = keys or _keys()
        values = [{"_id": r.id, **{k: v for f in fields for k, v in step(keys, r, f).items()}} for r in rows]
        conn.execute(sa.update(table).where(table.c.id == sa.bindparam("_id"))
                     .values({c: sa.bindparam(c, type_=table.c[c].type) for c in values[0] if c != "_id"}),
                     values)


def _seal(keys: Any, row: Any, field: _Field) -> dict[str, Any]:
    blob, four = account_numbers.seal(keys, getattr(row, field.plain), field.context_of(row))
    return {field.enc: blob, field.four: four}


def _unseal(keys: Any, row: Any, field: _Field) -> dict[str, Any]:
    return {field.plain: account_numbers.unseal(keys, getattr(row, field.enc), getattr(row, field.four),
                                                field.context_of(row))}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete=ON")
        context.config.attributes["truncate_wal"] = True
    for name, (_, fields) in _TABLES.items():
        with op.batch_alter_table(name) as batch_op:
            for f in fields:
                batch_op.add_column(sa.Column(f.enc, sa.LargeBinary(), nullable=True))
                batch_op.add_column(sa.Column(f.four, sa.String(4), nullable=True))
        _convert(name, _seal)
        with op.batch_alter_table(name) as batch_op:
            if name == "accounts":
                batch_op.drop_constraint(_UNIQUE_ACCOUNT, type_="unique")
            for f in fields:
                batch_op.drop_column(f.plain)
                batch_op.alter_column(f.enc, existing_type=sa.LargeBinary(), nullable=False)
                batch_op.alter_column(f.four, existing_type=sa.String(4), nullable=False)


def downgrade() -> None:
    for name, (_, fields) in _TABLES.items():
        with op.batch_alter_table(name) as batch_op:
            for f in fields:
                batch_op.add_column(sa.Column(f.plain, sa.String(32), nullable=True))
        _convert(name, _unseal)
        with op.batch_alter_table(name) as batch_op:
            for f in fields:
                batch_op.drop_column(f.enc)
                batch_op.drop_column(f.four)
                batch_op.alter_column(f.plain, existing_type=sa.String(32), nullable=False)
            if name == "accounts":
                batch_op.create_unique_constraint(_UNIQUE_ACCOUNT, ["user_id", "bank", "number"])
