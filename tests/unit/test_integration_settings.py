"""Settings → Integrations: secrets stored encrypted and shown only masked, stored values winning over the
environment, every change a new version, and the clients rebuilt when (and only when) the version moves."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlmodel import select

from hygate_app import providers
from hygate_app.config import Settings
from hygate_app.models import AuditLog, Integration, IntegrationCredential, Role
from hygate_app.services import audit, integration_settings
from hygate_app.services.errors import InvalidInput, NotFound
from tests.support.staff import new_staff

ENV = Settings(STRIPE_SECRET_KEY="sk_test_from_environment", STRIPE_WEBHOOK_SECRET="whsec_from_environment",
               SHELLY_AUTH_KEY="shelly-env-key", SHELLY_SERVER_URL="https://shelly-1-eu.shelly.cloud",
               RESEND_API_KEY="re_env_key", MAIL_FROM="Env <env@example.com>", TTLOCK_CLIENT_SECRET="",
               HYGATE_DEMO="false")


@pytest.fixture
def actor(db):
    admin = new_staff(db, Role.admin)
    return audit.Actor("user", str(admin.id), "203.0.113.9", "pytest")


def view(db, integration, name):
    return next(v for v in integration_settings.views(db, ENV)
                if v.integration == integration and v.name == name)


@pytest.mark.parametrize(("secret", "shown"), [
    ("sk_live_51HxYzAbCdEf4242", "set, ends in …4242"),
    ("abcdefghijkl", "set, ends in …ijkl"),
    ("short-key", "set"),  # too short to give away its end
])
def test_mask_shows_at_most_the_last_four_characters(secret, shown):
    assert integration_settings.mask(secret) == shown


def test_a_stored_secret_is_encrypted_audited_and_shown_only_masked(db, actor):
    secret = "sk_test_51Stored0000Secret4242"
    integration_settings.save(db, "stripe", "secret_key", f"  {secret} ", actor)
    row = db.exec(select(IntegrationCredential)).one()
    assert secret not in row.ciphertext
    shown = view(db, "stripe", "secret_key")
    assert (shown.status, shown.value, shown.stored) == ("set, ends in …4242", "", True)
    assert all(secret not in v.status + v.value for v in integration_settings.views(db, ENV))
    logged = db.exec(select(AuditLog).where(AuditLog.action == "integration_credential.stored")).one()
    assert secret not in logged.details and json.loads(logged.details)["field"] == "secret_key"


def test_without_a_stored_value_the_environment_is_used_and_the_page_says_so(db):
    assert view(db, "resend", "api_key").status == "not set; using the server's environment value"
    assert view(db, "ttlock", "client_secret").status == "not set"  # the environment leaves it empty
    plain = view(db, "shelly", "server_url")
    assert (plain.status, plain.value) == ("not set; using the server's environment value",
                                           "https://shelly-1-eu.shelly.cloud")
    config = integration_settings.effective(db, ENV)
    assert (config.stripe_secret_key, config.shelly_auth_key, config.mail_from) == (
        "sk_test_from_environment", "shelly-env-key", "Env <env@example.com>")


def test_stored_values_take_precedence_over_the_environment_until_removed(db, actor):
    integration_settings.save(db, Integration.shelly, "auth_key", "stored-shelly-key-0001", actor)
    integration_settings.save(db, Integration.shelly, "server_url", "https://shelly-77-eu.shelly.cloud/", actor)
    integration_settings.save(db, Integration.resend, "sender", "Laundry <laundry@example.org>", actor)
    integration_settings.save(db, Integration.stripe, "webhook_secret", "whsec_stored_for_webhooks", actor)
    config = integration_settings.effective(db, ENV)
    assert config.shelly_auth_key == "stored-shelly-key-0001"
    assert config.shelly_base == "https://shelly-77-eu.shelly.cloud"
    assert config.mail_from == "Laundry <laundry@example.org>"
    assert config.stripe_webhook_secret == "whsec_stored_for_webhooks"
    assert config.stripe_secret_key == "sk_test_from_environment"  # not stored: still the environment's

    integration_settings.clear(db, "shelly", "auth_key", actor)
    integration_settings.clear(db, "resend", "sender", actor)
    config = integration_settings.effective(db, ENV)
    assert (config.shelly_auth_key, config.mail_from) == ("shelly-env-key", "Env <env@example.com>")
    assert db.exec(select(IntegrationCredential)).all() != []  # the webhook secret stays
    cleared = {r.action for r in db.exec(select(AuditLog)).all()}
    assert {"integration_credential.cleared", "integration_setting.cleared", "integration_setting.changed"} <= cleared
    with pytest.raises(NotFound):
        integration_settings.clear(db, "shelly", "auth_key", actor)


def test_every_change_gives_a_new_version(db, actor):
    seen = {integration_settings.version(db)}
    integration_settings.save(db, "stripe", "secret_key", "sk_test_aaaaaaaaaaaa", actor)
    seen.add(integration_settings.version(db))
    integration_settings.save(db, "stripe", "secret_key", "sk_test_bbbbbbbbbbbb", actor)
    seen.add(integration_settings.version(db))
    integration_settings.save(db, "resend", "sender", "a@example.com", actor)
    seen.add(integration_settings.version(db))
    integration_settings.clear(db, "stripe", "secret_key", actor)
    seen.add(integration_settings.version(db))
    assert len(seen) == 5


@pytest.mark.parametrize(("integration", "name", "value", "error"), [
    ("stripe", "secret_key", "   ", "Enter the secret key"),
    ("stripe", "secret_key", "sk_test with space", "spaces"),
    ("shelly", "auth_key", "x" * 501, "longer than 500"),
    ("shelly", "server_url", "ftp://shelly.example", "server URL"),
    ("resend", "sender", "not an address", "sender"),
    ("nope", "secret_key", "x", "No such integration"),
])
def test_bad_values_are_refused_and_nothing_changes(db, actor, integration, name, value, error):
    before = integration_settings.version(db)
    with pytest.raises((InvalidInput, NotFound), match=error):
        integration_settings.save(db, integration, name, value, actor)
    db.rollback()
    assert integration_settings.version(db) == before
    assert db.exec(select(IntegrationCredential)).all() == []


@pytest.fixture
def on_unit_db(db, monkeypatch):
    """providers read the configuration through `session_scope`: point it at this test's database."""

    @contextmanager
    def scope():
        yield db

    monkeypatch.setattr(providers, "session_scope", scope)
    providers.forget_clients()
    yield
    providers.forget_clients()


def test_clients_are_reused_until_the_version_changes_then_rebuilt_with_the_stored_key(db, actor, on_unit_db):
    first = providers.shelly_client()
    assert providers.shelly_client() is first  # nothing changed: the same client, no rebuild
    integration_settings.save(db, "shelly", "auth_key", "a-brand-new-shelly-key", actor)
    rebuilt = providers.shelly_client()
    assert rebuilt is not first
    assert rebuilt._auth_key == "a-brand-new-shelly-key"
    assert providers.shelly_client() is rebuilt


def test_the_webhook_secret_follows_the_stored_value(db, actor, on_unit_db):
    from hygate_app.config import get_settings

    assert providers.stripe_webhook_secret() == get_settings().stripe_webhook_secret
    integration_settings.save(db, "stripe", "webhook_secret", "whsec_rotated_by_an_admin", actor)
    assert providers.stripe_webhook_secret() == "whsec_rotated_by_an_admin"
    integration_settings.clear(db, "stripe", "webhook_secret", actor)
    assert providers.stripe_webhook_secret() == get_settings().stripe_webhook_secret
