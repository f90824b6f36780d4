"""The schema, as SQLAlchemy Core tables. Migrations under `migrations/` create it; this
module is what queries are written against."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _ts(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


users = Table(
    "users", metadata,
    Column("id", String(64), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("locale", String(10), nullable=False, server_default="ko-KR"),
    Column("pin_hash", String(64)),
    Column("totp_secret_enc", LargeBinary),
    # RFC 6238 §5.2: the last accepted time step; any code at or before it is refused
    Column("totp_last_step", BigInteger),
    Column("pin_failures", Integer, nullable=False, server_default="0"),
    _ts("locked_until", nullable=True),
    Column("otp_threshold", BigInteger, nullable=False, server_default="300000"),
    Column("per_transfer_limit", BigInteger, nullable=False, server_default="1000000"),
    Column("daily_limit", BigInteger, nullable=False, server_default="2000000"),
    _ts("created_at"),
    # CONTRACT §9: `slow` wraps every reply's SSML in <prosody rate="slow"> (`천천히 말해줘`)
    Column("speech_rate", String(8), nullable=False, server_default="normal"),
    # CONTRACT §8: every transfer of the user is held this many minutes (0: only new payees')
    Column("hold_minutes", Integer, nullable=False, server_default="0"),
)

devices = Table(
    "devices", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False, server_default=""),
    # the HMAC secret must be recoverable to verify signatures, so it is encrypted, not hashed
    Column("secret_enc", LargeBinary, nullable=False),
    _ts("created_at"),
    _ts("revoked_at", nullable=True),
)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("bank", String(32), nullable=False),
    # the whole number, encrypted (`banking.platform.security.account_numbers`); the last four in clear
    # for display and matching. One account linked twice is refused by enrolment, which can
    # compare the numbers: the ciphertexts of one number differ
    Column("number_enc", LargeBinary, nullable=False),
    Column("last4", String(4), nullable=False),
    Column("name", String(100), nullable=False),
    Column("is_primary", Boolean, nullable=False, server_default="0"),
)

payees = Table(
    "payees", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("aliases", Text, nullable=False, server_default="[]"),  # JSON list
    Column("bank", String(32), nullable=False),
    Column("number_enc", LargeBinary, nullable=False),  # as accounts.number_enc
    Column("last4", String(4), nullable=False),
    # CONTRACT §8: a transfer to a payee registered under 72 hours ago is held
    _ts("registered_at", nullable=True),
    # CONTRACT §10, the recipient check: the account holder's name, sealed like the number
    # (`banking.platform.security.holder_names`); null for a payee enrolled without one
    Column("holder_enc", LargeBinary, nullable=True),
    UniqueConstraint("user_id", "name"),
)

nonces = Table(
    "nonces", metadata,
    Column("device_id", String(64), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    _ts("seen_at"),
    Index("ix_nonces_device_seen", "device_id", "seen_at"),
    sqlite_with_rowid=False,  # looked up only by its key: the table is the key's B-tree
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("state", Text, nullable=False),  # JSON of dialog.State
    # optimistic concurrency: an update names the version it read
    Column("version", Integer, nullable=False, server_default="0"),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("verified_until", nullable=True),
    # CONTRACT §9: the last reply as sent ({"intent", "slots", ..., "data"}), for `다시 말해줘`
    Column("last_reply", Text, nullable=True),
    Index("ix_sessions_user", "user_id"),
)

transfers = Table(
    "transfers", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("session_id", String(64)),
    Column("device_id", String(64)),
    Column("from_bank", String(32), nullable=False),
    Column("from_account_enc", LargeBinary, nullable=False),  # as accounts.number_enc
    Column("from_last4", String(4), nullable=False),
    Column("payee", String(100), nullable=False),
    Column("to_bank", String(32), nullable=False),
    Column("to_account_enc", LargeBinary, nullable=False),
    Column("to_last4", String(4), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # pending -> completed | failed
    Column("idempotency_key", String(64), nullable=False),
    Column("bank_reference", String(64)),
    Column("failure_reason", String(200)),
    # what the last call to the bank said (ok | failed | unknown | retry_later): a throttled
    # transfer was never received, so it may be sent again with the same key
    Column("last_outcome", String(16)),
    Column("day", String(10), nullable=False),  # Asia/Seoul calendar day, for the daily limit
    Column("attempts", Integer, nullable=False, server_default="0"),
    _ts("next_check_at", nullable=True),
    Column("claimed_by", String(64)),
    _ts("claimed_until", nullable=True),
    # the exactly-once rule (`banking.transfers.send`): no send may begin after `send_by`, and a
    # bank's "not found" is believed only a send window after `send_started_at`
    _ts("send_by", nullable=True),
    _ts("send_started_at", nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    # CONTRACT §8 (`banking.transfers.hold`): a held transfer goes out at `release_at`; a
    # settlement the person was not there to hear of becomes a notice (`notify_settled`)
    _ts("release_at", nullable=True),
    Column("notify_settled", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("from_bank", "idempotency_key"),
    Index("ix_transfers_user_created", "user_id", "created_at"),
    Index("ix_transfers_pending", "status", "next_check_at"),
    Index("ix_transfers_held", "status", "release_at"),
)

daily_usage = Table(
    "daily_usage", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("total", BigInteger, nullable=False, server_default="0"),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    # retention pruning removes old events; verification starts from this anchor
    Column("anchor_seq", BigInteger, nullable=False, server_default="0"),
    Column("anchor_hash", String(64), nullable=False),
)

audit_events = Table(
    "audit_events", metadata,
    # on SQLite only INTEGER PRIMARY KEY is the rowid; BIGINT would add a second B-tree
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    _ts("at"),
    Column("type", String(64), nullable=False),
    Column("user_id", String(64)),
    Column("device_id", String(64)),
    Column("session_id", String(64)),
    Column("request_id", String(64)),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_user_seq", "user_id", "seq"),
    Index("ix_audit_type_seq", "type", "seq"),
    Index("ix_audit_at", "at"),
)

audit_checkpoints = Table(
    "audit_checkpoints", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("head_hash", String(64), nullable=False),
    _ts("at"),
    Column("signature", String(128), nullable=False),
    Column("public_key", String(64), nullable=False),
)

auditors = Table(
    "auditors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    _ts("created_at"),
    _ts("revoked_at", nullable=True),
)

# -- notices (CONTRACT §8, `banking.notices`) ----------------------------------------------

notices = Table(
    "notices", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False),
    _ts("at"),
    Column("kind", String(32), nullable=False),
    Column("speech", Text, nullable=False),
    Column("card", Text, nullable=False),  # JSON {"title", "lines"}
    Column("transfer_id", String(40)),
    Index("ix_notices_user_id", "user_id", "id"),
    Index("ix_notices_at", "at"),
)

# -- assistants: OAuth clients, link codes, codes and tokens (CONTRACT §7, `banking.assistants`)
# every code and token is stored only as its keyed hash (`banking.assistants.oauth.store`)

oauth_clients = Table(
    "oauth_clients", metadata,
    Column("id", String(64), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("redirect_uris", Text, nullable=False),  # JSON list
    _ts("created_at"),
)

link_codes = Table(
    "link_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    _ts("expires_at"),
    Index("ix_link_codes_user_id", "user_id"),
)

link_failures = Table(
    "link_failures", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("wrong", Integer, nullable=False, server_default="0"),
)

oauth_codes = Table(
    "oauth_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scope", Text, nullable=False, server_default=""),
    _ts("expires_at"),
    _ts("used_at", nullable=True),
)

oauth_tokens = Table(
    "oauth_tokens", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("access_hash", String(64), nullable=False, unique=True),
    Column("refresh_hash", String(64), nullable=True, unique=True),
    Column("client_id", String(64), nullable=False),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("scope", Text, nullable=False, server_default=""),
    _ts("issued_at"),
    _ts("expires_at"),
    _ts("revoked_at", nullable=True),
    Index("ix_oauth_tokens_user_client", "user_id", "client_id"),
)
