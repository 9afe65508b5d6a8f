"""What the Audit Logs page reads: filtered, paged audit rows, one row with its hashes, and the chain's last check.

Read-only: nothing here writes to the audit log, which only `services.audit.record` appends to.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, func, select

from hygate_app.models import AuditLog, User
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.local_time import FIRST_DAY, LAST_DAY, typed_day
from hygate_app.services.paging import Page, PageRequest, paginate
from hygate_app.services.typed_text import UNSEARCHABLE, storable

VERIFICATION_ACTIONS = ("audit.verified", "audit.verification_failed")
# The verifier runs daily; a result older than this means the scheduled job has stopped.
VERIFICATION_OVERDUE = timedelta(hours=36)
SORTABLE = {"time": AuditLog.created_at}


@dataclass(frozen=True)
class AuditFilters:
    """Empty fields do not filter. `action` ending in "." is a prefix ("auth." = every auth event).
    A `date` bound covers that whole UTC day; a `datetime` bound (aware) is used as is, both inclusive."""

    actor_id: str | None = None
    actor_type: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    ip: str | None = None  # any part of the address


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor_type: str
    actor_id: str | None
    actor_email: str | None  # when the actor is a staff member who still exists
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditRowDetail(AuditRow):
    prev_hash: str
    row_hash: str
    hash_matches: bool  # the row's content still gives its stored hash
    links_to_previous: bool  # prev_hash is the previous row's hash (the genesis hash for the first row)


class ChainState(enum.StrEnum):
    verified = "verified"
    failed = "failed"
    never = "never"


@dataclass(frozen=True)
class ChainStatus:
    status: ChainState
    at: datetime | None = None
    rows: int | None = None
    first_broken_row: int | None = None
    checkpoint_problem: str | None = None

    def overdue(self, now: datetime | None = None) -> bool:
        """True when the daily check has not run lately (or ever), so its last word is no longer news."""
        return self.at is None or (now or utcnow()) - self.at > VERIFICATION_OVERDUE


def _clean(value: str | None) -> str | None:
    value = "" if value is None else str(value).strip()
    return value or None


def _bound(value: date | datetime, end: bool) -> datetime:
    """A datetime as is; a date as its UTC start (from) or the next day's start (to, exclusive)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInput("Dates and times for the audit log filter need a time zone.")
        return value
    day = datetime.combine(value, time.min, tzinfo=UTC)
    return day + timedelta(days=1) if end else day


def _filtered(query: Any, f: AuditFilters) -> Any:
    exact = {AuditLog.actor_id: f.actor_id, AuditLog.actor_type: f.actor_type,
             AuditLog.target_type: f.target_type, AuditLog.target_id: f.target_id}
    for column, value in exact.items():
        if _clean(value) is not None:
            query = query.where(column == _clean(value))
    if (action := _clean(f.action)) is not None:
        query = query.where(AuditLog.action.startswith(action, autoescape=True) if action.endswith(".")
                            else AuditLog.action == action)
    if (ip := _clean(f.ip)) is not None:
        query = query.where(AuditLog.ip.icontains(ip, autoescape=True))
    return _within_dates(query, f)


def _within_dates(query: Any, f: AuditFilters) -> Any:
    start = _bound(f.date_from, end=False) if f.date_from else None
    stop = _bound(f.date_to, end=True) if f.date_to else None
    stop_inclusive = isinstance(f.date_to, datetime)  # a date's stop is the next midnight, excluded
    if start and stop and (start > stop if stop_inclusive else start >= stop):
        raise InvalidInput("The start of the date range is after its end.")
    if start:
        query = query.where(AuditLog.created_at >= start)
    if stop:
        query = query.where(AuditLog.created_at <= stop if stop_inclusive else AuditLog.created_at < stop)
    return query


def _details(raw: str) -> dict[str, Any]:
    """Rows are written as canonical JSON; a row edited by hand may not be, and is still shown."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {"unparsed": raw}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def _user_emails(db: Session, rows: list[AuditLog]) -> dict[str, str]:
    """E-mails of the staff actors on one page: a lookup by primary key, as actor_id is a string column."""
    ids = {int(r.actor_id) for r in rows
           if r.actor_type == "user" and r.actor_id and r.actor_id.isascii() and r.actor_id.isdigit()}
    if not ids:
        return {}
    return {str(uid): email for uid, email in db.exec(select(User.id, User.email).where(User.id.in_(ids))).all()}


def _row(row: AuditLog, emails: dict[str, str]) -> AuditRow:
    email = emails.get(row.actor_id) if row.actor_type == "user" and row.actor_id else None
    return AuditRow(row.id, row.created_at, row.actor_type, row.actor_id, email, row.action, row.target_type,
                    row.target_id, row.ip, row.user_agent, _details(row.details))


def list_audit_rows(db: Session, filters: AuditFilters, request: PageRequest) -> Page[AuditRow]:
    """Newest first unless asked otherwise; the only sort key is "time"."""
    page = paginate(db, _filtered(select(AuditLog), filters), request, SORTABLE, AuditLog.id, "time")
    emails = _user_emails(db, page.rows)
    return Page([_row(r, emails) for r in page.rows], page.total, page.page, page.per_page)


def audit_row_detail(db: Session, row_id: int) -> AuditRowDetail:
    row = db.get(AuditLog, row_id)
    if row is None:
        raise NotFound("No such audit log entry.")
    previous = db.exec(select(AuditLog.row_hash).where(AuditLog.id < row.id).order_by(AuditLog.id.desc())
                       .limit(1)).first()
    base = _row(row, _user_emails(db, [row]))
    return AuditRowDetail(**asdict(base), prev_hash=row.prev_hash, row_hash=row.row_hash,
                          hash_matches=_hash_matches(row),
                          links_to_previous=row.prev_hash == (previous or audit.GENESIS_HASH))


def _hash_matches(row: AuditLog) -> bool:
    try:
        return audit.row_hash(row.prev_hash, row) == row.row_hash
    except ValueError:  # details that are no longer JSON cannot be what was hashed
        return False


def distinct_actions(db: Session) -> list[str]:
    """For the action filter's dropdown: every action that has been recorded, alphabetically."""
    return list(db.exec(select(AuditLog.action).distinct().order_by(AuditLog.action)).all())


def chain_status(db: Session) -> ChainStatus:
    """The outcome of the most recent daily verification (jobs/audit.py), as recorded in the chain itself."""
    row = db.exec(select(AuditLog).where(AuditLog.action.in_(VERIFICATION_ACTIONS))
                  .order_by(AuditLog.id.desc()).limit(1)).first()
    if row is None:
        return ChainStatus(ChainState.never)
    details = _details(row.details)
    state = ChainState.verified if row.action == "audit.verified" else ChainState.failed
    return ChainStatus(state, row.created_at, details.get("rows"), details.get("first_broken_row"),
                       details.get("checkpoint_problem"))


ACTOR_TYPES = ("user", "system", "guest", "stripe")


def _day(value: Any, what: str) -> date | None:
    text = _clean(value)
    if text is None:
        return None
    day = typed_day(text)
    if day is None:
        raise InvalidInput(f"The {what} date must be a date like 2026-06-30, from {FIRST_DAY.year} to "
                           f"{LAST_DAY.year}.")
    return day


def parse_filters(db: Session, form: dict[str, Any]) -> AuditFilters:
    """The Audit Logs form as filters. The actor is a staff member's e-mail or any actor id; dates are UTC days
    (a reversed range is refused when the rows are listed)."""
    if not all(storable(str(value)) for value in form.values()):
        raise InvalidInput(UNSEARCHABLE)
    actor_type, actor_id = _clean(form.get("actor_type")), _clean(form.get("actor"))
    if actor_type is not None and actor_type not in ACTOR_TYPES:
        raise InvalidInput("Choose an actor type from the list.")
    if actor_id is not None and "@" in actor_id:
        user_id = db.exec(select(User.id).where(func.lower(User.email) == actor_id.lower())).first()
        if user_id is None:
            raise InvalidInput(f"No staff member has the e-mail {actor_id}.")
        actor_type, actor_id = actor_type or "user", str(user_id)
    return AuditFilters(actor_id=actor_id, actor_type=actor_type, action=_clean(form.get("action")),
                        target_type=_clean(form.get("target_type")), target_id=_clean(form.get("target_id")),
                        date_from=_day(form.get("from"), "start"), date_to=_day(form.get("to"), "end"),
                        ip=_clean(form.get("ip")))


def action_choices(actions: list[str]) -> list[str]:
    """The action filter's options: each family shared by several actions ("auth." = every auth event), then
    every action, alphabetically."""
    families: dict[str, int] = {}
    for action in actions:
        if "." in action:
            family = action.split(".", 1)[0] + "."
            families[family] = families.get(family, 0) + 1
    return sorted([f for f, n in families.items() if n > 1] + list(actions))


@dataclass(frozen=True)
class ChainBanner:
    tone: str  # green | red | amber
    text: str


def describe_chain(status: ChainStatus, now: datetime | None = None) -> ChainBanner:
    """What the banner above the log says: a failure first, then whether the daily check is overdue."""
    when = status.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if status.at else ""
    if status.status is ChainState.never:
        return ChainBanner("amber", "The audit chain has never been verified: the daily verification job has not "
                                    "run yet. Check that the scheduler (rq cron) is running.")
    if status.status is ChainState.failed:
        parts = [f"Verification FAILED on {when}."]
        if status.first_broken_row is not None:
            parts.append(f"Row #{status.first_broken_row} was edited, deleted or moved.")
        if status.checkpoint_problem:
            parts.append(status.checkpoint_problem)
        return ChainBanner("red", " ".join(parts))
    rows = f" ({status.rows} rows)" if status.rows is not None else ""
    if status.overdue(now):
        return ChainBanner("amber", f"Overdue: the chain was last verified intact on {when}{rows}, more than "
                                    f"{int(VERIFICATION_OVERDUE.total_seconds() // 3600)} hours ago. Check that the "
                                    "daily verification job is running.")
    return ChainBanner("green", f"Chain verified intact on {when}{rows}.")
