"""The fault suite runs on the whole stack (`stack` fixture): each test breaks something, lets Hygate recover
on its own (its worker retries, the cleanup pass the cron would run), then checks the invariants."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from tests.support.faults import FaultRun, clear_faults, last_payment_id, start_worker
from tests.support.stack import Stack


@pytest.fixture
def run(stack: Stack, pg: Session) -> Iterator[FaultRun]:
    """A healthy stack before and after: faults cleared, webhooks flowing, the worker running."""
    clear_faults()
    yield FaultRun(stack, pg, last_payment_id(pg))
    clear_faults()
    if "worker" not in stack.processes:
        start_worker(stack)
