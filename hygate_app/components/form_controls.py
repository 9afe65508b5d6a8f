"""A native select looking like the theme's inputs: native so that a form submits it by name and long lists
stay fast and searchable by typing, styled so that it sits in a row of text and date fields."""

from __future__ import annotations

import reflex as rx

SELECT_STYLE = {
    "width": "100%", "height": "var(--space-6)", "padding": "0 var(--space-2)", "font_size": "var(--font-size-2)",
    "border": "1px solid var(--gray-a7)", "border_radius": "var(--radius-2)", "background": "var(--color-surface)",
    "color": "var(--gray-12)", "box_sizing": "border-box",
}


def native_select(*options: rx.Component, **props) -> rx.Component:
    return rx.el.select(*options, style=SELECT_STYLE, **props)
