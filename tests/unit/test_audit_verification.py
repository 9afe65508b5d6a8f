"""The verifier names the first broken row, and a signed checkpoint catches a chain rewritten end to end."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select

from hygate_app.models import AuditLog
from hygate_app.services import audit
from hygate_app.services.audit_verification import Checkpoint, CheckpointError, checkpoint_problem, sign, verify
from hygate_app.services.encryption import KeyRing

RING = KeyRing.from_keys(os.urandom(32))


def write_rows(db, n: int = 5) -> list[AuditLog]:
    rows = [audit.record(db, "payment.paid", target_type="payment", target_id=i, details={"amount_minor": 100 * i})
            for i in range(n)]
    db.commit()
    return rows


def rewrite_chain(db) -> None:
    """What someone with write access to the table could do: recompute every hash after an edit."""
    prev = audit.GENESIS_HASH
    for row in db.exec(select(AuditLog).order_by(AuditLog.id)).all():
        row.prev_hash = prev
        row.row_hash = audit.row_hash(prev, row)
        prev = row.row_hash
        db.add(row)
    db.commit()


def test_an_untouched_chain_verifies_and_signs_its_head(db):
    rows = write_rows(db)
    result = verify(db, RING)
    assert result.intact and result.rows == 5
    assert (result.checkpoint.row_id, result.checkpoint.row_hash) == (rows[-1].id, rows[-1].row_hash)
    assert result.summary() == "Audit chain intact: 5 rows."


def test_an_empty_log_verifies_without_a_checkpoint(db):
    result = verify(db, RING)
    assert result.intact and result.checkpoint is None and result.rows == 0


def test_edited_deleted_and_reordered_rows_are_named(db):
    rows = write_rows(db, 8)
    rows[6].details = '{"amount_minor":1}'
    db.add(rows[6])
    db.delete(rows[3])
    a, b = rows[1], rows[2]
    a.target_id, b.target_id = b.target_id, a.target_id
    db.add_all([a, b])
    db.commit()
    result = verify(db, RING)
    assert result.first_broken_row == rows[1].id  # the earliest of the three
    assert f"row #{rows[1].id}" in result.summary() and not result.intact


def test_a_rewritten_chain_passes_the_walk_but_not_the_checkpoint(db):
    rows = write_rows(db)
    pinned = verify(db, RING).checkpoint
    rows[1].details = '{"amount_minor":1}'
    db.add(rows[1])
    db.commit()
    rewrite_chain(db)
    result = verify(db, RING, pinned)
    assert result.first_broken_row is None
    assert not result.intact
    assert result.checkpoint_problem == (f"Audit row #{rows[-1].id} no longer has the hash pinned by the checkpoint "
                                         f"of {pinned.at}: the chain was rewritten.")


def test_later_rows_do_not_disturb_an_earlier_checkpoint(db):
    write_rows(db)
    pinned = verify(db, RING).checkpoint
    write_rows(db, 3)
    assert verify(db, RING, pinned).intact


def test_deleting_the_pinned_row_is_reported(db):
    rows = write_rows(db)
    pinned = verify(db, RING).checkpoint
    db.delete(rows[-1])
    db.commit()
    assert "no longer exists" in checkpoint_problem(db, RING, pinned)


def test_a_forged_or_foreign_checkpoint_is_refused(db):
    rows = write_rows(db)
    genuine = sign(RING, rows[-1].id, rows[-1].row_hash)
    assert checkpoint_problem(db, RING, genuine) is None
    moved = Checkpoint(rows[0].id, rows[0].row_hash, genuine.at, genuine.key_id, genuine.mac)
    assert "signature does not match" in checkpoint_problem(db, RING, moved)
    other = sign(KeyRing.from_keys(os.urandom(32)), rows[-1].id, rows[-1].row_hash)
    assert "not in the key ring" in checkpoint_problem(db, RING, other)


def test_a_checkpoint_line_round_trips_and_garbage_is_refused(db):
    rows = write_rows(db)
    line = sign(RING, rows[-1].id, rows[-1].row_hash).line()
    assert Checkpoint.parse(f"2026-11-23 03:17:00 hygate.audit INFO ... checkpoint: {line}").line() == line
    with pytest.raises(CheckpointError):
        Checkpoint.parse("hygate-audit-checkpoint/v1 row=1 hash=abc")


def test_a_checkpoint_signed_with_a_previous_key_still_verifies_after_rotation(db):
    rows = write_rows(db)
    old = os.urandom(32)
    pinned = sign(KeyRing.from_keys(old), rows[-1].id, rows[-1].row_hash)
    assert checkpoint_problem(db, KeyRing.from_keys(os.urandom(32), [old]), pinned) is None


FIELDS = ("actor_type", "actor_id", "action", "target_type", "target_id", "ip", "user_agent", "details")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(2, 8), edits=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(FIELDS)), min_size=1,
                                          max_size=4))
def test_any_edit_is_found_at_the_earliest_edited_row(n, edits):
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as db:
        rows = write_rows(db, n)
        edited = set()
        for index, field in edits:
            row = rows[index % n]
            old = getattr(row, field)
            new = json.dumps({"edited": True}) if field == "details" else f"{old or ''}x"
            setattr(row, field, new)
            db.add(row)
            edited.add(row.id)
        db.commit()
        assert audit.first_broken_row(db) == min(edited)
    engine.dispose()
