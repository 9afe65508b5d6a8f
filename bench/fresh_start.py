"""`make run` on a fresh machine: minutes from a fresh clone to the first guest page, and from a second `make run`
(a restart) to the first page again.

    .venv/bin/python bench/fresh_start.py [--port 8851] [--clone /tmp/hygate-fresh] [--keep]

Clones this repository's committed HEAD into `--clone`, runs `make run` there (its own virtualenv, npm packages,
frontend build, SQLite database and demo data; Redis at BENCH_REDIS_URL) with PORT=`--port`, and times the
stages from its output: install, frontend build, and the first page: `/use/demo-washer` answering and its page
state loaded over the websocket (`bench/guest_tab.py`), as a browser would show it. Then it stops everything and
does it again in the same clone. The clone is deleted at the end unless `--keep`. What the machine already has
cached (pip's and npm's download caches) makes a first run shorter; the output says which were present.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
from stack import REDIS_URL, ROOT


def _cache_note() -> str:
    caches = {"pip": Path.home() / ".cache" / "pip", "npm": Path.home() / ".npm"}
    present = [name for name, path in caches.items() if path.exists() and any(path.iterdir())]
    return f"download caches present: {', '.join(present) or 'none'}"


async def _page_state(port: int) -> None:
    from guest_tab import GuestTab

    tab = GuestTab("127.0.0.1", port, "/use/demo-washer")
    await tab.open()
    await tab.wait_until(lambda t: t.hydrated and t.var("use_state", "device_name"), timeout=120)
    await tab.close()


def make_run(clone: Path, port: int) -> dict[str, float]:
    """Seconds from `make run` to each stage; everything it started is stopped before returning."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(PORT=str(port), REDIS_URL=REDIS_URL, PATH=os.environ["PATH"].replace(f"{ROOT}/.venv/bin:", ""))
    for key in ("DATABASE_URL", "SIMULATORS_PORT", "STRIPE_API_BASE", "SHELLY_SERVER_URL", "RESEND_API_BASE",
                "TTLOCK_API_BASE", "ENCRYPTION_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(key, None)
    log = open(clone / "make-run.log", "w")  # noqa: SIM115 (closed below)
    started = time.monotonic()
    process = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    stages: dict[str, float] = {}

    def read_output() -> None:
        for line in process.stdout:
            log.write(line)
            if "Building the frontend" in line:
                stages.setdefault("installed", time.monotonic() - started)
            elif "Staff sign-in" in line or "Hygate runs at" in line:
                stages.setdefault("built, migrated, demo seeded", time.monotonic() - started)

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"make run ended with {process.returncode}; see {clone / 'make-run.log'}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/use/demo-washer", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        stages["first page answered"] = time.monotonic() - started
        asyncio.run(_page_state(port))
        stages["first page shows the device"] = time.monotonic() - started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(timeout=5)
        log.close()
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8851)
    parser.add_argument("--clone", type=Path, default=Path("/tmp/hygate-fresh"))
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    args = parser.parse_args()

    shutil.rmtree(args.clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(args.clone)], check=True)
    print(_cache_note())
    try:
        for run in ("fresh clone", "second run (restart)"):
            stages = make_run(args.clone, args.port)
            shown = ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in stages.items())
            print(f"make run, {run}: {shown}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(args.clone, ignore_errors=True)


if __name__ == "__main__":
    main()
