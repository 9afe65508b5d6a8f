"""Reflex configuration, derived from Hygate's settings (which read the environment)."""

import reflex as rx

from hygate_app.config import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="hygate_app",
    # The frontend is served by the backend process on one port.
    api_url=_settings.base_url,
    deploy_url=_settings.base_url,
    backend_port=_settings.port,
    frontend_port=_settings.port,
    redis_url=_settings.redis_url,
    state_manager_mode="redis",
    cors_allowed_origins=[_settings.base_url],
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="light", accent_color="blue", radius="large"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
