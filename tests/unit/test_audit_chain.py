"""The audit chain: every row links to the one before; an edited, deleted or reordered row is named."""

from __future__ import annotations

from sqlmodel import select

from hygate_app.models import AuditLog
from hygate_app.services import audit


def write_rows(db, n: int = 4) -> list[AuditLog]:
    rows = [audit.record(db, "payment.paid", target_type="payment", target_id=i, details={"amount_minor": 100 * i})
            for i in range(n)]
    db.commit()
    return rows


def test_an_untouched_chain_verifies(db):
    write_rows(db)
    assert audit.first_broken_row(db) is None


def test_each_row_links_to_the_previous_hash(db):
    rows = write_rows(db)
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]


def test_an_edited_row_is_named(db):
    rows = write_rows(db)
    rows[2].details = '{"amount_minor":1}'
    db.add(rows[2])
    db.commit()
    assert audit.first_broken_row(db) == rows[2].id


def test_a_deleted_row_breaks_the_link_of_the_next_one(db):
    rows = write_rows(db)
    db.delete(rows[1])
    db.commit()
    assert audit.first_broken_row(db) == rows[2].id


def test_reordered_rows_are_detected(db):
    rows = write_rows(db)
    a, b = rows[1], rows[2]
    fields = ("target_id", "details")
    saved = {f: getattr(a, f) for f in fields}
    for f in fields:
        setattr(a, f, getattr(b, f))
        setattr(b, f, saved[f])
    db.add_all([a, b])
    db.commit()
    assert audit.first_broken_row(db) == a.id


def test_rows_are_written_in_the_callers_transaction(db):
    audit.record(db, "device_session.failed")
    db.rollback()
    assert db.exec(select(AuditLog)).all() == []
