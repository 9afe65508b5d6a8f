"""Staff sign-in services on a real database, real Redis and the real Resend client against its simulator:
login sessions, the second factors, the sign-in flow, the role table, the team and the account page rules."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pyotp
import pytest
from redis import Redis
from sqlmodel import Session, select

from hygate_app.config import get_settings
from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from hygate_app.models import AuditLog, BackupCode, LoginSession, Role, TwoFactorMethod, User
from hygate_app.models.columns import utcnow
from hygate_app.services import account, authz, login_sessions, passwords, sign_in, team, two_factor
from hygate_app.services.audit import Actor
from hygate_app.services.authz import Capability
from hygate_app.services.errors import Conflict, InvalidInput, PermissionDenied
from hygate_app.services.security_settings import SecuritySettings
from hygate_app.services.sign_in import Refused
from hygate_app.services.throttle import Throttle
from tests.support.live_server import LiveServer
from tests.support.staff import give_totp

PASSWORD = "correct horse battery staple"
CLIENT = sign_in.Client("203.0.113.7", "pytest-browser")
ACTOR = Actor("user", "1", "203.0.113.7", "pytest-browser")
SETTINGS = SecuritySettings()


@pytest.fixture(scope="module")
def resend() -> Iterator[LiveServer]:
    server = LiveServer()
    server.start(create_resend_simulator("re_unit", rate_limit_per_second=1000))
    yield server
    server.stop()


@pytest.fixture
def mailer(resend: LiveServer) -> Iterator[ResendClient]:
    httpx.post(f"{resend.url}/_sim/reset").raise_for_status()
    with ResendClient(resend.url, "re_unit", "Hygate <hygate@test.local>") as client:
        yield client


def outbox(resend: LiveServer, to: str) -> list[dict]:
    return httpx.get(f"{resend.url}/_sim/outbox", params={"to": to}).json()


@pytest.fixture
def redis() -> Redis:
    client = Redis.from_url(get_settings().redis_url)
    for key in client.scan_iter("hygate:email-otp:*"):
        client.delete(key)
    return client


@pytest.fixture
def throttle() -> Throttle:
    return Throttle(get_settings().redis_url, key_prefix=f"test-{uuid.uuid4().hex}")


def make_user(db: Session, email: str = "op@example.com", role: Role = Role.operator,
              method: TwoFactorMethod = TwoFactorMethod.none) -> User:
    user = User(email=email, name=email.split("@")[0], role=role, password_hash=passwords.hash_password(PASSWORD),
                two_factor_method=method)
    db.add(user)
    db.commit()
    return user




def principal_of(db: Session, token: str) -> login_sessions.Principal:
    found = authz.principal_for(db, token)
    assert found is not None
    return found


def actions(db: Session) -> list[str]:
    return [row.action for row in db.exec(select(AuditLog).order_by(AuditLog.id)).all()]


# ---- login sessions ----------------------------------------------------------------------------------

def test_only_the_hash_of_the_session_id_is_stored(db):
    user = make_user(db)
    token = login_sessions.create(db, user, SETTINGS, ip="1.2.3.4", user_agent="x")
    row = db.exec(select(LoginSession)).one()
    assert len(token) >= 43  # 256 random bits
    assert row.session_hash == login_sessions.token_hash(token) != token
    assert login_sessions.resolve(db, token, SETTINGS)[1].id == user.id
    assert login_sessions.resolve(db, token + "x", SETTINGS) is None


def test_idle_timeout_and_absolute_lifetime_end_a_session(db):
    user = make_user(db)
    start = utcnow()
    token = login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None, now=start)
    assert login_sessions.resolve(db, token, SETTINGS, now=start + timedelta(minutes=29)) is not None
    assert login_sessions.resolve(db, token, SETTINGS, now=start + timedelta(minutes=29 + 31)) is None

    # Kept busy, it still ends at the absolute lifetime.
    token = login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None, now=start)
    for step in range(1, 36):  # every 20 minutes up to 11 h 40
        assert login_sessions.resolve(db, token, SETTINGS, now=start + timedelta(minutes=20 * step)) is not None
    assert login_sessions.resolve(db, token, SETTINGS, now=start + timedelta(hours=12, minutes=1)) is None


def test_the_session_list_shows_only_sessions_that_would_still_resolve(db):
    user = make_user(db)
    start = utcnow()
    idle = login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None, now=start)
    busy = login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None, now=start)
    later = start + timedelta(minutes=SETTINGS.idle_timeout_minutes + 5)
    login_sessions.resolve(db, busy, SETTINGS, now=start + timedelta(minutes=10))
    listed = login_sessions.live_for_user(db, user, SETTINGS, now=later)
    assert [s.session_hash for s in listed] == [login_sessions.token_hash(busy)]
    assert login_sessions.resolve(db, idle, SETTINGS, now=later) is None


def test_password_change_ends_every_other_session_but_keeps_this_one(db):
    user = make_user(db)
    here = login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None)
    elsewhere = login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None)
    ended = account.change_password(db, principal_of(db, here), ACTOR, current=PASSWORD,
                                    new="a brand new long passphrase")
    assert ended == 1
    assert authz.principal_for(db, here) is not None
    assert authz.principal_for(db, elsewhere) is None
    ok, _ = passwords.verify_and_update("a brand new long passphrase", user.password_hash)
    assert ok and "account.password_changed" in actions(db)


def test_password_change_needs_the_current_password_and_a_good_new_one(db):
    user = make_user(db)
    me = principal_of(db, login_sessions.create(db, user, SETTINGS, ip=None, user_agent=None))
    with pytest.raises(InvalidInput, match="current password"):
        account.change_password(db, me, ACTOR, current="wrong password!!", new="a brand new long passphrase")
    with pytest.raises(InvalidInput, match="12 characters"):
        account.change_password(db, me, ACTOR, current=PASSWORD, new="short")


def test_deactivation_ends_every_session_at_once(db):
    admin = make_user(db, "admin@example.com", Role.admin, TwoFactorMethod.email)
    operator = make_user(db)
    token = login_sessions.create(db, operator, SETTINGS, ip=None, user_agent=None)
    me = principal_of(db, login_sessions.create(db, admin, SETTINGS, ip=None, user_agent=None))
    team.set_active(db, me, ACTOR, operator.id, False)
    assert authz.principal_for(db, token) is None
    assert "team.deactivated" in actions(db)


# ---- second factors -----------------------------------------------------------------------------------

def test_a_totp_code_is_never_accepted_twice_nor_an_older_one(db):
    user = make_user(db)
    secret = give_totp(db, user)
    now = utcnow()
    code = pyotp.TOTP(secret).at(now)
    assert two_factor.verify_totp(db, user, code, now)
    assert not two_factor.verify_totp(db, user, code, now)
    assert not two_factor.verify_totp(db, user, pyotp.TOTP(secret).at(now - timedelta(seconds=30)), now)
    assert two_factor.verify_totp(db, user, pyotp.TOTP(secret).at(now + timedelta(seconds=30)), now)


def test_totp_accepts_one_step_of_drift_and_no_more(db):
    user = make_user(db)
    secret = give_totp(db, user)
    now = utcnow()
    assert not two_factor.verify_totp(db, user, pyotp.TOTP(secret).at(now + timedelta(seconds=61)), now)
    assert not two_factor.verify_totp(db, user, "12345", now)


def test_totp_secret_is_encrypted_at_rest(db):
    user = make_user(db)
    secret = give_totp(db, user)
    assert secret not in (user.totp_secret_enc or "") and user.totp_secret_enc.startswith("v1:")


def test_email_code_three_attempts_then_a_new_code_is_needed(redis):
    code = two_factor.issue_email_code(redis, 4242)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert not two_factor.verify_email_code(redis, 4242, wrong)
    assert not two_factor.verify_email_code(redis, 4242, wrong)
    assert not two_factor.verify_email_code(redis, 4242, wrong)
    assert not two_factor.verify_email_code(redis, 4242, code)  # gone after the third miss

    code = two_factor.issue_email_code(redis, 4242)
    assert 0 < redis.ttl("hygate:email-otp:4242") <= 300
    assert two_factor.verify_email_code(redis, 4242, code)
    assert not two_factor.verify_email_code(redis, 4242, code)  # single use


def test_backup_codes_are_ten_hashed_and_single_use(db):
    user = make_user(db)
    codes = two_factor.generate_backup_codes(db, user)
    assert len(set(codes)) == 10
    stored = db.exec(select(BackupCode.code_hash)).all()
    assert all(h.startswith("$argon2id$") for h in stored) and not set(codes) & set(stored)
    assert two_factor.use_backup_code(db, user, codes[3].upper())
    assert not two_factor.use_backup_code(db, user, codes[3])
    assert two_factor.backup_codes_left(db, user.id) == 9
    two_factor.generate_backup_codes(db, user)
    assert not two_factor.use_backup_code(db, user, codes[4])  # regenerated: old ones are gone


def test_trusted_device_skips_the_code_until_revoked_or_expired(db):
    user = make_user(db)
    token = two_factor.trust_device(db, user, days=30, user_agent="x")
    assert two_factor.is_trusted(db, user.id, token)
    assert not two_factor.is_trusted(db, user.id + 1, token)
    assert not two_factor.is_trusted(db, user.id, token, now=utcnow() + timedelta(days=31))
    device = two_factor.trusted_devices(db, user.id)[0]
    assert two_factor.revoke_trusted_device(db, user.id, device.id)
    assert not two_factor.is_trusted(db, user.id, token)


# ---- the sign-in flow ---------------------------------------------------------------------------------

def test_wrong_password_and_unknown_account_read_the_same(db, redis, throttle, mailer):
    make_user(db)
    wrong = sign_in.start(db, redis, throttle, mailer, email="op@example.com", password="nope nope nope",
                          client=CLIENT)
    unknown = sign_in.start(db, redis, throttle, mailer, email="ghost@example.com", password="nope nope nope",
                            client=CLIENT)
    assert wrong == unknown == sign_in.Refused(sign_in.GENERIC_REFUSAL)
    assert actions(db).count("auth.login_failed") == 2


def test_password_only_account_signs_in_and_is_audited(db, redis, throttle, mailer):
    user = make_user(db)
    result = sign_in.start(db, redis, throttle, mailer, email=" OP@example.com ", password=PASSWORD, client=CLIENT)
    assert isinstance(result, sign_in.SignedIn)
    assert principal_of(db, result.session_token).user_id == user.id
    row = db.exec(select(AuditLog).where(AuditLog.action == "auth.login")).one()
    assert (row.ip, row.user_agent, row.actor_id) == ("203.0.113.7", "pytest-browser", str(user.id))


def test_the_eleventh_failure_is_throttled_with_a_wait(db, redis, throttle, mailer):
    make_user(db)
    for _ in range(10):
        sign_in.start(db, redis, throttle, mailer, email="op@example.com", password="wrong password", client=CLIENT)
    result = sign_in.start(db, redis, throttle, mailer, email="op@example.com", password=PASSWORD, client=CLIENT)
    assert isinstance(result, sign_in.Refused) and result.retry_after >= 1
    assert re.search(r"Try again in \d+ (s|min)", result.message)


def test_totp_sign_in_needs_the_code_and_the_pending_token(db, redis, throttle, mailer):
    user = make_user(db, method=TwoFactorMethod.none)
    secret = give_totp(db, user)
    step = sign_in.start(db, redis, throttle, mailer, email="op@example.com", password=PASSWORD, client=CLIENT)
    assert isinstance(step, sign_in.SecondFactorRequired) and step.method == TwoFactorMethod.totp
    refused = sign_in.complete(db, redis, throttle, pending_token=step.pending_token, kind="totp", code="000000",
                               trust_device=False, client=CLIENT)
    assert refused == sign_in.Refused(sign_in.CODE_REFUSAL)
    forged = sign_in.complete(db, redis, throttle, pending_token="forged", kind="totp",
                              code=pyotp.TOTP(secret).now(), trust_device=False, client=CLIENT)
    assert isinstance(forged, sign_in.Refused) and "expired" in forged.message
    done = sign_in.complete(db, redis, throttle, pending_token=step.pending_token, kind="totp",
                            code=pyotp.TOTP(secret).now(), trust_device=True, client=CLIENT)
    assert isinstance(done, sign_in.SignedIn) and done.trusted_device_token
    # The pending token is used up; the trusted browser skips the code next time.
    again = sign_in.complete(db, redis, throttle, pending_token=step.pending_token, kind="totp",
                             code=pyotp.TOTP(secret).now(), trust_device=False, client=CLIENT)
    assert isinstance(again, sign_in.Refused)
    trusted = sign_in.start(db, redis, throttle, mailer, email="op@example.com", password=PASSWORD, client=CLIENT,
                            trusted_token=done.trusted_device_token)
    assert isinstance(trusted, sign_in.SignedIn)


def test_email_code_sign_in_sends_the_code_through_resend(db, redis, throttle, mailer, resend):
    make_user(db, "mail@example.com", method=TwoFactorMethod.email)
    step = sign_in.start(db, redis, throttle, mailer, email="mail@example.com", password=PASSWORD, client=CLIENT)
    assert isinstance(step, sign_in.SecondFactorRequired)
    code = re.search(r"\b(\d{6})\b", outbox(resend, "mail@example.com")[0]["subject"]).group(1)
    done = sign_in.complete(db, redis, throttle, pending_token=step.pending_token, kind="email", code=code,
                            trust_device=False, client=CLIENT)
    assert isinstance(done, sign_in.SignedIn)


def test_a_backup_code_completes_sign_in_once(db, redis, throttle, mailer):
    user = make_user(db)
    give_totp(db, user)
    codes = two_factor.generate_backup_codes(db, user)
    db.commit()
    for expected in (sign_in.SignedIn, sign_in.Refused):
        step = sign_in.start(db, redis, throttle, mailer, email="op@example.com", password=PASSWORD, client=CLIENT)
        result = sign_in.complete(db, redis, throttle, pending_token=step.pending_token, kind="backup_code",
                                  code=codes[0], trust_device=False, client=CLIENT)
        assert isinstance(result, expected)
    assert "auth.backup_code_used" in actions(db)


def test_a_deactivated_account_cannot_sign_in(db, redis, throttle, mailer):
    user = make_user(db)
    user.is_active = False
    db.commit()
    result = sign_in.start(db, redis, throttle, mailer, email="op@example.com", password=PASSWORD, client=CLIENT)
    assert result == sign_in.Refused(sign_in.GENERIC_REFUSAL)


# ---- the role table -----------------------------------------------------------------------------------

ADMIN_ONLY = {Capability.integrations, Capability.branding, Capability.security_settings, Capability.api_keys,
              Capability.team, Capability.audit_logs, Capability.locations_manage, Capability.privacy}


@pytest.mark.parametrize("capability", list(Capability))
def test_role_table(db, capability):
    admin = make_user(db, "admin@example.com", Role.admin, TwoFactorMethod.email)
    operator = make_user(db)
    admin_token = login_sessions.create(db, admin, SETTINGS, ip=None, user_agent=None)
    operator_token = login_sessions.create(db, operator, SETTINGS, ip=None, user_agent=None)
    assert authz.authorise(db, admin_token, capability).user_id == admin.id
    if capability in ADMIN_ONLY:
        with pytest.raises(PermissionDenied):
            authz.authorise(db, operator_token, capability)
    else:
        assert authz.authorise(db, operator_token, capability).user_id == operator.id
    with pytest.raises(authz.NotSignedIn):
        authz.authorise(db, None, capability)


def test_an_admin_without_2fa_may_only_open_the_account_page_when_2fa_is_required(db):
    admin = make_user(db, "admin@example.com", Role.admin)
    token = login_sessions.create(db, admin, SETTINGS, ip=None, user_agent=None)
    assert authz.authorise(db, token, Capability.account).must_enrol_2fa
    with pytest.raises(PermissionDenied, match="two-factor"):
        authz.authorise(db, token, Capability.dashboard)


# ---- team ---------------------------------------------------------------------------------------------

def test_invitation_link_sets_the_password_once(db, mailer, resend, throttle):
    admin = make_user(db, "admin@example.com", Role.admin, TwoFactorMethod.email)
    me = principal_of(db, login_sessions.create(db, admin, SETTINGS, ip=None, user_agent=None))
    link = team.invite(db, me, ACTOR, mailer, email="New.Person@Example.com", role=Role.operator,
                       base_url="https://hygate.test")
    assert link in outbox(resend, "new.person@example.com")[0]["text"]
    token = link.rsplit("/", 1)[1]
    with pytest.raises(InvalidInput):
        team.accept(db, throttle, token, ACTOR, name="New", password="password")
    user = team.accept(db, throttle, token, ACTOR, name="New Person", password="a long enough password")
    assert (user.email, user.role) == ("new.person@example.com", Role.operator)
    again = team.accept(db, throttle, token, ACTOR, name="Again", password="another long password")
    assert again == Refused(team.INVITATION_NOT_VALID)
    assert {"team.invited", "team.invitation_accepted", "team.invitation_refused"} <= set(actions(db))


def test_guessing_invitation_links_is_throttled_and_audited(db):
    tight = Throttle(get_settings().redis_url, key_prefix=f"test-{uuid.uuid4().hex}", attempts_per_ip=3)
    outcomes = [team.accept(db, tight, f"guess-{i}", ACTOR, name="X", password="a long enough password")
                for i in range(4)]
    assert [o.message for o in outcomes[:3]] == [team.INVITATION_NOT_VALID] * 3
    assert outcomes[3].message.startswith("Too many attempts. Try again in") and outcomes[3].retry_after >= 1
    assert actions(db).count("team.invitation_refused") == 3 and "team.invitation_throttled" in actions(db)


def test_an_expired_invitation_is_refused(db, mailer):
    admin = make_user(db, "admin@example.com", Role.admin, TwoFactorMethod.email)
    me = principal_of(db, login_sessions.create(db, admin, SETTINGS, ip=None, user_agent=None))
    token = team.invite(db, me, ACTOR, mailer, email="late@example.com", role=Role.operator,
                        base_url="https://hygate.test").rsplit("/", 1)[1]
    assert team.valid_invitation(db, token, now=utcnow() + timedelta(hours=73)) is None


def test_the_last_administrator_cannot_be_demoted_or_deactivated(db):
    admin = make_user(db, "admin@example.com", Role.admin, TwoFactorMethod.email)
    other = make_user(db, "other@example.com", Role.admin, TwoFactorMethod.email)
    me = principal_of(db, login_sessions.create(db, admin, SETTINGS, ip=None, user_agent=None))
    other_token = login_sessions.create(db, other, SETTINGS, ip=None, user_agent=None)
    team.change_role(db, me, ACTOR, other.id, Role.operator)
    assert authz.principal_for(db, other_token) is None  # a role change ends their sessions
    with pytest.raises(Conflict):
        team.change_role(db, me, ACTOR, admin.id, Role.operator)
    team.change_role(db, me, ACTOR, other.id, Role.admin)
    with pytest.raises(Conflict):
        team.set_active(db, me, ACTOR, admin.id, False)  # not oneself
    team.set_active(db, me, ACTOR, other.id, False)
    assert "team.role_changed" in actions(db)
