"""Tables of the staff pages: the same look everywhere, an empty state instead of a blank grid."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx


def simple_table(headers: list[str | rx.Component], rows: rx.Var[list], cells: Callable[[rx.Var], list], empty: str,
                 **props) -> rx.Component:
    """`cells(row)` gives one component or text per header for a row; a header is text or a component (a sort
    button)."""
    return rx.cond(
        rows.length() > 0,
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(c) for c in cells(r)]))),
            size="1", width="100%",
        ), overflow_x="auto", width="100%", **props),
        rx.text(empty, size="2", color="var(--gray-11)", class_name="empty-state"),
    )
