"""Browser-side pieces: the countdown circle, a full-page redirect and the guest's language menu (sources in
assets/), and a native form."""

import reflex as rx
from reflex_components_core.el.element import Element

from hygate_app.services.translations import N_

# The guest catalogue's messages the countdown circle shows (it is given the catalogue as `texts`).
COUNTDOWN_MESSAGES = (
    N_("countdown.awaiting_payment"), N_("countdown.starting"), N_("countdown.grace"), N_("countdown.running"),
    N_("countdown.finishing"), N_("countdown.complete"), N_("countdown.cancelled"), N_("countdown.failed"),
    N_("countdown.interrupted"),
    N_("countdown.starts_in"), N_("countdown.time_left"), N_("countdown.finishing_left"), N_("countdown.done"),
    N_("countdown.minutes_left_one"), N_("countdown.minutes_left_other"), N_("countdown.seconds_left"),
)


class CountdownCircle(rx.Component):
    library = "$/public/countdown_circle.jsx"
    tag = "CountdownCircle"

    status: rx.Var[str]
    starts_at: rx.Var[int]
    ends_at: rx.Var[int]
    finishing_ms: rx.Var[int]
    server_now: rx.Var[int]
    accent: rx.Var[str]
    texts: rx.Var[dict[str, str]]
    lang: rx.Var[str]
    spoken_marks: rx.Var[list[int]]  # seconds left at which screen readers are told the time


class NavigateTo(rx.Component):
    library = "$/public/navigate_to.jsx"
    tag = "NavigateTo"

    href: rx.Var[str]


class GuestLanguage(rx.Component):
    """The language menu; it also sets `<html lang>` and the tab's title to the page's language."""

    library = "$/public/guest_language.jsx"
    tag = "GuestLanguage"

    value: rx.Var[str]
    label: rx.Var[str]
    languages: rx.Var[dict[str, str]]
    title: rx.Var[str]


class PostForm(Element):
    """A plain HTML form that the browser submits itself (Reflex's own form always prevents that):
    sign-in must be a real POST so the server can set an HttpOnly cookie."""

    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


countdown_circle = CountdownCircle.create
post_form = PostForm.create
navigate_to = NavigateTo.create
guest_language = GuestLanguage.create
