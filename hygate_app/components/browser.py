"""Browser-side pieces: the countdown circle and a full-page redirect (sources in assets/), and a native form."""

import reflex as rx
from reflex_components_core.el.element import Element


class CountdownCircle(rx.Component):
    library = "$/public/countdown_circle.jsx"
    tag = "CountdownCircle"

    status: rx.Var[str]
    starts_at: rx.Var[int]
    ends_at: rx.Var[int]
    finishing_ms: rx.Var[int]
    server_now: rx.Var[int]
    accent: rx.Var[str]


class NavigateTo(rx.Component):
    library = "$/public/navigate_to.jsx"
    tag = "NavigateTo"

    href: rx.Var[str]


class PostForm(Element):
    """A plain HTML form that the browser submits itself (Reflex's own form always prevents that):
    sign-in must be a real POST so the server can set an HttpOnly cookie."""

    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


countdown_circle = CountdownCircle.create
post_form = PostForm.create
navigate_to = NavigateTo.create
