"""API keys: the secret is shown once and only its hash kept; revoked keys stop working; every change is audited."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import fields
from datetime import timedelta

import pytest
from sqlmodel import select

from hygate_app.models import ApiKey, AuditLog, Role
from hygate_app.models.columns import utcnow
from hygate_app.services import api_keys, audit
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from tests.support.staff import new_staff


@pytest.fixture
def admin(db):
    return new_staff(db, Role.admin)


@pytest.fixture
def actor(admin):
    return audit.Actor("user", str(admin.id), "203.0.113.5", "pytest")


def create(db, actor, admin, name="Accounting export"):
    created = api_keys.create_api_key(db, actor, admin.id, name)
    db.commit()
    return created


def audit_rows(db, action):
    return db.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def test_a_new_key_has_the_documented_shape_and_only_its_sha256_is_stored(db, admin, actor):
    created = create(db, actor, admin)
    assert re.fullmatch(r"hgk_([0-9a-f]{8})_[A-Za-z0-9_-]{43}", created.secret)
    stored = db.get(ApiKey, created.id)
    assert stored.prefix == created.prefix == created.secret.split("_")[1]
    assert stored.key_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in {stored.name, stored.prefix, stored.key_hash}


def test_two_keys_get_different_secrets_and_prefixes(db, admin, actor):
    first, second = create(db, actor, admin, "One"), create(db, actor, admin, "Two")
    assert first.secret != second.secret and first.prefix != second.prefix


def test_the_presented_secret_authenticates_its_key(db, admin, actor):
    created = create(db, actor, admin)
    found = api_keys.authenticate_api_key(db, created.secret)
    assert found is not None and found.id == created.id and found.created_by_email == admin.email


@pytest.mark.parametrize("presented", ["", None, "hgk_", "Bearer hgk_x", "x" * 500])
def test_empty_or_malformed_secrets_are_refused(db, admin, actor, presented):
    create(db, actor, admin)
    assert api_keys.authenticate_api_key(db, presented) is None


def test_a_secret_with_a_right_prefix_but_wrong_random_part_is_refused(db, admin, actor):
    created = create(db, actor, admin)
    assert api_keys.authenticate_api_key(db, created.secret[:-1] + ("A" if created.secret[-1] != "A" else "B")) is None
    assert api_keys.authenticate_api_key(db, f"hgk_{created.prefix}_") is None


def test_a_revoked_key_no_longer_authenticates(db, admin, actor):
    created = create(db, actor, admin)
    api_keys.revoke_api_key(db, actor, created.id)
    db.commit()
    assert api_keys.authenticate_api_key(db, created.secret) is None


def test_last_used_is_written_at_most_once_a_minute(db, admin, actor):
    created = create(db, actor, admin)
    start = utcnow()
    assert api_keys.authenticate_api_key(db, created.secret, now=start).last_used_at == start
    assert api_keys.authenticate_api_key(db, created.secret, now=start + timedelta(seconds=59)).last_used_at == start
    later = start + timedelta(seconds=60)
    assert api_keys.authenticate_api_key(db, created.secret, now=later).last_used_at == later
    db.commit()
    assert db.get(ApiKey, created.id).last_used_at == later


def test_creating_and_revoking_are_audited_with_name_and_prefix_only(db, admin, actor):
    created = create(db, actor, admin)
    api_keys.revoke_api_key(db, actor, created.id)
    db.commit()
    for action in ("api_key.created", "api_key.revoked"):
        (row,) = audit_rows(db, action)
        assert (row.actor_id, row.target_type, row.target_id) == (str(admin.id), "api_key", str(created.id))
        assert row.details == f'{{"name":"Accounting export","prefix":"{created.prefix}"}}'
    stored_hash = db.get(ApiKey, created.id).key_hash
    for row in db.exec(select(AuditLog)).all():
        assert created.secret not in row.details and stored_hash not in row.details


def test_the_list_never_carries_the_hash_and_shows_active_keys_first_newest_first(db, admin, actor):
    old = create(db, actor, admin, "Old")
    revoked = create(db, actor, admin, "Revoked")
    new = create(db, actor, admin, "New")
    api_keys.revoke_api_key(db, actor, revoked.id)
    db.commit()
    rows = api_keys.list_api_keys(db)
    assert [r.id for r in rows] == [new.id, old.id, revoked.id]
    assert [r.active for r in rows] == [True, True, False]
    assert rows[0].created_by_email == admin.email and rows[0].hint == f"hgk_{new.prefix}_…"
    assert not any("hash" in f.name or "secret" in f.name for f in fields(api_keys.ApiKeyRow))


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_name_must_have_1_to_80_characters(db, admin, actor, name):
    with pytest.raises(InvalidInput, match="1 to 80"):
        api_keys.create_api_key(db, actor, admin.id, name)
    assert db.exec(select(ApiKey)).all() == []


def test_a_name_is_trimmed_and_80_characters_fit(db, admin, actor):
    assert create(db, actor, admin, "  Accounting   export \n").name == "Accounting export"
    assert create(db, actor, admin, "y" * 80).name == "y" * 80


def test_a_name_with_control_characters_is_refused(db, admin, actor):
    with pytest.raises(InvalidInput, match="control"):
        api_keys.create_api_key(db, actor, admin.id, "evil\x1b[31m")


def test_two_active_keys_cannot_share_a_name_but_a_revoked_one_frees_it(db, admin, actor):
    first = create(db, actor, admin, "Zapier")
    with pytest.raises(Conflict):
        api_keys.create_api_key(db, actor, admin.id, "Zapier")
    api_keys.revoke_api_key(db, actor, first.id)
    assert create(db, actor, admin, "Zapier").id != first.id


def test_revoking_an_unknown_or_already_revoked_key_is_refused_and_not_audited_twice(db, admin, actor):
    created = create(db, actor, admin)
    with pytest.raises(NotFound):
        api_keys.revoke_api_key(db, actor, created.id + 100)
    api_keys.revoke_api_key(db, actor, created.id)
    with pytest.raises(Conflict):
        api_keys.revoke_api_key(db, actor, created.id)
    assert len(audit_rows(db, "api_key.revoked")) == 1


def test_a_key_for_an_unknown_team_member_is_refused(db, admin, actor):
    with pytest.raises(NotFound):
        api_keys.create_api_key(db, actor, admin.id + 100, "Orphan")
    assert db.exec(select(ApiKey)).all() == []


def test_deactivating_a_member_revokes_their_keys_and_no_one_elses(db, admin, actor):
    from hygate_app.services import team
    from hygate_app.services.login_sessions import Principal

    leaver = new_staff(db, Role.admin)
    theirs = [create(db, actor, leaver, "Leaver one"), create(db, actor, leaver, "Leaver two")]
    mine = create(db, actor, admin, "Stays")
    me = Principal(admin.id, admin.email, admin.name, admin.role, 0)
    team.set_active(db, me, actor, leaver.id, False)
    db.commit()
    assert all(db.get(ApiKey, k.id).revoked_at is not None for k in theirs)
    assert db.get(ApiKey, mine.id).revoked_at is None
    assert api_keys.authenticate_api_key(db, theirs[0].secret) is None
    revoked = audit_rows(db, "api_key.revoked")
    assert sorted(int(r.target_id) for r in revoked) == sorted(k.id for k in theirs)
    assert {json.loads(r.details)["reason"] for r in revoked} == {"creator deactivated"}

    team.set_active(db, me, actor, leaver.id, True)  # coming back does not bring old keys back
    db.commit()
    assert db.get(ApiKey, theirs[0].id).revoked_at is not None
