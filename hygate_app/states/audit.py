"""State of `/admin/audit` (the filtered, paged log and the chain's last verification) and
`/admin/audit/[entry]` (one row with its hashes). Administrators only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hygate_app.db import session_scope
from hygate_app.services import audit_log_view
from hygate_app.services.audit_log_view import AuditRow
from hygate_app.services.authz import Capability
from hygate_app.services.errors import DomainError
from hygate_app.services.ids import row_id
from hygate_app.services.paging import PageRequest
from hygate_app.states.display import when
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event

PER_PAGE = 25
FILTER_FIELDS = ("actor", "actor_type", "action", "target_type", "target_id", "from", "to", "ip")


def _actor(row: AuditRow) -> str:
    if row.actor_email:
        return row.actor_email
    return f"{row.actor_type} {row.actor_id}" if row.actor_id else row.actor_type


def _target(row: AuditRow) -> str:
    return " ".join(p for p in (row.target_type, f"#{row.target_id}" if row.target_id else None) if p)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _summary(details: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={_value(v)}" for k, v in sorted(details.items()))
    return text if len(text) <= 80 else text[:79] + "…"


def _list(form: dict[str, str], page: int, oldest_first: bool) -> dict[str, Any]:
    with session_scope() as db:
        filters = audit_log_view.parse_filters(db, form)
        found = audit_log_view.list_audit_rows(db, filters, PageRequest(page, PER_PAGE, "time", not oldest_first))
        banner = audit_log_view.describe_chain(audit_log_view.chain_status(db))
        actions = audit_log_view.action_choices(audit_log_view.distinct_actions(db))
    return {
        "rows": [{"id": str(r.id), "when": when(r.created_at), "actor": _actor(r), "action": r.action,
                  "target": _target(r), "ip": r.ip or "", "details": _summary(r.details)} for r in found.rows],
        "page": found.page, "pages": found.pages, "total": found.total,
        "chain_tone": banner.tone, "chain_text": banner.text, "actions": actions,
    }


class AuditLogState(StaffState):
    filters: dict[str, str] = {}
    oldest_first: bool = False
    actions: list[str] = []
    rows: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    chain_tone: str = ""
    chain_text: str = ""

    async def _show(self, form: dict[str, str], page: int, oldest_first: bool) -> None:
        """Show one page for these filters and keep them; refused filters keep the last list shown."""
        self.error = ""
        try:
            result = await asyncio.to_thread(_list, form, page, oldest_first)
        except DomainError as exc:
            self.error = str(exc)
            return
        for key, value in result.items():
            setattr(self, key, value)
        self.filters, self.oldest_first = form, oldest_first

    @staff_event(Capability.audit_logs)
    async def load(self):
        self.notice, self.error = "", ""
        await self._show(dict(self.filters), 1, self.oldest_first)

    @staff_event(Capability.audit_logs)
    async def search(self, form: dict):
        wanted = {k: str(form.get(k, "") or "").strip()[:120] for k in FILTER_FIELDS}
        await self._show(wanted, 1, form.get("order") == "oldest")

    @staff_event(Capability.audit_logs)
    async def clear(self):
        await self._show({}, 1, False)

    @staff_event(Capability.audit_logs)
    async def go_to_page(self, page: str):
        await self._show(dict(self.filters), int(page) if str(page).isdigit() else 1, self.oldest_first)


def _entry(entry_id: int) -> dict[str, Any]:
    with session_scope() as db:
        row = audit_log_view.audit_row_detail(db, entry_id)
    return {
        "entry": {"id": str(row.id), "when": when(row.created_at), "actor": _actor(row),
                  "actor_type": row.actor_type, "actor_id": row.actor_id or "", "action": row.action,
                  "target": _target(row) or "none", "ip": row.ip or "unknown",
                  "user_agent": row.user_agent or "unknown",
                  "prev_hash": row.prev_hash, "row_hash": row.row_hash,
                  "hash_matches": "yes" if row.hash_matches else "",
                  "links_to_previous": "yes" if row.links_to_previous else ""},
        "details": [{"key": k, "value": _value(v)} for k, v in sorted(row.details.items())],
    }


class AuditEntryState(StaffState):
    entry: dict[str, str] = {}
    details: list[dict[str, str]] = []

    @staff_event(Capability.audit_logs)
    async def load(self):
        self.notice, self.error, self.entry, self.details = "", "", {}, []
        try:
            found = await asyncio.to_thread(_entry, row_id(last_path_segment(self.router.url.path)))
        except DomainError as exc:
            self.error = str(exc)
            return
        self.entry, self.details = found["entry"], found["details"]
