"""The one small port through which services hand work to RQ, by the job's dotted name."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from redis import Redis
from rq import Queue, Retry

QUEUE_NAME = "hygate"


class JobQueue(Protocol):
    def enqueue(self, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None) -> None: ...

    def enqueue_at(
        self, when: datetime, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None
    ) -> None: ...


class RQJobQueue:
    """Jobs carry only ids: the job reads the truth from the database when it runs."""

    def __init__(self, redis: Redis) -> None:
        self.queue = Queue(QUEUE_NAME, connection=redis)

    def enqueue(self, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None) -> None:
        self.queue.enqueue(func, *args, job_id=job_id, retry=_retry(retries), result_ttl=3600, failure_ttl=7 * 86400)

    def enqueue_at(
        self, when: datetime, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None
    ) -> None:
        self.queue.enqueue_at(
            when, func, *args, job_id=job_id, retry=_retry(retries), result_ttl=3600, failure_ttl=7 * 86400
        )


def _retry(intervals: list[int] | None) -> Retry | None:
    return Retry(max=len(intervals), interval=intervals) if intervals else None
