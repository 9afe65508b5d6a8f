"""Server-side paging and sorting for every admin list: one page of rows and the total, never the whole table.

Sort keys are names the page knows (`"created"`, `"amount"`), mapped by each service to a column, so a
browser can never sort by an arbitrary expression. The id breaks ties, so pages never overlap or skip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 25
    sort: str = ""
    descending: bool = True

    def clamped(self) -> PageRequest:
        """Whatever the browser sent, a page number ≥ 1 and a size between 1 and MAX_PER_PAGE."""
        return PageRequest(max(1, int(self.page)), min(MAX_PER_PAGE, max(1, int(self.per_page))), self.sort,
                           bool(self.descending))


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(db: Session, query: Any, request: PageRequest, sortable: dict[str, Any], id_column: Any,
             default_sort: str) -> Page:
    """Run `query` (a `select`, filters applied) for one page. Unknown sort keys fall back to `default_sort`."""
    request = request.clamped()
    column = sortable[request.sort] if request.sort in sortable else sortable[default_sort]
    order = (column.desc(), id_column.desc()) if request.descending else (column.asc(), id_column.asc())
    total = db.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    rows = db.exec(query.order_by(*order).offset((request.page - 1) * request.per_page).limit(request.per_page)).all()
    return Page(list(rows), total, request.page, request.per_page)
