"""Recording stand-ins for the two outbound ports (the RQ queue and the push channel) in unit tests.

They sit at the edge: the services under test run for real against a real database and simulators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RecordingQueue:
    jobs: list[tuple[str, tuple, str | None]] = field(default_factory=list)
    scheduled: list[tuple[datetime, str, tuple, str | None]] = field(default_factory=list)

    def enqueue(self, func: str, *args: Any, job_id: str | None = None, retries: list[int] | None = None) -> None:
        self.jobs.append((func, args, job_id))

    def enqueue_at(self, when: datetime, func: str, *args: Any, job_id: str | None = None,
                   retries: list[int] | None = None) -> None:
        self.scheduled.append((when, func, args, job_id))

    def named(self, func: str) -> list[tuple]:
        return [args for name, args, _ in self.jobs if name == func]


@dataclass
class RecordingUpdates:
    tokens: list[str] = field(default_factory=list)

    def changed(self, guest_token: str) -> None:
        self.tokens.append(guest_token)
