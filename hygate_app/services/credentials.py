"""Stored secrets: integration credentials and staff TOTP secrets, encrypted at rest, and their re-encryption."""

from __future__ import annotations

from sqlmodel import Session, select

from hygate_app.models import Integration, IntegrationCredential, User
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.encryption import KeyRing, key_ring, stored_key_id

CREDENTIALS_TABLE = IntegrationCredential.__tablename__
CREDENTIALS_COLUMN = "ciphertext"
USERS_TABLE = User.__tablename__
TOTP_COLUMN = "totp_secret_enc"


def store_credential(db: Session, integration: Integration, field: str, value: str, ring: KeyRing | None = None,
                     *, actor: audit.Actor = audit.SYSTEM) -> IntegrationCredential:
    """Insert or replace one secret field; audited without the secret."""
    ring = ring or key_ring()
    row = db.exec(select(IntegrationCredential).where(IntegrationCredential.integration == integration,
                                                      IntegrationCredential.field == field)).first()
    created = row is None
    if row is None:
        # The row id is part of the associated data, so the row needs one before it is encrypted.
        row = IntegrationCredential(integration=integration, field=field, key_id="", ciphertext="")
        db.add(row)
        db.flush()
    _seal_credential(row, value, ring)
    db.add(row)
    audit.record(db, "integration_credential.stored", actor=actor, target_type="integration_credential",
                 target_id=row.id, details={"integration": integration.value, "field": field,
                                            "key_id": row.key_id, "created": created})
    db.commit()
    return row


def read_credential(db: Session, integration: Integration, field: str, ring: KeyRing | None = None) -> str | None:
    row = db.exec(select(IntegrationCredential).where(IntegrationCredential.integration == integration,
                                                      IntegrationCredential.field == field)).first()
    if row is None:
        return None
    return (ring or key_ring()).decrypt(row.ciphertext, table=CREDENTIALS_TABLE, column=CREDENTIALS_COLUMN,
                                        row_id=row.id)


def encrypt_user_totp_secret(user: User, secret: str, ring: KeyRing | None = None) -> None:
    """Sets `user.totp_secret_enc`; the caller commits it with the rest of its 2FA change."""
    if user.id is None:
        raise ValueError("The user needs an id (flush it) before its TOTP secret is encrypted.")
    user.totp_secret_enc = (ring or key_ring()).encrypt(secret, table=USERS_TABLE, column=TOTP_COLUMN,
                                                        row_id=user.id)


def decrypt_user_totp_secret(user: User, ring: KeyRing | None = None) -> str | None:
    if user.totp_secret_enc is None:
        return None
    return (ring or key_ring()).decrypt(user.totp_secret_enc, table=USERS_TABLE, column=TOTP_COLUMN,
                                        row_id=user.id)


def reencrypt_all(db: Session, ring: KeyRing | None = None, *, actor: audit.Actor = audit.SYSTEM) -> int:
    """Move every stored secret onto the current key, in one transaction: a value that does not decrypt
    stops it all, so nothing is left half-rotated. After it, the previous keys can be dropped."""
    ring = ring or key_ring()
    credentials = 0
    for row in db.exec(select(IntegrationCredential).order_by(IntegrationCredential.id)).all():
        if ring.needs_reencryption(row.ciphertext):
            plaintext = ring.decrypt(row.ciphertext, table=CREDENTIALS_TABLE, column=CREDENTIALS_COLUMN,
                                     row_id=row.id)
            _seal_credential(row, plaintext, ring)
            db.add(row)
            credentials += 1
    users = 0
    for user in db.exec(select(User).where(User.totp_secret_enc.is_not(None)).order_by(User.id)).all():
        if ring.needs_reencryption(user.totp_secret_enc):
            encrypt_user_totp_secret(user, decrypt_user_totp_secret(user, ring), ring)
            db.add(user)
            users += 1
    total = credentials + users
    if total:
        audit.record(db, "encryption.reencrypted", actor=actor, target_type="encryption_key",
                     target_id=ring.current_key_id,
                     details={"integration_credentials": credentials, "user_totp_secrets": users})
    db.commit()
    return total


def _seal_credential(row: IntegrationCredential, value: str, ring: KeyRing) -> None:
    row.ciphertext = ring.encrypt(value, table=CREDENTIALS_TABLE, column=CREDENTIALS_COLUMN, row_id=row.id)
    row.key_id = stored_key_id(row.ciphertext)
    row.updated_at = utcnow()
