"""Partner credentials: from the environment, or else from a file made once per data dir.

The sandbox and couchbank's adapter both call `partner_credentials` with the same data
directory, so a fresh checkout (`python app.py`) agrees with itself without any secret
living in the repository. Each field comes from its environment variable when set; the
file only supplies what the environment does not.
"""
from __future__ import annotations

import json
import os
import secrets
import string
from pathlib import Path

# field -> environment variable, per bank; other banks get COUCHBANK_<BANK>_CLIENT_ID/_SECRET
_FIELDS: dict[str, dict[str, str]] = {
    "kbank": {
        "client_id": "COUCHBANK_KBANK_CLIENT_ID",
        "client_secret": "COUCHBANK_KBANK_CLIENT_SECRET",
        # KFTC's 이용기관코드: the prefix of every bank_tran_id the client makes
        "org_code": "COUCHBANK_KBANK_ORG_CODE",
    },
    "woori": {
        "app_key": "COUCHBANK_WOORI_APP_KEY",
        "app_secret": "COUCHBANK_WOORI_APP_SECRET",
    },
}


def credential_fields(bank: str, fields: tuple[str, ...] | None = None) -> dict[str, str]:
    """Field name -> environment variable for `bank`; `fields` is what its catalogue entry
    declares (`BankInfo.credentials`), None for the built-in banks' own or a client id and secret."""
    prefix = f"COUCHBANK_{bank.upper()}_"
    if fields:
        return {field: prefix + field.upper() for field in fields}
    return _FIELDS.get(bank, {"client_id": prefix + "CLIENT_ID", "client_secret": prefix + "CLIENT_SECRET"})


def _fresh_value(field: str) -> str:
    if field == "org_code":
        return "M" + "".join(secrets.choice(string.digits) for _ in range(9))
    if field.endswith("secret"):
        return secrets.token_urlsafe(32)
    return secrets.token_hex(12)


def _read_or_create(path: Path, fields: list[str]) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written in full under a private name, then linked into place: link() fails if the
    # file exists, so two processes starting together both end up reading the winner's
    # values, and nobody ever reads a half-written file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({f: _fresh_value(f) for f in fields}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return json.loads(path.read_text(encoding="utf-8"))


def partner_credentials(bank: str, data_dir: Path, fields: tuple[str, ...] | None = None) -> dict[str, str]:
    """Credentials for `bank` (`fields` as in `credential_fields`): env first, field by field;
    the rest from `<data_dir>/partners/<bank>.json` (created with random values, mode 0600)."""
    fields = credential_fields(bank, fields)
    creds = {f: os.environ[var] for f, var in fields.items() if os.environ.get(var)}
    missing = [f for f in fields if f not in creds]
    if missing:
        stored = _read_or_create(Path(data_dir) / "partners" / f"{bank}.json", list(fields))
        creds.update({f: stored[f] for f in missing})
    return creds
