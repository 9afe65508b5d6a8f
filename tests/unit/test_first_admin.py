"""The first administrator of a production installation: made once from the command line, never again."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hygate_app.models import AuditLog, Role, User
from hygate_app.services import passwords
from hygate_app.services.errors import Conflict, InvalidInput
from hygate_app.services.first_admin import create_first_admin


def test_a_fresh_installation_gets_its_administrator_with_a_password_shown_once(db):
    password = create_first_admin(db, " Owner@Example.com ", "Owner")

    user = db.exec(select(User)).one()
    assert (user.email, user.name, user.role, user.is_active) == ("owner@example.com", "Owner", Role.admin, True)
    assert len(password) >= 20 and password not in user.password_hash
    assert passwords.verify_password(password, user.password_hash)
    entry = db.exec(select(AuditLog).where(AuditLog.action == "team.first_admin_created")).one()
    assert entry.target_id == str(user.id) and password not in str(entry.details)


def test_once_an_administrator_exists_the_command_refuses(db):
    create_first_admin(db, "owner@example.com")
    with pytest.raises(Conflict, match="Settings → Team"):
        create_first_admin(db, "intruder@example.com")
    assert db.exec(select(User.email)).all() == ["owner@example.com"]


def test_a_bad_address_is_refused(db):
    with pytest.raises(InvalidInput):
        create_first_admin(db, "not an address")
    assert db.exec(select(User)).all() == []
