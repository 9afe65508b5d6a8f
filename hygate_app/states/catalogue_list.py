"""What the Doors and Devices lists share: their state's vars, the search/location/page/sort handling and the
cloud sync with progress. Each page's state mixes this in before StaffState, keeps its own guarded handlers
(one capability each) and calls the `_`-methods here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import reflex as rx

from hygate_app.services.errors import DomainError
from hygate_app.states.catalogue_pages import location_options, next_sort, page_number

# A background task outlives its tab: a sync still running after this long (a cloud answering at its
# slowest for hundreds of items) is stopped, and what it refreshed so far is kept.
SYNC_TIME_CAP_SECONDS = 600
SORTS = ("name", "location", "mode", "online")


class CatalogueListMixin(rx.State, mixin=True):
    """Mixed in before StaffState by a state that has `_page_of_rows(search, location, page, sort, descending)
    -> dict` (one page of the list as the state's vars, run in a thread) and `_show_report(report)` (the sync's
    end)."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search_text: str = ""
    location_id: str = ""
    sort_key: str = "name"
    sort_desc: bool = False
    locations: list[dict[str, str]] = []
    # The cloud sync: progress while it runs, then what the account has that Hygate does not sell yet.
    syncing: bool = False
    sync_done: int = 0
    sync_total: int = 0
    sync_summary: str = ""
    cloud_new: list[dict[str, str]] = []
    _sync_started: float = 0.0

    async def _refresh(self) -> None:
        found = await asyncio.to_thread(self._page_of_rows, self.search_text, self.location_id, self.page,
                                        self.sort_key, self.sort_desc)
        for key, value in found.items():
            setattr(self, key, value)

    async def _load_list(self) -> None:
        self.notice, self.error = "", ""
        if self.syncing and time.time() - self._sync_started > SYNC_TIME_CAP_SECONDS:
            self.syncing = False  # its task died with a restarted backend: let staff start another
        self.locations = await asyncio.to_thread(location_options)
        await self._refresh()

    async def _apply_filter(self, form: dict) -> None:
        self.search_text = str(form.get("q", ""))[:100]
        self.location_id = str(form.get("location", ""))[:20]
        self.page = 1
        await self._refresh()

    async def _go(self, page: str) -> None:
        self.page = page_number(page)
        await self._refresh()

    async def _sort_by(self, key: str) -> None:
        self.sort_key, self.sort_desc = next_sort(self.sort_key, self.sort_desc, str(key), SORTS)
        self.page = 1
        await self._refresh()

    async def _sync(self, start: Callable[[], Iterator[Any]]) -> None:
        """For a background handler: runs outside the state lock, taking it only to show each step, so the page
        stays usable. `start()` (called in a thread: it may log in to the cloud) yields steps with `done`,
        `total` and, at the end, a `report`."""
        async with self:
            if self.syncing:
                return
            self.syncing, self.sync_done, self.sync_total, self.sync_summary = True, 0, 0, ""
            self.notice, self.error, self.cloud_new = "", "", []
            self._sync_started = started = time.time()
        try:
            steps = await asyncio.to_thread(start)
            while (step := await asyncio.to_thread(next, steps, None)) is not None:
                if time.time() - started > SYNC_TIME_CAP_SECONDS:
                    raise DomainError("The sync took too long and was stopped; run it again to finish.")
                async with self:
                    self.sync_done, self.sync_total = step.done, step.total
                    if step.report is not None:
                        self._show_report(step.report)
        except DomainError as exc:
            async with self:
                self.error = str(exc)
        finally:
            async with self:
                self.syncing = False
                await self._refresh()
