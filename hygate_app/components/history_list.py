"""Pieces of the Payments and Sessions lists: filter controls, sortable column headers, the pager and the table.

Every link here comes from the server (states/history_lists.py), built from the address, so a click is an
ordinary navigation that reloads the list through the page's `load`.
"""

from __future__ import annotations

import reflex as rx

from hygate_app.components.staff_shell import field

# Native controls (a select's options and the form's defaults come from state), dressed like Radix's.
CONTROL = {"padding": "6px 8px", "border": "1px solid var(--gray-a7)", "border_radius": "var(--radius-2)",
           "background": "var(--color-surface)", "color": "var(--gray-12)", "width": "100%", "font_size": "14px",
           "min_height": "32px"}


def filter_field(label: str, control: rx.Component) -> rx.Component:
    return rx.box(field(label, control), flex="1 1 170px", min_width="150px")


def select(name: str, value, first: str, fixed: list[tuple[str, str]] | None = None,
           options: rx.Var | None = None, **props) -> rx.Component:
    """A menu with an "any" first option: fixed (value, label) pairs, or options from state."""
    items = [rx.el.option(first, value="")]
    items += [rx.el.option(label, value=value_) for value_, label in (fixed or [])]
    if options is not None:
        items.append(rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["value"])))
    return rx.el.select(*items, name=name, default_value=value, style=CONTROL, **props)


def text_input(name: str, value, **props) -> rx.Component:
    return rx.el.input(name=name, default_value=value, style=CONTROL, **props)


def filter_buttons(clear_href: str) -> rx.Component:
    return rx.hstack(rx.button("Apply filters", type="submit", id="apply-filters"),
                     rx.link("Clear filters", href=clear_href, id="clear-filters", size="2"),
                     spacing="4", align="center")


def sort_header(label: str, key: str, state) -> rx.Component:
    """A column header that sorts by `key`; again, the other way round."""
    current = state.sort == key
    arrow = rx.cond(current, rx.cond(state.descending, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.link(label, arrow, href=state.sort_hrefs[key], id=f"sort-{key}", underline="hover"),
        aria_sort=rx.cond(current, rx.cond(state.descending, "descending", "ascending"), "none"),
    )


def pager(state) -> rx.Component:
    """"x–y of N" with previous/next links."""
    def step(label: str, href: rx.Var[str], id: str) -> rx.Component:
        return rx.cond(href != "", rx.link(label, href=href, id=id, size="2"),
                       rx.text(label, size="2", color="var(--gray-9)", aria_disabled="true"))

    return rx.hstack(
        rx.text(state.first.to_string(), "–", state.last.to_string(), " of ", state.total.to_string(), size="2",
                id="pager-range"),
        rx.spacer(),
        step("← Previous", state.prev_href, "prev-page"),
        step("Next →", state.next_href, "next-page"),
        spacing="4", align="center", width="100%",
    )


def paged_table(state, headers: list[rx.Component], row, empty: str, *, table_id: str,
                empty_id: str) -> rx.Component:
    """The list with its pager; when nothing matches, the empty state (and the pager, to step back)."""
    return rx.cond(
        state.rows.length() > 0,
        rx.vstack(
            rx.box(rx.table.root(rx.table.header(rx.table.row(*headers)), rx.table.body(rx.foreach(state.rows, row)),
                                 size="1", width="100%"), overflow_x="auto", width="100%", id=table_id),
            pager(state),
            spacing="3", width="100%",
        ),
        rx.vstack(
            rx.text(empty, size="2", color="var(--gray-11)", class_name="empty-state", id=empty_id),
            pager(state),
            width="100%",
        ),
    )


def fact_items(*items: tuple[str, rx.Component | rx.Var | str, str]) -> list[rx.Component]:
    """Label/value rows; each value carries an id for tests and assistive tech."""
    return [rx.data_list.item(rx.data_list.label(label), rx.data_list.value(rx.box(value, id=id)))
            for label, value, id in items]


def facts(*items: tuple[str, rx.Component | rx.Var | str, str], extra: rx.Component | None = None) -> rx.Component:
    """A label/value list; `extra` adds rows that depend on state (a `rx.cond` of fragments of `fact_items`)."""
    return rx.data_list.root(*fact_items(*items), *([extra] if extra is not None else []),
                             orientation=rx.breakpoints(initial="vertical", sm="horizontal"))
