"""The Shelly simulator's bulk control endpoint, which the reconciliation bench uses to register thousands of
devices in one call; the cloud API sees them like any other device."""

from __future__ import annotations

from starlette.testclient import TestClient

from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator

AUTH_KEY = "sim-auth-key-bulk"


def sim() -> TestClient:
    return TestClient(create_shelly_simulator(AUTH_KEY, [], rate_limit_per_second=0))


def test_bulk_devices_are_registered_with_their_starting_relay_state():
    with sim() as client:
        specs = [{"id": f"shelly-bulk-{n}", "name": f"Bulk {n}", "on": n % 3 == 0} for n in range(25)]
        reply = client.post("/_sim/devices/bulk", json={"devices": specs})
        assert reply.status_code == 200
        assert reply.json() == {"stored": 25, "devices": 25}

        devices = {d["id"]: d for d in client.get("/_sim/devices").json()["devices"]}
        assert len(devices) == 25
        assert [n for n in range(25) if devices[f"shelly-bulk-{n}"]["relays"][0]["on"]] == list(range(0, 25, 3))

        ids = ["shelly-bulk-0", "shelly-bulk-1"]
        read = client.post(f"/v2/devices/api/get?auth_key={AUTH_KEY}", json={"ids": ids, "select": ["status"]})
        assert [entry["status"]["relays"][0]["ison"] for entry in read.json()] == [True, False]


def test_a_bulk_request_with_one_bad_device_stores_none():
    with sim() as client:
        bad = [{"id": "shelly-ok-1"}, {"name": "no id"}]
        assert client.post("/_sim/devices/bulk", json={"devices": bad}).status_code == 400
        wrong_gen = [{"id": "shelly-ok-1"}, {"id": "shelly-gen-9", "gen": 9}]
        assert client.post("/_sim/devices/bulk", json={"devices": wrong_gen}).status_code == 400
        assert client.post("/_sim/devices/bulk", json=[{"id": "x"}]).status_code == 400
        assert client.get("/_sim/devices").json()["devices"] == []
