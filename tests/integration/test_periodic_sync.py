"""The periodic cloud jobs on the real stack: the TTLock token is refreshed before it lapses, and the
lock and device syncs bring the cloud's battery/online state into Hygate without anyone opening a page."""

from __future__ import annotations

import time

import httpx
from rq.cron import CronScheduler

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.integrations.ttlock import Tokens
from hygate_app.models import Device
from hygate_app.services import door_sync
from jobs.catalogue_sync import refresh_ttlock_token, sync_devices, sync_locks
from tests.support.catalogue import new_device
from tests.support.doors import add_lock, new_door


def ttlock() -> str:
    return get_settings().ttlock_base


def token_grants() -> list[str]:
    calls = httpx.get(f"{ttlock()}/_sim/calls", timeout=5).json()["calls"]
    return [c["params"].get("grant_type", "password") for c in calls if c["path"] == "/oauth2/token"]


def test_the_token_job_refreshes_a_token_close_to_expiry_and_leaves_a_fresh_one(stack, pg):
    client = providers.ttlock_client()
    client.ensure_token()
    store = client._store
    current = store.load()
    store.save(Tokens(current.access_token, current.refresh_token, time.time() + 60, current.lifetime_seconds))
    providers.forget_clients()  # as another process would: it finds the nearly expired token in the database
    before = token_grants()

    assert refresh_ttlock_token().startswith("token valid until")

    assert token_grants()[len(before):] == ["refresh_token"]
    renewed = store.load()
    assert renewed.access_token != current.access_token and renewed.expires_at > time.time() + 3600
    # A fresh token is left alone: the next run makes no call at all.
    assert refresh_ttlock_token().startswith("token valid until")
    assert token_grants()[len(before):] == ["refresh_token"]


def test_the_lock_sync_job_brings_the_lock_state_in(stack, pg):
    lock = add_lock(ttlock(), battery=77, has_gateway=True)
    door = new_door(pg, lock)
    httpx.post(f"{ttlock()}/_sim/locks/{lock}", json={"battery": 12}, timeout=5).raise_for_status()

    assert sync_locks().startswith("doors read: ")

    pg.expire_all()
    assert door_sync.lock_state(pg, door.ttlock_lock_id).battery == 12


def test_the_device_sync_job_marks_a_device_the_cloud_reports_offline(stack, pg):
    shelly = get_settings().shelly_base
    device = new_device(pg, shelly)
    httpx.post(f"{shelly}/_sim/devices/{device.shelly_device_id}/online", json={"online": False},
               timeout=5).raise_for_status()
    try:
        assert sync_devices().startswith("devices read: ")
        pg.expire_all()
        assert pg.get(Device, device.id).online is False
    finally:
        httpx.post(f"{shelly}/_sim/devices/{device.shelly_device_id}/online", json={"online": True},
                   timeout=5).raise_for_status()


def test_the_cron_schedule_runs_the_cloud_jobs():
    scheduler = CronScheduler(connection=providers.redis())
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert jobs["jobs.catalogue_sync.refresh_ttlock_token"].interval == 6 * 3600
    assert jobs["jobs.catalogue_sync.sync_locks"].interval == 24 * 3600
    assert jobs["jobs.catalogue_sync.sync_devices"].interval == 6 * 3600
