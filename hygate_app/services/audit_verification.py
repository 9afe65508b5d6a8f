"""Verifies the audit chain and pins its head with a signed checkpoint kept outside the database.

The chain alone only proves that rows agree with one another: whoever can write the table can edit a
row and recompute every hash after it. A checkpoint (the head row's id and hash, HMAC'd with a key
derived from ENCRYPTION_KEY, which the database never holds) pins history up to that row, so such a
rewrite no longer matches it. The daily job writes each checkpoint to the log, e-mails it to the
administrators and checks the previous one; `cli verify-audit --checkpoint` checks any of them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, func, select

from hygate_app.models import AuditLog
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.encryption import KeyRing

PREFIX = "hygate-audit-checkpoint/v1"
_LINE = re.compile(
    re.escape(PREFIX) + r" row=(?P<row>\d+) hash=(?P<hash>[0-9a-f]{64}) at=(?P<at>\S+) "
    r"key=(?P<key>[0-9a-f]{8}) mac=(?P<mac>[0-9a-f]{64})"
)


class CheckpointError(ValueError):
    """The text given is not a checkpoint line."""


@dataclass(frozen=True)
class Checkpoint:
    row_id: int
    row_hash: str
    at: str  # UTC ISO-8601, when it was made
    key_id: str
    mac: str

    def line(self) -> str:
        return f"{PREFIX} row={self.row_id} hash={self.row_hash} at={self.at} key={self.key_id} mac={self.mac}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        match = _LINE.search(text.strip())
        if match is None:
            raise CheckpointError(f"Not an audit checkpoint (expected a line starting with {PREFIX!r}).")
        return cls(int(match["row"]), match["hash"], match["at"], match["key"], match["mac"])


def _mac(key: bytes, row_id: int, row_hash: str, at: str) -> str:
    # A key of its own (HKDF, own label): the checkpoint MAC never reuses the encryption key directly.
    mac_key = HKDF(hashes.SHA256(), 32, salt=None, info=b"hygate audit checkpoint").derive(key)
    return hmac.new(mac_key, f"{PREFIX}|{row_id}|{row_hash}|{at}".encode(), hashlib.sha256).hexdigest()


def sign(ring: KeyRing, row_id: int, row_hash: str, now: datetime | None = None) -> Checkpoint:
    at = (now or utcnow()).astimezone(UTC).isoformat()
    kid = ring.current_key_id
    return Checkpoint(row_id, row_hash, at, kid, _mac(ring.keys[kid], row_id, row_hash, at))


def checkpoint_problem(db: Session, ring: KeyRing, checkpoint: Checkpoint) -> str | None:
    """None when the checkpoint is genuine and its row still carries the hash it pinned."""
    key = ring.keys.get(checkpoint.key_id)
    if key is None:
        return (f"The checkpoint of row #{checkpoint.row_id} was signed with key id {checkpoint.key_id}, which is "
                "not in the key ring: it cannot be checked (put that key in ENCRYPTION_KEYS_PREVIOUS).")
    expected = _mac(key, checkpoint.row_id, checkpoint.row_hash, checkpoint.at)
    if not hmac.compare_digest(expected, checkpoint.mac):
        return "The checkpoint's signature does not match: it was altered or not made by this Hygate."
    row = db.get(AuditLog, checkpoint.row_id)
    if row is None:
        return f"Audit row #{checkpoint.row_id}, pinned by the checkpoint of {checkpoint.at}, no longer exists."
    if not hmac.compare_digest(row.row_hash, checkpoint.row_hash):
        return (f"Audit row #{checkpoint.row_id} no longer has the hash pinned by the checkpoint of "
                f"{checkpoint.at}: the chain was rewritten.")
    return None


@dataclass(frozen=True)
class Verification:
    rows: int
    first_broken_row: int | None
    checkpoint_problem: str | None
    checkpoint: Checkpoint | None  # of the current head; None for an empty log

    @property
    def intact(self) -> bool:
        return self.first_broken_row is None and self.checkpoint_problem is None

    def summary(self) -> str:
        if self.first_broken_row is not None:
            text = f"Audit chain BROKEN: row #{self.first_broken_row} was edited, deleted or moved ({self.rows} rows)."
        else:
            text = f"Audit chain intact: {self.rows} rows."
        return f"{text} {self.checkpoint_problem}" if self.checkpoint_problem else text

    def details(self) -> dict:
        """For the audit row that records the run."""
        return {"intact": self.intact, "rows": self.rows, "first_broken_row": self.first_broken_row,
                "checkpoint_problem": self.checkpoint_problem,
                "head_row": self.checkpoint.row_id if self.checkpoint else None}


def verify(db: Session, ring: KeyRing, previous: Checkpoint | None = None, now: datetime | None = None) -> Verification:
    """Walk the whole chain, check an earlier checkpoint against it, and sign the current head."""
    head = db.exec(select(AuditLog.id, AuditLog.row_hash).order_by(AuditLog.id.desc()).limit(1)).first()
    return Verification(
        rows=db.exec(select(func.count()).select_from(AuditLog)).one(),
        first_broken_row=audit.first_broken_row(db),
        checkpoint_problem=checkpoint_problem(db, ring, previous) if previous else None,
        checkpoint=sign(ring, head[0], head[1], now) if head else None,
    )
