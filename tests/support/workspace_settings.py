"""Stored integration values, branding and receipt details are workspace-wide: tests that change them put everything
back."""

from __future__ import annotations

from sqlmodel import Session, delete

from hygate_app.models import IntegrationCredential, IntegrationHealth, Setting
from hygate_app.services import branding, integration_settings, receipt_settings


def forget_workspace_settings(db: Session) -> None:
    """Back to the environment's values, the default branding and receipt details and no recorded health (what a
    fresh install has). Every process notices at its next call: the integrations version and the branding row are
    gone."""
    db.rollback()
    db.exec(delete(IntegrationCredential))
    db.exec(delete(IntegrationHealth))
    db.exec(delete(Setting).where(Setting.key.in_([integration_settings.KEY, branding.KEY,
                                                        receipt_settings.KEY])))
    db.commit()
