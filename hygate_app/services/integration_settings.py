"""Settings → Integrations: what an administrator stores for Stripe, Shelly Cloud, TTLock and Resend, and the
values the clients use.

A secret goes through `credentials.store_credential` (AES-GCM, bound to its row, audited) and is never read back
to a page in full: the page gets `mask()`. Values that are not secret (a server URL, the sender address, an
account or client id) are kept as plain JSON in the `integrations` settings row. A stored value takes precedence
over the environment; clearing it falls back to the environment again.

Every change also writes a new random `version` into the same row, in the same transaction, so each process can
tell with one primary-key read whether the clients it has built are still current (see `providers`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from sqlmodel import Session, select

from hygate_app.config import Settings
from hygate_app.models import Integration, IntegrationCredential, Setting
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, credentials
from hygate_app.services.encryption import EncryptionError, KeyRing
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.typed_text import printable

KEY = "integrations"
VALUE_MAX = 500
# A secret shorter than this is shown only as "set": its last four characters would give too much away.
MASK_MIN_LENGTH = 12


@dataclass(frozen=True)
class FieldSpec:
    integration: Integration
    name: str
    label: str
    secret: bool
    env: str | None = None  # the Settings attribute used when nothing is stored


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(Integration.stripe, "secret_key", "Secret key", True, "stripe_secret_key"),
    FieldSpec(Integration.stripe, "webhook_secret", "Webhook signing secret", True, "stripe_webhook_secret"),
    FieldSpec(Integration.shelly, "server_url", "Server URL", False, "shelly_base"),
    FieldSpec(Integration.shelly, "auth_key", "Auth key", True, "shelly_auth_key"),
    FieldSpec(Integration.ttlock, "client_id", "Client id", False, "ttlock_client_id"),
    FieldSpec(Integration.ttlock, "client_secret", "Client secret", True, "ttlock_client_secret"),
    FieldSpec(Integration.ttlock, "username", "Account username", False, "ttlock_username"),
    FieldSpec(Integration.ttlock, "password", "Account password", True, "ttlock_password"),
    FieldSpec(Integration.resend, "api_key", "API key", True, "resend_api_key"),
    FieldSpec(Integration.resend, "sender", "Sender address", False, "mail_from"),
)


def spec(integration: Integration | str, name: str) -> FieldSpec:
    for field in FIELDS:
        if field.integration == integration and field.name == name:
            return field
    raise NotFound("No such integration setting.")


@dataclass(frozen=True)
class FieldView:
    """What the settings page shows for one field: never a secret, only whether and how it is set."""

    integration: str
    name: str
    label: str
    secret: bool
    stored: bool
    status: str
    value: str  # the plain value for non-secret fields, "" for secrets


@dataclass(frozen=True)
class IntegrationConfig:
    """The values the clients are built from, stored ones first. `version` changes with every stored change."""

    version: str
    stripe_secret_key: str
    stripe_webhook_secret: str
    shelly_base: str
    shelly_auth_key: str
    resend_api_key: str
    mail_from: str
    ttlock_client_id: str
    ttlock_client_secret: str
    ttlock_username: str
    ttlock_password: str

    @property
    def shelly_configured(self) -> bool:
        return bool(self.shelly_base and self.shelly_auth_key)

    @property
    def ttlock_configured(self) -> bool:
        return bool(self.ttlock_client_id and self.ttlock_client_secret and self.ttlock_username
                    and self.ttlock_password)


def mask(value: str) -> str:
    if len(value) >= MASK_MIN_LENGTH:
        return f"set, ends in …{value[-4:]}"
    return "set"


def _row(db: Session) -> dict:
    row = db.get(Setting, KEY)
    return json.loads(row.value) if row is not None else {}


def version(db: Session) -> str:
    """"" until the first change; a fresh random token after each (a counter could repeat after a restore)."""
    return str(_row(db).get("version", ""))


def _plain(db: Session) -> dict[str, str]:
    return dict(_row(db).get("plain", {}))


def _write(db: Session, plain: dict[str, str]) -> None:
    row = db.get(Setting, KEY) or Setting(key=KEY, value="{}")
    row.value = json.dumps({"version": secrets.token_hex(8), "plain": plain}, sort_keys=True)
    row.updated_at = utcnow()
    db.add(row)


def _stored_secret(db: Session, integration: Integration, name: str, ring: KeyRing | None) -> str | None:
    return credentials.read_credential(db, integration, name, ring)


def _env_value(field: FieldSpec, settings: Settings) -> str:
    return str(getattr(settings, field.env) or "") if field.env else ""


def _clean_secret(field: FieldSpec, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Enter the {field.label.lower()}.")
    if len(value) > VALUE_MAX:
        raise InvalidInput(f"The {field.label.lower()} is longer than {VALUE_MAX} characters.")
    if any(ch.isspace() for ch in value) or not printable(value):
        raise InvalidInput(f"The {field.label.lower()} may not contain spaces or control characters.")
    return value


def _clean_plain(field: FieldSpec, value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(f"Enter the {field.label.lower()}.")
    if len(value) > VALUE_MAX or not printable(value):
        raise InvalidInput(f"The {field.label.lower()} is too long or contains control characters.")
    if field.name == "server_url":
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.netloc or " " in value:
            raise InvalidInput("The server URL must look like https://shelly-42-eu.shelly.cloud.")
        return value.rstrip("/")
    if field.name == "sender":
        _, address = parseaddr(value)
        if "@" not in address or "." not in address.rsplit("@", 1)[-1]:
            raise InvalidInput("The sender must be an address like Hygate <hygate@example.com>.")
    return value


def save(db: Session, integration: Integration | str, name: str, value: str, actor: audit.Actor,
         ring: KeyRing | None = None) -> FieldSpec:
    """Store one field. The caller's session is committed (a secret is committed by `store_credential`)."""
    field = spec(integration, name)
    plain = _plain(db)
    if field.secret:
        cleaned = _clean_secret(field, value)
        _write(db, plain)  # the new version goes out in store_credential's commit
        credentials.store_credential(db, field.integration, field.name, cleaned, ring, actor=actor)
        return field
    cleaned = _clean_plain(field, value)
    old = plain.get(f"{field.integration.value}.{field.name}")
    plain[f"{field.integration.value}.{field.name}"] = cleaned
    _write(db, plain)
    audit.record(db, "integration_setting.changed", actor=actor, target_type="settings", target_id=KEY,
                 details={"integration": field.integration.value, "field": field.name, "old": old, "new": cleaned})
    db.commit()
    return field


def clear(db: Session, integration: Integration | str, name: str, actor: audit.Actor) -> FieldSpec:
    """Forget the stored value: the environment's value (if any) is used again."""
    field = spec(integration, name)
    plain = _plain(db)
    if field.secret:
        row = db.exec(select(IntegrationCredential).where(IntegrationCredential.integration == field.integration,
                                                          IntegrationCredential.field == field.name)).first()
        if row is None:
            raise NotFound("Nothing is stored for this field.")
        audit.record(db, "integration_credential.cleared", actor=actor, target_type="integration_credential",
                     target_id=row.id, details={"integration": field.integration.value, "field": field.name})
        db.delete(row)
    else:
        old = plain.pop(f"{field.integration.value}.{field.name}", None)
        if old is None:
            raise NotFound("Nothing is stored for this field.")
        audit.record(db, "integration_setting.cleared", actor=actor, target_type="settings", target_id=KEY,
                     details={"integration": field.integration.value, "field": field.name, "old": old})
    _write(db, plain)
    db.commit()
    return field


def views(db: Session, settings: Settings, ring: KeyRing | None = None) -> list[FieldView]:
    plain = _plain(db)
    result = []
    for field in FIELDS:
        env = _env_value(field, settings)
        fallback = "not set; using the server's environment value" if env else "not set"
        if field.secret:
            try:
                stored = _stored_secret(db, field.integration, field.name, ring)
            except EncryptionError:  # sealed with a key the ring no longer has: say so, show nothing
                result.append(FieldView(field.integration.value, field.name, field.label, True, True,
                                        "set, but it cannot be decrypted with the current encryption keys", ""))
                continue
            status = mask(stored) if stored is not None else fallback
            result.append(FieldView(field.integration.value, field.name, field.label, True, stored is not None,
                                    status, ""))
        else:
            stored = plain.get(f"{field.integration.value}.{field.name}")
            status = "set" if stored is not None else fallback
            result.append(FieldView(field.integration.value, field.name, field.label, False, stored is not None,
                                    status, stored if stored is not None else env))
    return result


def effective(db: Session, settings: Settings, ring: KeyRing | None = None) -> IntegrationConfig:
    """Read the version first: a change committed between the two reads is then seen again on the next call."""
    current_version = version(db)
    plain = _plain(db)
    values: dict[str, str] = {}
    for field in FIELDS:
        if field.secret:
            stored = _stored_secret(db, field.integration, field.name, ring)
        else:
            stored = plain.get(f"{field.integration.value}.{field.name}")
        values[f"{field.integration.value}_{field.name}"] = stored if stored is not None else _env_value(field,
                                                                                                       settings)
    return IntegrationConfig(
        version=current_version,
        stripe_secret_key=values["stripe_secret_key"],
        stripe_webhook_secret=values["stripe_webhook_secret"],
        shelly_base=values["shelly_server_url"],
        shelly_auth_key=values["shelly_auth_key"],
        resend_api_key=values["resend_api_key"],
        mail_from=values["resend_sender"],
        ttlock_client_id=values["ttlock_client_id"],
        ttlock_client_secret=values["ttlock_client_secret"],
        ttlock_username=values["ttlock_username"],
        ttlock_password=values["ttlock_password"],
    )
