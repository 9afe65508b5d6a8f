"""Assembles the Starlette app that Reflex mounts in front of its own routes, with a cap on every request body
(request_limits.py)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route

from hygate_app.api import auth, qr_pdf, receipts
from hygate_app.api.branding_logo import branding_logo
from hygate_app.api.health import health
from hygate_app.api.payments_export import payments_csv
from hygate_app.api.report_export import report_csv
from hygate_app.api.request_limits import APP_MAX_BYTES, FORM_MAX_BYTES, WEBHOOK_MAX_BYTES
from hygate_app.api.stripe_webhook import stripe_webhook
from hygate_app.config import Settings
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator
from hygate_app.integrations.simulators.stripe_sim import create_stripe_simulator
from hygate_app.integrations.simulators.ttlock_sim import create_ttlock_simulator
from hygate_app.integrations.ttlock import md5_password
from hygate_app.services.demo import DEMO_SHELLY_DEVICES, DEMO_TTLOCK_LOCKS


def simulator_mounts(settings: Settings, public_base_url: str, stripe: bool = True, shelly: bool = True,
                     resend: bool = True, ttlock: bool = True) -> list[Mount]:
    """Stripe, Shelly Cloud, TTLock and Resend, speaking their real HTTP APIs, under `/_sim/…` of whatever serves
    them."""
    mounts = []
    if stripe:
        stripe_sim = create_stripe_simulator(
            secret_key=settings.stripe_secret_key,
            webhook_secret=settings.stripe_webhook_secret,
            webhook_url=f"{settings.local_url}/api/stripe/webhook",
            public_base_url=f"{public_base_url}/_sim/stripe",
        )
        mounts.append(Mount("/_sim/stripe", app=stripe_sim))
    if shelly:
        shelly_sim = create_shelly_simulator(settings.shelly_auth_key, [dict(d) for d in DEMO_SHELLY_DEVICES])
        mounts.append(Mount("/_sim/shelly", app=shelly_sim))
    if ttlock:
        ttlock_sim = create_ttlock_simulator(settings.ttlock_client_id, settings.ttlock_client_secret,
                                             settings.ttlock_username, md5_password(settings.ttlock_password),
                                             [dict(lock) for lock in DEMO_TTLOCK_LOCKS])
        mounts.append(Mount("/_sim/ttlock", app=ttlock_sim))
    if resend:
        mounts.append(Mount("/_sim/resend", app=create_resend_simulator(settings.resend_api_key)))
    return mounts


def build_simulators(settings: Settings) -> Starlette:
    """The simulators as their own process, so they outlive a restart of Hygate (as the real services do)."""
    return Starlette(routes=simulator_mounts(settings, f"http://localhost:{settings.simulators_port}"))


def build_api(settings: Settings) -> Starlette:
    form = {"methods": ["POST"], "max_body_size": FORM_MAX_BYTES}
    routes: list = [
        Route("/api/stripe/webhook", stripe_webhook, methods=["POST"], max_body_size=WEBHOOK_MAX_BYTES),
        Route("/api/health", health, methods=["GET"]),
        Route("/api/branding/logo", branding_logo, methods=["GET"]),
        Route("/receipt/{token}", receipts.receipt_html, methods=["GET"]),
        Route("/api/receipt/{token}.pdf", receipts.receipt_file, methods=["GET"]),
        Route("/api/auth/login", auth.login, **form),
        Route("/api/auth/verify", auth.verify, **form),
        Route("/api/auth/email-code", auth.email_code, **form),
        Route("/api/auth/logout", auth.logout, **form),
        Route("/api/auth/logout-everywhere", auth.logout, **form),
        Route("/api/admin/qr/device/{item_id}.pdf", qr_pdf.device_sheet, methods=["GET"]),
        Route("/api/admin/qr/door/{item_id}.pdf", qr_pdf.door_sheet, methods=["GET"]),
        Route("/api/admin/qr/location/{location_id}.pdf", qr_pdf.location_sheet, methods=["GET"]),
        Route("/api/admin/payments.csv", payments_csv, methods=["GET"]),
        Route("/api/admin/reports.csv", report_csv, methods=["GET"]),
    ]
    if settings.demo_mode:
        routes += simulator_mounts(settings, settings.base_url, stripe=not settings.stripe_api_base,
                                   shelly=not settings.shelly_server_url, resend=not settings.resend_api_base,
                                   ttlock=not settings.ttlock_api_base)
    return Starlette(routes=routes, max_body_size=APP_MAX_BYTES)
