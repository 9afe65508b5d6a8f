"""Second factors: authenticator app (TOTP), e-mail codes, backup codes and trusted devices."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from datetime import datetime, timedelta

import pyotp
import qrcode
import qrcode.image.svg
from redis import Redis
from sqlmodel import Session, select

from hygate_app.models import BackupCode, TrustedDevice, TwoFactorMethod, User
from hygate_app.models.columns import utcnow
from hygate_app.services import credentials, passwords
from hygate_app.services.login_sessions import token_hash

ISSUER = "Hygate"
TOTP_WINDOW = 1  # one 30-second step either side, for clock drift; never more.

EMAIL_CODE_TTL = timedelta(minutes=5)
EMAIL_CODE_ATTEMPTS = 3

BACKUP_CODE_COUNT = 10
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


# ---- authenticator app -------------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(data: str) -> str:
    """The provisioning QR code as inline SVG (no image library needed)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def matching_timecode(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step `code` belongs to (within the window), compared in constant time."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    found = None
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def verify_totp(db: Session, user: User, code: str, now: datetime | None = None) -> bool:
    """Accept a code only for a time step strictly later than the last accepted one: never twice."""
    if not user.totp_secret_enc:
        return False
    step = matching_timecode(credentials.decrypt_user_totp_secret(user), code, now)
    if step is None or (user.totp_last_timecode is not None and step <= user.totp_last_timecode):
        return False
    user.totp_last_timecode = step
    db.add(user)
    db.flush()
    return True


def enable_totp(db: Session, user: User, secret: str, code: str, now: datetime | None = None) -> bool:
    """Switch the user to the authenticator app once they prove their app shows the right code."""
    step = matching_timecode(secret, code, now)
    if step is None:
        return False
    credentials.encrypt_user_totp_secret(user, secret)
    user.totp_last_timecode = step
    user.two_factor_method = TwoFactorMethod.totp
    db.add(user)
    db.flush()
    return True


# ---- e-mail codes -------------------------------------------------------------------------------------

def _email_key(user_id: int) -> str:
    return f"hygate:email-otp:{user_id}"


def issue_email_code(redis: Redis, user_id: int) -> str:
    """A fresh 6-digit code from the CSPRNG; it replaces any earlier one (and its attempt count)."""
    code = f"{secrets.randbelow(10**6):06d}"
    key = _email_key(user_id)
    with redis.pipeline() as pipe:
        pipe.delete(key)
        pipe.hset(key, mapping={"hash": hashlib.sha256(code.encode()).hexdigest(), "attempts": 0})
        pipe.expire(key, int(EMAIL_CODE_TTL.total_seconds()))
        pipe.execute()
    return code


def verify_email_code(redis: Redis, user_id: int, code: str) -> bool:
    """Three attempts per code; after the third wrong one the code is gone and a new one is needed."""
    key = _email_key(user_id)
    attempts = redis.hincrby(key, "attempts", 1)
    stored = redis.hget(key, "hash")
    if stored is None:
        redis.delete(key)  # hincrby on a missing key created it
        return False
    ok = attempts <= EMAIL_CODE_ATTEMPTS and hmac.compare_digest(
        stored.decode(), hashlib.sha256("".join(code.split()).encode()).hexdigest()
    )
    if ok or attempts >= EMAIL_CODE_ATTEMPTS:
        redis.delete(key)
    return ok


def email_code_pending(redis: Redis, user_id: int) -> bool:
    return bool(redis.exists(_email_key(user_id)))


# ---- backup codes -------------------------------------------------------------------------------------

def _normalise_backup_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def generate_backup_codes(db: Session, user: User) -> list[str]:
    """Ten new single-use codes (the old ones stop working), shown once, stored as password hashes."""
    for old in db.exec(select(BackupCode).where(BackupCode.user_id == user.id)).all():
        db.delete(old)
    codes = []
    for _ in range(BACKUP_CODE_COUNT):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.add(BackupCode(user_id=user.id, code_hash=passwords.hash_password(raw)))
    db.flush()
    return codes


def use_backup_code(db: Session, user: User, code: str, now: datetime | None = None) -> bool:
    raw = _normalise_backup_code(code)
    if len(raw) != 10:
        return False
    for row in db.exec(select(BackupCode).where(BackupCode.user_id == user.id, BackupCode.used_at.is_(None))).all():
        if passwords.verify_password(raw, row.code_hash):
            row.used_at = now or utcnow()
            db.add(row)
            db.flush()
            return True
    return False


def backup_codes_left(db: Session, user_id: int) -> int:
    return len(db.exec(select(BackupCode.id).where(BackupCode.user_id == user_id, BackupCode.used_at.is_(None))).all())


# ---- trusted devices ----------------------------------------------------------------------------------

def trust_device(db: Session, user: User, *, days: int, user_agent: str | None, now: datetime | None = None) -> str:
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.add(TrustedDevice(user_id=user.id, token_hash=token_hash(token), user_agent=(user_agent or "")[:300] or None,
                         created_at=now, expires_at=now + timedelta(days=days)))
    db.flush()
    return token


def is_trusted(db: Session, user_id: int, token: str | None, now: datetime | None = None) -> bool:
    if not token:
        return False
    row = db.exec(select(TrustedDevice).where(TrustedDevice.token_hash == token_hash(token))).first()
    return (row is not None and row.user_id == user_id and row.revoked_at is None
            and row.expires_at > (now or utcnow()))


def trusted_devices(db: Session, user_id: int, now: datetime | None = None) -> list[TrustedDevice]:
    return list(db.exec(
        select(TrustedDevice)
        .where(TrustedDevice.user_id == user_id, TrustedDevice.revoked_at.is_(None),
               TrustedDevice.expires_at > (now or utcnow()))
        .order_by(TrustedDevice.created_at.desc())
    ).all())


def revoke_trusted_device(db: Session, user_id: int, device_id: int, now: datetime | None = None) -> bool:
    row = db.get(TrustedDevice, device_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    db.add(row)
    return True


def revoke_all_trusted_devices(db: Session, user_id: int, now: datetime | None = None) -> int:
    rows = trusted_devices(db, user_id, now)
    for row in rows:
        row.revoked_at = now or utcnow()
        db.add(row)
    return len(rows)
