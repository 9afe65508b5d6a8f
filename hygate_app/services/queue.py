"""The one small port through which services hand work to RQ, by the job's dotted name."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from redis import Redis
from rq import Queue, Retry

from hygate_app.integrations.retries import jittered

QUEUE_NAME = "hygate"


class JobQueue(Protocol):
    def enqueue(self, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None) -> None: ...

    def enqueue_at(
        self, when: datetime, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None
    ) -> None: ...


class RQJobQueue:
    """Jobs carry only ids: the job reads the truth from the database when it runs. Retry intervals are jittered
    as each job is queued, so the jobs that failed in one outage do not all run again in the same second."""

    def __init__(self, redis: Redis, rand: Callable[[], float] = random.random) -> None:
        self.queue = Queue(QUEUE_NAME, connection=redis)
        self._rand = rand

    def enqueue(self, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None) -> None:
        self.queue.enqueue(func, *args, job_id=job_id, retry=self._retry(retries), result_ttl=3600,
                           failure_ttl=7 * 86400)

    def enqueue_at(
        self, when: datetime, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None
    ) -> None:
        self.queue.enqueue_at(
            when, func, *args, job_id=job_id, retry=self._retry(retries), result_ttl=3600, failure_ttl=7 * 86400
        )

    def _retry(self, intervals: list[int] | None) -> Retry | None:
        return Retry(max=len(intervals), interval=jittered(intervals, self._rand)) if intervals else None
