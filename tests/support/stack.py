"""The running product for integration and browser tests: the web process, an RQ worker and the
Stripe and Shelly simulators, as separate OS processes on the throwaway stores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hygate_app.config import ROOT, get_settings


@dataclass
class Stack:
    url: str
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def shelly(self) -> str:
        return get_settings().shelly_base

    @property
    def stripe(self) -> str:
        return get_settings().stripe_base

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        if name in self.processes:  # never lose track of a running process: it would outlive the suite
            self.stop(name)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def stop(self, name: str) -> None:
        """Stop the process and its children (the RQ work horse, uvicorn's workers): a survivor would
        keep taking jobs from the shared Redis database in the next run, against a dropped database."""
        process = self.processes.pop(name)
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)

    def kill(self, name: str) -> None:
        """SIGKILL to the process and every process under it at once, as the OOM killer or a lost host would: no
        handler runs, nothing is cleaned up. (An RQ work horse has a process group of its own: found by parent.)"""
        process = self.processes.pop(name)
        for pid in _descendants(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def start_and_wait(self, name: str, probe_url: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.start(name, *args, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(probe_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.processes[name].poll() is not None:
                self.stop_all()
                raise RuntimeError(f"the {name} process did not start; see {self.logs / f'{name}.log'}")
            time.sleep(0.3)

    def start_web(self) -> None:
        self.start_and_wait("web", f"{self.url}/api/health", "-m", "hygate_app.cli", "web")

    def start_other_web(self, name: str, port: int) -> str:
        """One more web process, as a second dyno: the same site (PUBLIC_URL is the stack's, so the same frontend,
        CORS origin and return URLs), listening on its own port, which it returns as its address."""
        address = f"http://127.0.0.1:{port}"
        self.start_and_wait(name, f"{address}/api/health", "-m", "hygate_app.cli", "web",
                            env={"PORT": str(port), "PUBLIC_URL": self.url})
        return address

    def restart_web(self) -> None:
        self.stop("web")
        self.start_web()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren … of `pid`, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def frontend_built_for(port: int) -> bool:
    env_json = ROOT / ".web" / "env.json"
    index = ROOT / ".web" / "build" / "client" / "index.html"
    return index.exists() and env_json.exists() and f":{port}/" in json.loads(env_json.read_text()).get("PING", "")


def start_stack(logs: Path) -> Stack:
    stack = Stack(url=get_settings().base_url, logs=logs)
    stack.start_and_wait("simulators", f"{stack.shelly}/_sim/devices", "-m", "hygate_app.cli", "simulators")
    stack.start("worker", "-m", "jobs.worker")
    stack.start_web()
    return stack


def wait_for(predicate, timeout: float, interval: float = 0.25, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)
