"""Every table, imported here so SQLModel.metadata (and Alembic) sees the whole data model."""

from hygate_app.models.audit import AuditLog
from hygate_app.models.payments import (
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from hygate_app.models.places import CredentialKind, Device, DeviceMode, Door, DoorMode, Location, UsagePlan
from hygate_app.models.sessions import DeviceSession, DeviceSessionStatus, DoorAccess, DoorAccessStatus
from hygate_app.models.settings import Integration, IntegrationCredential, IntegrationHealth, Setting
from hygate_app.models.users import (
    ApiKey,
    BackupCode,
    Invitation,
    LoginSession,
    Role,
    TrustedDevice,
    TwoFactorMethod,
    User,
)

__all__ = [
    "ApiKey", "AuditLog", "BackupCode", "CredentialKind", "Device", "DeviceMode", "DeviceSession",
    "DeviceSessionStatus", "Door", "DoorAccess", "DoorAccessStatus", "DoorMode", "Integration",
    "IntegrationCredential", "IntegrationHealth", "Invitation", "Location", "LoginSession", "Payment",
    "PaymentKind", "PaymentStatus", "Refund", "RefundStatus", "Role", "Setting", "TrustedDevice",
    "TwoFactorMethod", "UsagePlan", "User", "WebhookEvent", "WebhookEventStatus",
]
