"""Staff accounts and what authenticates them: login sessions, second factors, invitations, API keys."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlmodel import Field, SQLModel

from hygate_app.models.columns import enum_type, time_field


class Role(enum.StrEnum):
    admin = "admin"
    operator = "operator"


class TwoFactorMethod(enum.StrEnum):
    none = "none"
    totp = "totp"
    email = "email"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=120)
    password_hash: str | None = Field(default=None, max_length=255)
    role: Role = Field(default=Role.operator, sa_type=enum_type(Role, "role"))
    is_active: bool = Field(default=True)
    two_factor_method: TwoFactorMethod = Field(
        default=TwoFactorMethod.none, sa_type=enum_type(TwoFactorMethod, "two_factor_method")
    )
    totp_secret_enc: str | None = Field(default=None, max_length=255)
    # The last accepted TOTP time step: only a strictly later one is accepted again.
    totp_last_timecode: int | None = None
    # Bumped on password/2FA/role change or deactivation: every older login session ends.
    session_version: int = Field(default=1)
    created_at: datetime = time_field(default_now=True)
    last_login_at: datetime | None = time_field()


class LoginSession(SQLModel, table=True):
    __tablename__ = "login_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    session_hash: str = Field(max_length=64, unique=True)
    session_version: int
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=300)
    created_at: datetime = time_field(default_now=True)
    last_seen_at: datetime = time_field(default_now=True)
    expires_at: datetime = time_field(nullable=False)
    revoked_at: datetime | None = time_field()


class BackupCode(SQLModel, table=True):
    __tablename__ = "backup_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=255)
    used_at: datetime | None = time_field()
    created_at: datetime = time_field(default_now=True)


class TrustedDevice(SQLModel, table=True):
    __tablename__ = "trusted_devices"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    user_agent: str | None = Field(default=None, max_length=300)
    created_at: datetime = time_field(default_now=True)
    expires_at: datetime = time_field(nullable=False)
    revoked_at: datetime | None = time_field()


class Invitation(SQLModel, table=True):
    __tablename__ = "invitations"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    role: Role = Field(sa_type=enum_type(Role, "role"))
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="users.id", ondelete="RESTRICT")
    created_at: datetime = time_field(default_now=True)
    expires_at: datetime = time_field(nullable=False)
    accepted_at: datetime | None = time_field()
    revoked_at: datetime | None = time_field()


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    created_by_id: int = Field(foreign_key="users.id", ondelete="RESTRICT")
    created_at: datetime = time_field(default_now=True)
    last_used_at: datetime | None = time_field()
    revoked_at: datetime | None = time_field()
