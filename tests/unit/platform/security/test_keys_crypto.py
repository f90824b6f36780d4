import os
import stat

import pytest
from cryptography.exceptions import InvalidTag

from banking.platform.security import crypto
from banking.platform.security.keys import MASTER_KEY_ENV, Keyring, MasterKeyError, load_master_key


def test_master_key_file_is_created_once_owner_only(tmp_path):
    first = load_master_key(tmp_path, env={})
    second = load_master_key(tmp_path, env={})
    assert first == second and len(first) == 32
    mode = stat.S_IMODE(os.stat(tmp_path / "keys" / "master.key").st_mode)
    assert mode == 0o600


def test_master_key_from_environment_wins(tmp_path):
    key = os.urandom(32)
    assert load_master_key(tmp_path, env={MASTER_KEY_ENV: key.hex()}) == key
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize("bad", ["abc", "00" * 8, "not base64 at all !!"])
def test_short_or_garbled_master_key_is_refused_without_echoing_it(tmp_path, bad):
    with pytest.raises(MasterKeyError) as info:
        load_master_key(tmp_path, env={MASTER_KEY_ENV: bad})
    assert bad not in str(info.value)


def test_purposes_get_distinct_keys_and_repr_hides_them():
    ring = Keyring(os.urandom(32))
    keys = {ring.pin_pepper, ring.encryption, ring.audit_chain, ring.token_pepper}
    assert len(keys) == 4
    assert ring.master.hex() not in repr(ring)


def test_encryption_binds_context():
    key = os.urandom(32)
    blob = crypto.encrypt(key, b"seed", context="totp:demo")
    assert crypto.decrypt(key, blob, context="totp:demo") == b"seed"
    with pytest.raises(InvalidTag):
        crypto.decrypt(key, blob, context="totp:someone-else")


def test_keyed_hash_separates_parts():
    key = b"k" * 32
    assert crypto.keyed_hash(key, "ab", "c") != crypto.keyed_hash(key, "a", "bc")
