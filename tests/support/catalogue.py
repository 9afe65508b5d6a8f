"""A fresh device per test (so tests never share a busy machine), registered in Hygate through the
catalogue service and on the running Shelly simulator through its control API."""

from __future__ import annotations

import uuid

import httpx
from sqlmodel import Session, select

from hygate_app.models import Device, Location, UsagePlan
from hygate_app.services import catalogue
from hygate_app.services.demo import seed_demo


def new_device(db: Session, shelly_url: str, *, minutes: int = 1, delay: int = 0, price: int = 150) -> Device:
    location = db.exec(select(Location)).first()
    if location is None:
        seed_demo(db)
        location = db.exec(select(Location)).one()
    shelly_id = f"shelly-test-{uuid.uuid4().hex[:8]}"
    httpx.post(f"{shelly_url}/_sim/devices", json={"id": shelly_id, "name": "Test washer", "online": True},
               timeout=5).raise_for_status()
    return catalogue.add_device(
        db, location_id=location.id, name=f"Washer {shelly_id[-4:]}", shelly_device_id=shelly_id,
        plans=[catalogue.PlanSpec("Quick test", minutes, price, delay_minutes=delay)],
    )


def first_plan(db: Session, device: Device) -> UsagePlan:
    return db.exec(select(UsagePlan).where(UsagePlan.device_id == device.id)).first()


def relay_state(shelly_url: str, shelly_id: str) -> dict:
    devices = httpx.get(f"{shelly_url}/_sim/devices", timeout=5).json()["devices"]
    [device] = [d for d in devices if d["id"] == shelly_id]
    return device["relays"][0]


def relay_commands(shelly_url: str, shelly_id: str) -> list[str]:
    commands = httpx.get(f"{shelly_url}/_sim/commands", timeout=5).json()["commands"]
    return [c["params"].get("turn") for c in commands
            if c.get("device_id") == shelly_id and c["endpoint"].endswith("relay/control") and c["outcome"] == "ok"]
