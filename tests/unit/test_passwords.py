"""The password policy people see when choosing a password, and the argon2id hashes behind login."""

from __future__ import annotations

import re
import time

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher

from hygate_app.services import passwords
from hygate_app.services.errors import InvalidInput
from hygate_app.services.passwords import (
    check_new_password,
    common_passwords,
    hash_password,
    verify_and_update,
    verify_dummy,
    verify_password,
)

ARGON2_PREFIX = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")
GOOD = "correct horse battery"


def argon2_parameters(password_hash: str) -> tuple[int, int, int]:
    match = ARGON2_PREFIX.match(password_hash)
    assert match, password_hash
    m, t, p = map(int, match.groups())
    return m, t, p


def test_eleven_characters_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        check_new_password("x7!kq2mzp0a")


def test_twelve_characters_are_enough() -> None:
    check_new_password("x7!kq2mzp0ab")


def test_length_counts_characters_after_nfkc_not_bytes() -> None:
    # Decomposed, twelve "é" are 24 code points (and 24 bytes once composed): still 12 characters.
    check_new_password("e\u0301" * 12)
    with pytest.raises(InvalidInput, match="at least 12"):
        check_new_password("e\u0301" * 11)


def test_128_characters_are_accepted_and_129_refused() -> None:
    check_new_password("a1b2c3d4" * 16)
    with pytest.raises(InvalidInput, match="at most 128 characters"):
        check_new_password("a1b2c3d4" * 16 + "z")


def test_no_composition_rules() -> None:
    check_new_password("only lowercase letters and spaces")


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "Qwerty123456", "1Q2W3E4R5T6Y"])
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    assert password.lower() in common_passwords()
    with pytest.raises(InvalidInput, match="most common passwords"):
        check_new_password(password)


def test_common_password_list_is_the_shipped_one() -> None:
    listed = common_passwords()
    assert len(listed) >= 3000
    assert all(entry == entry.lower() for entry in listed if entry.isascii())
    assert common_passwords() is listed  # loaded once


def test_email_address_or_its_local_part_is_refused() -> None:
    with pytest.raises(InvalidInput, match="e-mail address"):
        check_new_password("Alice.Smith@Example.com", email="alice.smith@example.com")
    with pytest.raises(InvalidInput, match="e-mail address"):
        check_new_password("LongLocalPart", email=" longlocalpart@example.com ")
    check_new_password("LongLocalPart", email="someone.else@example.com")


def test_hash_uses_argon2id_with_at_least_the_owasp_minimum() -> None:
    m, t, p = argon2_parameters(hash_password(GOOD))
    assert (m, t, p) == (passwords.ARGON2_MEMORY_COST_KIB, passwords.ARGON2_TIME_COST, passwords.ARGON2_PARALLELISM)
    assert m >= 19 * 1024 and t >= 2 and p >= 1


def test_verify_accepts_the_password_and_refuses_others() -> None:
    stored = hash_password(GOOD)
    assert verify_password(GOOD, stored)
    assert not verify_password(GOOD + " ", stored)


def test_nfkc_equivalent_passwords_match() -> None:
    stored = hash_password("ﬁne ｆｕｌｌｗｉｄｔｈ café")  # ligature, full-width letters, composed é
    assert verify_password("fine fullwidth cafe\u0301", stored)


def test_missing_or_unknown_hash_is_a_mismatch_not_an_error() -> None:
    assert not verify_password(GOOD, None)
    assert not verify_password(GOOD, "")
    assert verify_and_update(GOOD, "$2b$12$notanargon2hash") == (False, None)


def test_hash_with_other_parameters_is_replaced_on_login() -> None:
    old = Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(GOOD)
    assert argon2_parameters(old) == (19 * 1024, 2, 1)

    valid, new_hash = verify_and_update(GOOD, old)

    assert valid and new_hash is not None
    assert argon2_parameters(new_hash) == argon2_parameters(hash_password(GOOD))
    assert verify_password(GOOD, new_hash)
    assert verify_and_update("wrong password", old) == (False, None)


def test_current_hash_is_not_replaced() -> None:
    assert verify_and_update(GOOD, hash_password(GOOD)) == (True, None)


def test_dummy_verify_is_false_and_uses_the_current_parameters() -> None:
    assert verify_dummy(GOOD) is False
    assert argon2_parameters(passwords._DUMMY_HASH) == argon2_parameters(hash_password(GOOD))
    assert passwords._dummy_hash() == passwords._DUMMY_HASH


def test_dummy_verify_takes_about_as_long_as_a_real_one() -> None:
    stored = hash_password(GOOD)

    def fastest(check) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            check()
            runs.append(time.perf_counter() - started)
        return min(runs)

    real = fastest(lambda: verify_password("wrong password", stored))
    dummy = fastest(lambda: verify_dummy("wrong password"))
    assert 0.25 < dummy / real < 4
