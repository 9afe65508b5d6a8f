"""The search box, location filter and pager above and below the door and device lists (paging is server side)."""

from __future__ import annotations

import reflex as rx

from hygate_app.components.staff_shell import section


def location_select(locations: rx.Var[list[dict[str, str]]], name: str, value: rx.Var[str] | str, *,
                    any_label: str = "", **props) -> rx.Component:
    """A native select of the locations; `any_label` adds a first choice with an empty value. Its key follows
    the value and the choices, so it shows the saved location once the state has arrived."""
    first = [rx.el.option(any_label, value="")] if any_label else []
    return rx.el.select(*first, rx.foreach(locations, lambda loc: rx.el.option(loc["name"], value=loc["id"])),
                        name=name, default_value=value, key=value.to(str) + "-" + locations.length().to_string()
                        if isinstance(value, rx.Var) else value, **props)


def filters(state, what: str) -> rx.Component:
    """Search and location filter; `state` has search_text, location_id, locations and apply_filter."""
    return rx.form(rx.flex(
        rx.input(name="q", default_value=state.search_text, placeholder=f"Search {what} by name or code",
                 aria_label="Search", id="search", max_length=100, flex="1", min_width="180px"),
        location_select(state.locations, "location", state.location_id, any_label="All locations",
                        aria_label="Location", id="location-filter",
                        style={"padding": "6px", "border_radius": "6px"}),
        rx.button("Search", type="submit", variant="soft", id="apply-filter"),
        gap="2", wrap="wrap", align="center", width="100%"),
        on_submit=state.apply_filter, reset_on_submit=False, width="100%")


def pager(state) -> rx.Component:
    """`state` has page, pages, total and go(page)."""
    return rx.hstack(
        rx.button("Previous", size="1", variant="soft", disabled=state.page <= 1,
                  on_click=state.go((state.page - 1).to_string()), id="page-previous"),
        rx.text("Page ", state.page.to_string(), " of ", state.pages.to_string(), " · ", state.total.to_string(),
                " in all", size="2", id="page-info"),
        rx.button("Next", size="1", variant="soft", disabled=state.page >= state.pages,
                  on_click=state.go((state.page + 1).to_string()), id="page-next"),
        spacing="3", align="center",
    )


def sort_header(state, label: str, key: str) -> rx.Component:
    """A column header that sorts the list on the server by `key`; a second click reverses the order.
    `state` has sort_key, sort_desc and sort_by(key)."""
    active = state.sort_key == key
    return rx.el.button(
        label, rx.cond(active, rx.cond(state.sort_desc, " ↓", " ↑"), ""),
        on_click=state.sort_by(key), type="button", id=f"sort-{key}",
        aria_label=f"Sort by {label.lower()}", data_sorted=rx.cond(active, rx.cond(state.sort_desc, "desc", "asc"), ""),
        style={"background": "none", "border": "none", "padding": "0", "font": "inherit", "cursor": "pointer",
               "color": "inherit", "font_weight": rx.cond(active, "700", "inherit")},
    )


def sync_panel(state, *, title: str, text: str, button_id: str, items: str, asking: str, new_text: str,
               import_row, new_id: str) -> rx.Component:
    """The cloud sync of a list page (`state` mixes in CatalogueListMixin): the button, progress while it runs,
    its summary, then what the account has that Hygate does not sell yet, each with its import form."""
    return section(
        title,
        rx.text(text, size="2", color="var(--gray-11)"),
        rx.hstack(rx.button(rx.cond(state.syncing, "Syncing…", "Sync now"), on_click=state.sync,
                            loading=state.syncing, id=button_id), spacing="3", align="center"),
        rx.cond(state.syncing, rx.vstack(
            rx.progress(value=rx.cond(state.sync_total > 0, state.sync_done * 100 / state.sync_total, 0), max=100,
                        width="100%"),
            rx.text(rx.cond(state.sync_total > 0, "Checked " + state.sync_done.to_string() + " of "
                            + state.sync_total.to_string() + f" {items}…", asking), size="2"),
            spacing="2", width="100%", id="sync-progress", role="status")),
        rx.cond(state.sync_summary != "", rx.text(state.sync_summary, size="2", id="sync-summary")),
        rx.cond(state.cloud_new.length() > 0, rx.vstack(
            rx.text(new_text, size="2", weight="medium"),
            rx.foreach(state.cloud_new, import_row), spacing="2", width="100%", id=new_id)),
        id="sync",
    )
