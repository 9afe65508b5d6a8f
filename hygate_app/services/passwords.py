"""Passwords: the policy a new password must meet, and argon2id hashing with rehash on login.

Every password is NFKC-normalised before it is measured or hashed (NIST SP 800-63B, 5.1.1.2),
so the same password typed on another keyboard or pasted from another app still matches.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from hygate_app.services.errors import InvalidInput
from hygate_app.services.typed_text import storable

# RFC 9106's "low memory" choice (argon2-cffi's defaults), written out so a library upgrade
# cannot lower them silently. SECURITY-RULES asks for at least m = 19 MiB, t = 2, p = 1.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST_KIB = 64 * 1024
ARGON2_PARALLELISM = 4

MIN_LENGTH = 12
MAX_LENGTH = 128

COMMON_PASSWORDS_PATH = Path(__file__).parent / "data" / "common-passwords.txt.gz"

_hasher = PasswordHash(
    (Argon2Hasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_COST_KIB, parallelism=ARGON2_PARALLELISM),)
)

# The hash of a random secret nobody knows, made with the parameters above, so that
# `verify_dummy` costs one verify and never a hash (a first-call hash would be measurable).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$P8NQwzW3FJPmuVHJpei6Bg$BYg79EjdMMRMM0MSwkXQogX73DNqUkffNC3yVkxeD4o"


def normalise(password: str) -> str:
    """NFKC, and a lone surrogate (which a browser's JSON may carry, but UTF-8 cannot) as U+FFFD: such a password
    can be checked, never chosen (`check_new_password`)."""
    text = password.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return unicodedata.normalize("NFKC", text)


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


def verify_password(password: str, password_hash: str | None) -> bool:
    """False for a missing or unrecognised hash too, after the same work as a real verify."""
    return verify_and_update(password, password_hash)[0]


def verify_and_update(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; when it matches a hash made with other parameters, also return a new hash to store."""
    if not password_hash or not _hasher.current_hasher.identify(password_hash):
        return verify_dummy(password), None
    return _hasher.verify_and_update(normalise(password), password_hash)


def verify_dummy(password: str) -> bool:
    """Spend the time of a real verify and return False: for a login whose account does not exist."""
    _hasher.verify(normalise(password), _dummy_hash())
    return False


@cache
def _dummy_hash() -> str:
    # Only if the parameters above change without `_DUMMY_HASH` being regenerated (a unit test catches it).
    if _hasher.current_hasher.check_needs_rehash(_DUMMY_HASH):
        return _hasher.hash("never a password: only spends the time of a verify")
    return _DUMMY_HASH


def check_new_password(password: str, *, email: str | None = None) -> None:
    """Raise InvalidInput, with a message for the person choosing it, if the password may not be used.

    Length and a list of common passwords only: composition rules make passwords harder to
    remember without making them harder to guess.
    """
    if not storable(password):
        raise InvalidInput("The password contains something that is not text. Please type it again.")
    normalised = normalise(password)
    if len(normalised) < MIN_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_LENGTH} characters long.")
    if len(normalised) > MAX_LENGTH:
        raise InvalidInput(f"The password must be at most {MAX_LENGTH} characters long.")
    lowered = normalised.lower()
    if lowered in common_passwords():
        raise InvalidInput("This password is one of the most common passwords. Please choose another one.")
    if email and lowered in _email_forms(email):
        raise InvalidInput("The password must not be your e-mail address.")


def _email_forms(email: str) -> set[str]:
    address = normalise(email).strip().lower()
    local_part = address.rpartition("@")[0]
    return {form for form in (address, local_part) if form}


@cache
def common_passwords() -> frozenset[str]:
    """Loaded on first use: about 20,000 entries, lowercase (see data/README.md)."""
    with gzip.open(COMMON_PASSWORDS_PATH, "rt", encoding="utf-8") as lines:
        return frozenset(stripped for line in lines if (stripped := line.strip()))
