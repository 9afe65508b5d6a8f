"""Secrets at rest: AES-GCM round trip, binding to table/column/row, tampering, key errors and key rotation."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from contextlib import contextmanager

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlmodel import select

from hygate_app import cli
from hygate_app.config import Settings, get_settings
from hygate_app.models import AuditLog, Integration, IntegrationCredential, User
from hygate_app.services import credentials
from hygate_app.services.encryption import (
    DecryptionError,
    EncryptionError,
    EncryptionKeyError,
    KeyRing,
    generate_key,
    key_ring,
)
from hygate_app.services.errors import DomainError

OLD_KEY = generate_key()
NEW_KEY = generate_key()
OLD = KeyRing.from_strings(OLD_KEY)
ROTATING = KeyRing.from_strings(NEW_KEY, previous=OLD_KEY)
NEW_ONLY = KeyRing.from_strings(NEW_KEY)

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20)
row_ids = st.integers(min_value=1, max_value=2**63 - 1)
places = st.tuples(names, names, row_ids)


def key_id(key: str) -> str:
    return hashlib.sha256(base64.urlsafe_b64decode(key)).hexdigest()[:8]


def flip_byte(value: str, index: int, mask: int) -> str:
    prefix, blob = value.rsplit(":", 1)
    data = bytearray(base64.urlsafe_b64decode(blob))
    data[index % len(data)] ^= mask
    return f"{prefix}:{base64.urlsafe_b64encode(bytes(data)).decode()}"


# --- the cipher -------------------------------------------------------------------------------------------------

@given(plaintext=st.text(), place=places)
def test_any_text_round_trips(plaintext, place):
    table, column, row_id = place
    value = OLD.encrypt(plaintext, table=table, column=column, row_id=row_id)
    assert OLD.decrypt(value, table=table, column=column, row_id=row_id) == plaintext


@given(plaintext=st.text(), here=places, there=places)
def test_a_value_moved_to_another_table_column_or_row_does_not_decrypt(plaintext, here, there):
    assume(here != there)
    value = OLD.encrypt(plaintext, table=here[0], column=here[1], row_id=here[2])
    with pytest.raises(DecryptionError, match="failed authentication"):
        OLD.decrypt(value, table=there[0], column=there[1], row_id=there[2])


@given(plaintext=st.text(), index=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_a_flipped_byte_does_not_decrypt(plaintext, index, mask):
    value = OLD.encrypt(plaintext, table="t", column="c", row_id=1)
    with pytest.raises(DecryptionError):
        OLD.decrypt(flip_byte(value, index, mask), table="t", column="c", row_id=1)


@given(plaintext=st.text(max_size=40), data=st.data())
def test_any_edit_of_the_stored_text_fails_closed(plaintext, data):
    value = OLD.encrypt(plaintext, table="t", column="c", row_id=1)
    index = data.draw(st.integers(min_value=0, max_value=len(value) - 1))
    char = data.draw(st.sampled_from("0123456789abcdefABCDEF-_=:v"))
    assume(char != value[index])
    with pytest.raises(EncryptionError):
        OLD.decrypt(value[:index] + char + value[index + 1:], table="t", column="c", row_id=1)


def test_the_stored_value_names_its_key_and_uses_a_fresh_nonce():
    first = OLD.encrypt("sk_live_secret", table="integration_credentials", column="ciphertext", row_id=7)
    second = OLD.encrypt("sk_live_secret", table="integration_credentials", column="ciphertext", row_id=7)
    assert re.fullmatch(rf"v1:{key_id(OLD_KEY)}:[A-Za-z0-9_-]+=*", first)
    assert OLD.current_key_id == key_id(OLD_KEY)
    assert first != second
    assert "sk_live_secret" not in first


def test_the_key_ring_does_not_show_its_keys():
    assert OLD_KEY not in repr(OLD)
    assert repr(base64.urlsafe_b64decode(OLD_KEY)) not in repr(OLD)


# --- key errors -------------------------------------------------------------------------------------------------

def test_a_missing_key_says_what_to_set():
    with pytest.raises(EncryptionKeyError, match=r"ENCRYPTION_KEY is not set: generate one with .*generate-key"):
        KeyRing.from_settings(Settings(ENCRYPTION_KEY="", ENCRYPTION_KEYS_PREVIOUS=""))


def test_a_key_of_the_wrong_length_is_refused():
    short = base64.urlsafe_b64encode(b"x" * 16).decode()
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEY decodes to 16 bytes, not 32") as caught:
        KeyRing.from_strings(short)
    assert short not in str(caught.value)


@pytest.mark.parametrize("bad", ["not base64!", "a" * 43 + "+", OLD_KEY[:-2] + "Z="])
def test_a_badly_encoded_key_is_refused(bad):
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEY is not URL-safe base64"):
        KeyRing.from_strings(bad)


def test_a_bad_previous_key_is_named_by_its_position():
    with pytest.raises(EncryptionKeyError, match=r"ENCRYPTION_KEYS_PREVIOUS \(entry 2\) decodes to 3 bytes"):
        KeyRing.from_strings(NEW_KEY, previous=f"{OLD_KEY}, abcd")


def test_a_value_under_a_key_not_in_the_ring_fails_closed_naming_the_key_id():
    value = OLD.encrypt("secret", table="t", column="c", row_id=1)
    with pytest.raises(EncryptionKeyError, match=f"key id {key_id(OLD_KEY)}.*ENCRYPTION_KEYS_PREVIOUS"):
        NEW_ONLY.decrypt(value, table="t", column="c", row_id=1)


def test_a_value_that_is_not_encrypted_is_refused():
    with pytest.raises(DecryptionError, match="not an encrypted value"):
        OLD.decrypt("sk_live_plaintext", table="t", column="c", row_id=1)


def test_encryption_errors_are_not_shown_to_users_as_domain_errors():
    assert not issubclass(EncryptionError, DomainError)
    assert issubclass(EncryptionKeyError, EncryptionError) and issubclass(DecryptionError, EncryptionError)


def test_the_settings_build_the_ring_with_previous_keys():
    ring = KeyRing.from_settings(Settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_KEYS_PREVIOUS=f" {OLD_KEY} ,"))
    assert ring.current_key_id == key_id(NEW_KEY)
    assert set(ring.keys) == {key_id(NEW_KEY), key_id(OLD_KEY)}


# --- rotation ---------------------------------------------------------------------------------------------------

@given(plaintext=st.text(), place=places)
def test_after_rotation_old_values_decrypt_and_reencrypted_ones_need_no_old_key(plaintext, place):
    table, column, row_id = place
    old_value = OLD.encrypt(plaintext, table=table, column=column, row_id=row_id)
    assert ROTATING.needs_reencryption(old_value)
    assert ROTATING.decrypt(old_value, table=table, column=column, row_id=row_id) == plaintext
    new_value = ROTATING.encrypt(plaintext, table=table, column=column, row_id=row_id)
    assert not ROTATING.needs_reencryption(new_value)
    assert NEW_ONLY.decrypt(new_value, table=table, column=column, row_id=row_id) == plaintext


def add_user(db, email: str) -> User:
    user = User(email=email)
    db.add(user)
    db.flush()
    return user


def test_stored_credentials_are_encrypted_upserted_and_audited_without_the_secret(db):
    first = credentials.store_credential(db, Integration.stripe, "secret_key", "sk_live_one", OLD)
    again = credentials.store_credential(db, Integration.stripe, "secret_key", "sk_live_two", OLD)
    assert again.id == first.id
    assert len(db.exec(select(IntegrationCredential)).all()) == 1
    assert again.key_id == OLD.current_key_id and "sk_live" not in again.ciphertext
    assert credentials.read_credential(db, Integration.stripe, "secret_key", OLD) == "sk_live_two"
    assert credentials.read_credential(db, Integration.shelly, "auth_key", OLD) is None
    rows = db.exec(select(AuditLog).where(AuditLog.action == "integration_credential.stored")).all()
    assert [json.loads(r.details)["created"] for r in rows] == [True, False]
    assert all("sk_live" not in r.details for r in rows)


def test_totp_secrets_are_bound_to_their_user(db):
    alice, bob = add_user(db, "alice@example.test"), add_user(db, "bob@example.test")
    credentials.encrypt_user_totp_secret(alice, "JBSWY3DPEHPK3PXP", OLD)
    assert credentials.decrypt_user_totp_secret(alice, OLD) == "JBSWY3DPEHPK3PXP"
    assert credentials.decrypt_user_totp_secret(bob, OLD) is None
    bob.totp_secret_enc = alice.totp_secret_enc
    with pytest.raises(DecryptionError):
        credentials.decrypt_user_totp_secret(bob, OLD)


def test_reencrypt_all_moves_every_secret_to_the_current_key(db):
    credentials.store_credential(db, Integration.stripe, "secret_key", "sk_live_one", OLD)
    credentials.store_credential(db, Integration.shelly, "auth_key", "shelly-key", OLD)
    user = add_user(db, "alice@example.test")
    add_user(db, "no-2fa@example.test")
    credentials.encrypt_user_totp_secret(user, "JBSWY3DPEHPK3PXP", OLD)
    db.commit()

    assert credentials.read_credential(db, Integration.stripe, "secret_key", ROTATING) == "sk_live_one"
    assert credentials.reencrypt_all(db, ROTATING) == 3
    assert credentials.reencrypt_all(db, ROTATING) == 0

    assert {r.key_id for r in db.exec(select(IntegrationCredential)).all()} == {NEW_ONLY.current_key_id}
    assert credentials.read_credential(db, Integration.stripe, "secret_key", NEW_ONLY) == "sk_live_one"
    assert credentials.read_credential(db, Integration.shelly, "auth_key", NEW_ONLY) == "shelly-key"
    assert credentials.decrypt_user_totp_secret(user, NEW_ONLY) == "JBSWY3DPEHPK3PXP"
    rotation = db.exec(select(AuditLog).where(AuditLog.action == "encryption.reencrypted")).one()
    assert rotation.target_id == NEW_ONLY.current_key_id
    assert json.loads(rotation.details) == {"integration_credentials": 2, "user_totp_secrets": 1}


def test_reencrypt_all_rewrites_nothing_when_a_value_cannot_be_opened(db):
    credentials.store_credential(db, Integration.stripe, "secret_key", "sk_live_one", OLD)
    lost = KeyRing.from_strings(generate_key())
    credentials.store_credential(db, Integration.shelly, "auth_key", "shelly-key", lost)
    with pytest.raises(EncryptionKeyError, match=lost.current_key_id):
        credentials.reencrypt_all(db, ROTATING)
    db.rollback()
    assert {r.key_id for r in db.exec(select(IntegrationCredential)).all()} == {OLD.current_key_id,
                                                                                lost.current_key_id}


# --- the operator commands --------------------------------------------------------------------------------------

@pytest.fixture
def configure_keys(monkeypatch, db):
    """Point the CLI at these keys and at the in-memory database, as an operator's environment would."""

    @contextmanager
    def scope():
        yield db
        db.commit()

    monkeypatch.setattr("hygate_app.db.session_scope", scope)

    def configure(current: str, previous: str = "") -> None:
        monkeypatch.setenv("ENCRYPTION_KEY", current)
        monkeypatch.setenv("ENCRYPTION_KEYS_PREVIOUS", previous)
        get_settings.cache_clear()
        key_ring.cache_clear()

    yield configure
    get_settings.cache_clear()
    key_ring.cache_clear()


def test_rotate_keys_command_reports_how_many_values_it_rewrote(db, configure_keys, capsys):
    credentials.store_credential(db, Integration.stripe, "secret_key", "sk_live_one", OLD)
    configure_keys(NEW_KEY, OLD_KEY)
    cli.rotate_keys()
    assert capsys.readouterr().out.strip() == f"Re-encrypted 1 values under key {key_id(NEW_KEY)}."
    configure_keys(NEW_KEY)
    assert credentials.read_credential(db, Integration.stripe, "secret_key") == "sk_live_one"


def test_rotate_keys_command_without_a_key_says_what_to_set(configure_keys):
    configure_keys("")
    with pytest.raises(SystemExit, match="ENCRYPTION_KEY is not set"):
        cli.rotate_keys()


def test_generate_key_command_prints_a_usable_key(capsys):
    cli.generate_key()
    printed = capsys.readouterr().out.strip()
    assert KeyRing.from_strings(printed).current_key_id == key_id(printed)
    assert cli.COMMANDS["generate-key"] is cli.generate_key and cli.COMMANDS["rotate-keys"] is cli.rotate_keys
