"""The audit log on real PostgreSQL: the trigger refuses changes, the daily job runs on a real RQ worker,
records its result, pins a checkpoint in Redis and mails it, and the CLI names a tampered row."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest
from rq import Queue
from rq.cron import CronScheduler
from rq.job import JobStatus
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from hygate_app import providers
from hygate_app.config import ROOT, get_settings
from hygate_app.models import AuditLog, Role
from hygate_app.services import audit
from hygate_app.services.queue import QUEUE_NAME
from jobs.audit import LAST_CHECKPOINT_KEY, verify_audit_chain
from tests.support.staff import new_staff


def add_row(pg, n: int = 0) -> AuditLog:
    row = audit.record(pg, "payment.paid", target_type="payment", target_id=n, details={"amount_minor": n})
    pg.commit()
    return row


@contextmanager
def trigger_disabled(pg):
    """Tamper as a database superuser could: the trigger stops the application, not the owner."""
    pg.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    pg.commit()
    try:
        yield
    finally:
        pg.rollback()
        pg.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        pg.commit()


def set_row(pg, row_id: int, **values) -> None:
    assignments = ", ".join(f"{k} = :{k}" for k in values)
    pg.execute(text(f"UPDATE audit_log SET {assignments} WHERE id = :id"), {**values, "id": row_id})
    pg.commit()


def relink_after(pg, row_id: int) -> None:
    """Rows appended on top of a tampered head are re-chained once the tampering is undone, so the
    shared test database verifies again for the tests that follow."""
    pg.expire_all()  # the raw UPDATEs above bypassed the session's copies
    prev = pg.get(AuditLog, row_id).row_hash
    for row in pg.exec(select(AuditLog).where(AuditLog.id > row_id).order_by(AuditLog.id)).all():
        set_row(pg, row.id, prev_hash=prev, row_hash=audit.row_hash(prev, row))
        prev = audit.row_hash(prev, row)
    pg.expire_all()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hygate_app.cli", "verify-audit", *args], cwd=ROOT,
                          env=os.environ.copy(), capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x' WHERE id = :id",
                                       "DELETE FROM audit_log WHERE id = :id"])
def test_postgresql_refuses_update_and_delete(pg, statement):
    row = add_row(pg)
    with pytest.raises(DBAPIError, match="append-only"):
        pg.execute(text(statement), {"id": row.id})
    pg.rollback()
    assert pg.get(AuditLog, row.id).action == "payment.paid"


def test_the_cli_names_the_first_tampered_row_and_checks_a_checkpoint(pg):
    row = add_row(pg, 1)
    add_row(pg, 2)
    intact = run_cli()
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("Audit chain intact")
    checkpoint = intact.stdout.split("Checkpoint of the current head: ")[1].strip()
    assert run_cli("--checkpoint", checkpoint).returncode == 0

    with trigger_disabled(pg):
        set_row(pg, row.id, details='{"amount_minor":0}')
        try:
            broken = run_cli()
            assert broken.returncode == 1
            assert f"Audit chain BROKEN: row #{row.id} was edited" in broken.stdout
        finally:
            set_row(pg, row.id, details=row.details)
    assert run_cli().returncode == 0
    forged = checkpoint.replace("mac=", "mac=0").rstrip()[:-1]
    assert run_cli("--checkpoint", forged).returncode == 1
    assert "Cannot verify" in run_cli("--checkpoint", "not a checkpoint").stderr


def outbox(email: str) -> list[dict]:
    return httpx.get(f"{get_settings().resend_base}/_sim/outbox", params={"to": email}, timeout=5).json()


def test_the_daily_job_runs_on_the_worker_pins_a_checkpoint_and_mails_the_admins(stack, pg):
    redis = providers.redis()
    redis.delete(LAST_CHECKPOINT_KEY)
    admin = new_staff(pg, Role.admin)
    add_row(pg, 3)
    job = Queue(QUEUE_NAME, connection=redis).enqueue("jobs.audit.verify_audit_chain")
    deadline = time.monotonic() + 30
    while job.get_status(refresh=True) not in (JobStatus.FINISHED, JobStatus.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.get_status() == JobStatus.FINISHED
    result = job.return_value()
    assert result["intact"] and result["mailed"] >= 1
    assert redis.get(LAST_CHECKPOINT_KEY).decode() == result["checkpoint"]
    recorded = pg.exec(select(AuditLog).where(AuditLog.action == "audit.verified").order_by(AuditLog.id.desc())).first()
    assert recorded is not None and '"intact":true' in recorded.details
    mail = outbox(admin.email)[0]
    assert mail["subject"] == "Hygate audit log verified" and result["checkpoint"] in mail["text"]


def test_a_rewrite_after_the_last_checkpoint_fails_the_next_run(stack, pg):
    redis = providers.redis()
    first = verify_audit_chain()
    assert first["intact"]
    rows = pg.exec(select(AuditLog).where(AuditLog.id >= first["head_row"]).order_by(AuditLog.id)).all()
    saved = [(r.id, r.details, r.prev_hash, r.row_hash) for r in rows]
    with trigger_disabled(pg):
        # Edit the pinned row and recompute every hash from there: the walk alone cannot tell.
        prev = rows[0].prev_hash
        for row in rows:
            if row.id == first["head_row"]:
                row.details = '{"amount_minor":1}'
            row.prev_hash, row.row_hash = prev, audit.row_hash(prev, row)
            prev = row.row_hash
            pg.add(row)
        pg.commit()
        try:
            second = verify_audit_chain()
        finally:
            for row_id, details, prev_hash, row_hash in saved:
                set_row(pg, row_id, details=details, prev_hash=prev_hash, row_hash=row_hash)
            relink_after(pg, saved[-1][0])
    assert second["first_broken_row"] is None and not second["intact"]
    assert "the chain was rewritten" in second["checkpoint_problem"]
    # A failed run does not move the pin: the alarm repeats until someone looks.
    assert redis.get(LAST_CHECKPOINT_KEY).decode() == first["checkpoint"]
    assert verify_audit_chain()["intact"]


def test_the_cron_schedule_runs_the_verifier_daily():
    scheduler = CronScheduler(connection=providers.redis())
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert jobs["jobs.audit.verify_audit_chain"].cron == "17 3 * * *"
    assert jobs["jobs.maintenance.session_cleanup"].interval == 300
