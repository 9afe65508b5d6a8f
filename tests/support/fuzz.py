"""Hypothesis settings and strategies for the bad-input tests: text as a browser, a script or an attacker may send it,
and the check that an HTTP answer did not come from an unhandled error."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The same examples on every run (derandomize), so a failure in CI fails the same way on a laptop; Hypothesis
# prints the smallest failing input. Few examples: these tests talk to the real stack and database.
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# For a test whose every example checks a password (argon2id takes about a second per check, on purpose).
FUZZ_SLOW = settings(FUZZ, max_examples=10)

# Inputs that break naive code: NUL (PostgreSQL refuses it in text), a lone surrogate (not UTF-8), numbers too big
# for an integer column or for int(), exponents Decimal cannot scale, look-alike digits, SQL and LIKE wildcards,
# markup, path tricks, impossible dates, very long text.
NASTY = (
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e", "\ufeff", "\r\n", "0", "-1", "+1", "1_000", "1.5",
    "2147483648", "9" * 25, "9" * 5000, "1e999999999", "1e-999999999", "NaN", "-Infinity", "１２", "٣",
    "'; DROP TABLE payments; --", "%", "_", "\\", "../../etc/passwd", "<script>alert(1)</script>", "{{7*7}}",
    "x" * 10_000, "2026-02-30", "9999-12-31", "0001-01-01", "2026-13-01", "+002026-01-01", "user@example.com",
    "a@b", "@", "admin@\x00.com",
)

# The last part of a guest link (/use/…, /pay/…, /session/…, /access/…), percent-encoded as it travels: a mistyped
# one, and what only a script sends: a NUL byte (PostgreSQL refuses it; the static file server answered it with a
# bare "Not Found"), bytes that are not UTF-8 (a lone surrogate, invalid sequences), a path past the file system's
# limit, an encoded slash, an encoded ".." (the browser makes /use/%2e%2e the bare address), SQL, a right-to-left
# override, a number past any integer column.
BOGUS_LINK_IDS = ("no-such-thing", "%00", "a%00b", "%ED%A0%80", "%FF%FE", "x" * 3000, "a%2Fb", "%2e%2e",
                  "1'%20OR%20'1'='1", "%E2%80%AEevil", "9" * 30)

# Any code point, control characters and surrogates included (Hypothesis leaves surrogates out by default).
any_text = st.text(st.characters(exclude_categories=()), max_size=200)
numbers = st.from_regex(r"[-+]?[0-9]{1,30}", fullmatch=True)
junk = st.one_of(st.sampled_from(NASTY), any_text, numbers)


def field(*valid: str) -> st.SearchStrategy[str]:
    """A form field's value: often a good one, so that junk in the other fields gets past it to the database."""
    return st.one_of(st.sampled_from(valid), junk)

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "Internal Server Error")


def assert_handled(response, allowed: frozenset[int] | None = None) -> None:
    """Not a 5xx, no stack trace in the body, and (when given) one of the expected statuses."""
    where = f"{response.request.method} {str(response.request.url)[:200]}"
    assert response.status_code < 500, f"{where} → {response.status_code}: {response.text[:300]}"
    assert allowed is None or response.status_code in allowed, f"{where} → {response.status_code}"
    for marker in TRACEBACK_MARKERS:
        assert marker not in response.text, f"{where} shows {marker!r}"
