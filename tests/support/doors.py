"""Doors on locks of a running TTLock simulator: a lock added through its control API, a door on it in
Hygate, and what the simulator has issued for it."""

from __future__ import annotations

import random

import httpx
from sqlmodel import Session, select

from hygate_app.models import Door, DoorMode, Location
from hygate_app.services import catalogue
from hygate_app.services.demo import seed_demo


def add_lock(ttlock_url: str, **spec) -> int:
    """A lock in the simulator (a random id unless given); spec keys as `/_sim/locks` takes them."""
    lock_id = int(spec.pop("id", random.randint(7_200_000, 7_999_999)))
    httpx.post(f"{ttlock_url}/_sim/locks", json={"id": lock_id, **spec}, timeout=5).raise_for_status()
    return lock_id


def new_door(db: Session, lock_id: int | None, *, minutes: int = 60, price: int = 200,
             mode: DoorMode = DoorMode.active) -> Door:
    location = db.exec(select(Location).order_by(Location.id)).first()
    if location is None:
        seed_demo(db)
        location = db.exec(select(Location).order_by(Location.id)).one()
    door = Door(uid=catalogue.new_uid(), display_code=catalogue.new_display_code(), location_id=location.id,
                name=f"Door {random.randint(1000, 9999)}", ttlock_lock_id=str(lock_id) if lock_id else None,
                price_minor=price, currency="eur", access_minutes=minutes, mode=mode)
    db.add(door)
    db.commit()
    return door


def issued_for(ttlock_url: str, lock_id: int) -> list[dict]:
    credentials = httpx.get(f"{ttlock_url}/_sim/credentials", timeout=5).json()["credentials"]
    return [c for c in credentials if c["lock_id"] == lock_id]
