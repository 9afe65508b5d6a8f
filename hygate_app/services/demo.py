"""The demo workspace: a location with two simulated Shelly devices, a door on a simulated TTLock lock and a
demo admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from hygate_app.models import Device, Door, Location, Role, TwoFactorMethod, UsagePlan, User
from hygate_app.services import audit
from hygate_app.services.passwords import hash_password

DEMO_ADMIN_EMAIL = "admin@demo.hygate.local"
DEMO_SHELLY_DEVICES = [
    {"id": "shelly-demo-washer", "name": "Washer 1", "online": True},
    {"id": "shelly-demo-sauna", "name": "Sauna", "online": True},
]
# The demo door's lock in the TTLock simulator: a gateway, so passcodes can be exact to the minute.
DEMO_TTLOCK_LOCKS = [
    {"id": 7100001, "alias": "Front door", "battery": 90, "has_gateway": True, "supports_qr": False},
    {"id": 7100002, "alias": "Gym door", "battery": 64, "has_gateway": False, "supports_qr": False},
]
_DEVICES = [
    # uid, name, shelly id, display code, plans: (name, minutes, delay, price in cents)
    ("demo-washer", "Washer 1", "shelly-demo-washer", "WSH7K2",
     [("Quick test", 1, 0, 100), ("Standard wash", 45, 0, 450)]),
    ("demo-sauna", "Sauna", "shelly-demo-sauna", "SNA4P9",
     [("Quick test with warm-up", 1, 1, 100), ("Sauna hour", 60, 10, 1200)]),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def seed_demo(db: Session) -> DemoLogin:
    """Create what is missing (safe to run at every start) and give the demo admin a fresh password."""
    location = db.exec(select(Location).where(Location.name == "Demo Laundry")).first()
    if location is None:
        location = Location(name="Demo Laundry", timezone="Europe/Berlin")
        db.add(location)
        db.flush()
    for uid, name, shelly_id, code, plans in _DEVICES:
        if db.exec(select(Device).where(Device.uid == uid)).first() is not None:
            continue
        device = Device(uid=uid, name=name, shelly_device_id=shelly_id, display_code=code, location_id=location.id)
        db.add(device)
        db.flush()
        for order, (plan_name, minutes, delay, price) in enumerate(plans):
            db.add(UsagePlan(device_id=device.id, name=plan_name, duration_minutes=minutes, delay_minutes=delay,
                             price_minor=price, currency="eur", sort_order=order))
    if db.exec(select(Door).where(Door.uid == "demo-door")).first() is None:
        db.add(Door(uid="demo-door", name="Front door", display_code="DR3M8Q", location_id=location.id,
                    ttlock_lock_id=str(DEMO_TTLOCK_LOCKS[0]["id"]), price_minor=200, currency="eur", access_minutes=60))
    password = secrets.token_urlsafe(12)
    admin = db.exec(select(User).where(User.email == DEMO_ADMIN_EMAIL)).first()
    if admin is None:
        # Two-step verification by e-mail: the code lands in the Resend simulator's outbox.
        admin = User(email=DEMO_ADMIN_EMAIL, name="Demo Admin", role=Role.admin,
                     two_factor_method=TwoFactorMethod.email)
    admin.password_hash = hash_password(password)
    admin.session_version += 1 if admin.id else 0
    db.add(admin)
    db.flush()
    audit.record(db, "demo.seeded", target_type="user", target_id=admin.id, details={"email": DEMO_ADMIN_EMAIL})
    db.commit()
    return DemoLogin(DEMO_ADMIN_EMAIL, password)
