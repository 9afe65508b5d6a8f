"""Wrapped local React components (sources in assets/): the countdown circle and a full-page redirect."""

import reflex as rx


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


countdown_circle = CountdownCircle.create
navigate_to = NavigateTo.create
