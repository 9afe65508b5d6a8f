"""Encryption at rest for stored secrets: AES-256-GCM bound to table, column and row, with key rotation.

The keys come from the environment only (ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS), never the database.
A stored value is `v1:<key id>:<urlsafe base64 of nonce + ciphertext>`; the key id is derived from the
key itself, so keys need no numbering and a value names the key that opens it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hygate_app.config import Settings, get_settings

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
_TAG_BYTES = 16
_GENERATE_HINT = "generate one with `python -m hygate_app.cli generate-key`"
_URLSAFE_B64 = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_KEY_ID = re.compile(r"[0-9a-f]{8}")


class EncryptionError(Exception):
    """Base of both errors below. Not a DomainError: it means broken configuration or data, not user input."""


class EncryptionKeyError(EncryptionError):
    """A key is missing, malformed, or not in the key ring."""


class DecryptionError(EncryptionError):
    """A stored value is malformed or fails authentication (tampered, or moved to another row or column)."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def key_id_of(key: bytes) -> str:
    """Short and stable, so a value can name its key; a truncated hash reveals nothing usable about the key."""
    return hashlib.sha256(key).hexdigest()[:8]


def _b64decode(text: str) -> bytes:
    """Strict: `base64.urlsafe_b64decode` silently drops stray characters, which would hide a damaged value."""
    if not _URLSAFE_B64.fullmatch(text):
        raise ValueError("not URL-safe base64")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError("not URL-safe base64") from exc
    # One spelling per value: unused trailing bits set would let an edited text decode to the same bytes.
    if base64.urlsafe_b64encode(data).decode().rstrip("=") != text.rstrip("="):
        raise ValueError("not canonical base64")
    return data


def parse_key(text: str, *, name: str) -> bytes:
    """`name` is the setting the key came from, so the message says what to fix (never the key itself)."""
    text = text.strip()
    if not text:
        raise EncryptionKeyError(f"{name} is not set: {_GENERATE_HINT} and put it in the environment.")
    try:
        key = _b64decode(text)
    except ValueError:
        raise EncryptionKeyError(
            f"{name} is not URL-safe base64: it must be {KEY_BYTES} random bytes; {_GENERATE_HINT}."
        ) from None
    if len(key) != KEY_BYTES:
        raise EncryptionKeyError(
            f"{name} decodes to {len(key)} bytes, not {KEY_BYTES} (AES-256 needs {KEY_BYTES}); {_GENERATE_HINT}."
        )
    return key


def _associated_data(table: str, column: str, row_id: int, key_id: str) -> bytes:
    """Binds a value to its place: copied to another row, column or table, it no longer decrypts."""
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        raise ValueError(f"{table}.{column}: row_id must be the row's integer id (flush the row first)")
    if ":" in table or ":" in column:
        raise ValueError("table and column names may not contain ':' (it separates the associated data)")
    return f"{table}:{column}:{row_id}:{key_id}".encode()


@dataclass(frozen=True)
class KeyRing:
    """The current key encrypts; the current and the previous keys decrypt (what rotation needs).

    Random 96-bit nonces: keep each key under 2^32 encryptions (rotate long before that).
    """

    current_key_id: str
    keys: dict[str, bytes] = field(repr=False)  # never in a log line or a traceback

    @classmethod
    def from_keys(cls, current: bytes, previous: list[bytes] | tuple[bytes, ...] = ()) -> KeyRing:
        keys: dict[str, bytes] = {}
        for key in (current, *previous):
            if len(key) != KEY_BYTES:
                raise EncryptionKeyError(f"An encryption key must be {KEY_BYTES} bytes, not {len(key)}.")
            kid = key_id_of(key)
            if keys.get(kid, key) != key:
                raise EncryptionKeyError(f"Two different keys share the key id {kid}: generate a new key.")
            keys[kid] = key
        return cls(current_key_id=key_id_of(current), keys=keys)

    @classmethod
    def from_strings(cls, current: str, previous: str = "") -> KeyRing:
        """`previous` is comma-separated, as in ENCRYPTION_KEYS_PREVIOUS."""
        parts = [p for p in (s.strip() for s in previous.split(",")) if p]
        older = [parse_key(p, name=f"ENCRYPTION_KEYS_PREVIOUS (entry {i})") for i, p in enumerate(parts, 1)]
        return cls.from_keys(parse_key(current, name="ENCRYPTION_KEY"), older)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        return cls.from_strings(settings.encryption_key, settings.encryption_keys_previous)

    def encrypt(self, plaintext: str, *, table: str, column: str, row_id: int) -> str:
        kid = self.current_key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[kid]).encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(table, column, row_id, kid)
        )
        return f"{FORMAT_VERSION}:{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, value: str, *, table: str, column: str, row_id: int) -> str:
        """Fails closed: any mismatch raises, it never returns a guess."""
        where = f"{table}.{column} of row {row_id}"
        kid, blob = _split(value, where)
        key = self.keys.get(kid)
        if key is None:
            raise EncryptionKeyError(
                f"{where} is encrypted under key id {kid}, which is neither ENCRYPTION_KEY nor in "
                "ENCRYPTION_KEYS_PREVIOUS: put that key back in ENCRYPTION_KEYS_PREVIOUS."
            )
        try:
            plaintext = AESGCM(key).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _associated_data(table, column, row_id, kid)
            )
        except InvalidTag:
            raise DecryptionError(
                f"{where} failed authentication under key id {kid}: it was altered, or belongs to another row "
                "or column."
            ) from None
        return plaintext.decode("utf-8")

    def needs_reencryption(self, value: str) -> bool:
        return stored_key_id(value) != self.current_key_id


def _split(value: str, where: str) -> tuple[str, bytes]:
    parts = value.split(":", 2) if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] != FORMAT_VERSION or not _KEY_ID.fullmatch(parts[1]):
        raise DecryptionError(f"{where} is not an encrypted value (expected {FORMAT_VERSION}:<key id>:<data>).")
    try:
        blob = _b64decode(parts[2])
    except ValueError:
        raise DecryptionError(f"{where} has damaged data (not URL-safe base64).") from None
    if len(blob) < NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError(f"{where} has damaged data (too short).")
    return parts[1], blob


def stored_key_id(value: str) -> str:
    """The key id a stored value names, without decrypting it."""
    return _split(value, "the value")[0]


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    """The process's key ring from the environment; tests build their own `KeyRing` instead."""
    return KeyRing.from_settings(get_settings())
