"""`/admin/audit` and `/admin/audit/[entry]`: the audit log (administrators only), filtered and paged on the
server, each row's detail with its hashes, and the outcome of the chain's daily verification."""

import reflex as rx

from hygate_app.components.form_controls import native_select
from hygate_app.components.staff_shell import field, message, section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.states.audit import AuditEntryState as E
from hygate_app.states.audit import AuditLogState as S

ACTOR_TYPES = (("", "Any"), ("user", "Staff"), ("system", "System"), ("guest", "Guest"), ("stripe", "Stripe"))


def chain_banner(tone: rx.Var[str], text: rx.Var[str]) -> rx.Component:
    return rx.cond(text != "", rx.callout(
        text, icon="shield", color_scheme=rx.match(tone, ("green", "green"), ("red", "red"), "amber"), width="100%",
        id="chain-status", role=rx.cond(tone == "red", "alert", "status"), data_tone=tone))


def _input(name: str, **props) -> rx.Component:
    """Uncontrolled, re-mounted (key) when the kept filters change, so it shows the filter in force."""
    value = S.filters.get(name, "")
    return rx.input(name=name, default_value=value, key=value, id=f"audit-{name.replace('_', '-')}", **props)


def _form() -> rx.Component:
    def cell(component: rx.Component) -> rx.Component:
        return rx.box(component, min_width="160px", flex="1")

    action = S.filters.get("action", "")
    actor_type = S.filters.get("actor_type", "")
    return section("Filters", rx.form(rx.vstack(
        rx.flex(
            cell(field("Actor (e-mail or id)", _input("actor", max_length=120))),
            cell(field("Actor type", native_select(*[rx.el.option(label, value=v) for v, label in ACTOR_TYPES],
                                                  name="actor_type", default_value=actor_type, key=actor_type,
                                                  id="audit-actor-type"))),
            cell(field("Action", native_select(
                rx.el.option("Any action", value=""),
                rx.foreach(S.actions, lambda a: rx.el.option(rx.cond(a.endswith("."), a + "* (all)", a), value=a)),
                name="action", default_value=action, key=action + S.actions.length().to_string(),
                id="audit-action"))),
            cell(field("Target type", _input("target_type", max_length=32, placeholder="payment, user, door…"))),
            cell(field("Target id", _input("target_id", max_length=64))),
            cell(field("IP address", _input("ip", max_length=45))),
            cell(field("From (UTC day)", _input("from", type="date"))),
            cell(field("To (UTC day)", _input("to", type="date"))),
            cell(field("Order", native_select(rx.el.option("Newest first", value="newest"),
                                             rx.el.option("Oldest first", value="oldest"), name="order",
                                             default_value=rx.cond(S.oldest_first, "oldest", "newest"),
                                             key=S.oldest_first.to_string(), id="audit-order"))),
            gap="3", wrap="wrap", width="100%"),
        rx.hstack(rx.button("Apply filters", type="submit", id="apply-filters"),
                  rx.button("Clear", type="button", variant="soft", color_scheme="gray", on_click=S.clear,
                            id="clear-filters"), spacing="3"),
        spacing="3", width="100%"), on_submit=S.search, reset_on_submit=False, width="100%"))


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button("Previous", size="1", variant="soft", disabled=S.page <= 1, on_click=S.go_to_page(S.page - 1),
                  id="audit-previous"),
        rx.text("Page ", S.page.to_string(), " of ", S.pages.to_string(), " (", S.total.to_string(), " entries)",
                size="2", id="audit-page"),
        rx.button("Next", size="1", variant="soft", disabled=S.page >= S.pages, on_click=S.go_to_page(S.page + 1),
                  id="audit-next"),
        spacing="3", align="center")


def _open(r: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.link("Open", href="/admin/audit/" + r["id"], class_name="audit-open", aria_label="Open entry " + r["id"])


def audit_page() -> rx.Component:
    return staff_shell(
        chain_banner(S.chain_tone, S.chain_text),
        message(S.error, "red", id="error", role="alert"),
        _form(),
        section("Entries", simple_table(
            ["#", "When", "Actor", "Action", "Target", "IP", "Details", ""], S.rows,
            lambda r: [r["id"], r["when"], r["actor"], rx.code(r["action"]), r["target"], r["ip"],
                       rx.text(r["details"], size="1", color="var(--gray-11)"), _open(r)],
            "No audit entries match these filters.", id="audit-rows"), _pager()),
        title="Audit Logs",
        access_denied=S.access_denied,
        wide=True,
    )


def _fact(label: str, value: rx.Var[str] | rx.Component, id: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value, id=id))


def _check(ok: rx.Var[str], yes: str, no: str) -> rx.Component:
    return rx.cond(ok != "", rx.badge(yes, color_scheme="green"), rx.badge(no, color_scheme="red"))


def audit_entry_page() -> rx.Component:
    e = E.entry
    return staff_shell(
        message(E.error, "red", id="error", role="alert"),
        rx.cond(e.get("id", "") != "", rx.vstack(
            section("Entry", rx.data_list.root(
                _fact("Time", e["when"], "entry-when"),
                _fact("Actor", rx.text(e["actor"], " (", e["actor_type"], ")"), "entry-actor"),
                _fact("Action", rx.code(e["action"]), "entry-action"),
                _fact("Target", e["target"], "entry-target"),
                _fact("IP address", e["ip"], "entry-ip"),
                _fact("User agent", rx.text(e["user_agent"], size="2", style={"word_break": "break-all"}),
                      "entry-user-agent"),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"))),
            section("Details", simple_table(["Field", "Value"], E.details,
                                            lambda d: [rx.code(d["key"]),
                                                       rx.text(d["value"], style={"word_break": "break-all"})],
                                            "No details were recorded.", id="entry-details")),
            section("Hash chain", rx.data_list.root(
                _fact("Previous hash", rx.code(e["prev_hash"], style={"word_break": "break-all"}), "entry-prev-hash"),
                _fact("Row hash", rx.code(e["row_hash"], style={"word_break": "break-all"}), "entry-row-hash"),
                _fact("Content", _check(e["hash_matches"], "matches its hash", "does not match its hash"),
                      "entry-hash-matches"),
                _fact("Link", _check(e["links_to_previous"], "follows the previous row",
                                     "does not follow the previous row"), "entry-links"),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"))),
            rx.link("Back to the audit log", href="/admin/audit", id="back-to-audit"),
            spacing="5", width="100%")),
        title=rx.cond(e.get("id", "") != "", "Audit entry #" + e.get("id", ""), "Audit entry"),
        access_denied=E.access_denied,
        crumbs=(("Audit Logs", "/admin/audit"),),
        wide=True,
    )
