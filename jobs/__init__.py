"""RQ job functions: thin wrappers that open a DB session and call a service."""

from __future__ import annotations

from rq import get_current_job


def is_final_attempt() -> bool:
    """True on the last try RQ will make (no Retry configured, or none left)."""
    job = get_current_job()
    return job is None or not job.retries_left
