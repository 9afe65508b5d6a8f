"""Operator commands: `python -m hygate_app.cli migrate | seed-demo | ensure-redis | web | cron | simulators | up`."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

from redis import Redis

from hygate_app.config import ROOT, get_settings


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


def seed_demo() -> None:
    from hygate_app.db import session_scope
    from hygate_app.services.demo import seed_demo as seed

    with session_scope() as db:
        login = seed(db)
    print(f"Demo admin: {login.email}  password: {login.password}")


def _redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def ensure_redis() -> None:
    """Embedded default: start a throwaway local Redis when none is configured and none answers."""
    settings = get_settings()
    if _redis_answers(settings.redis_url):
        return
    if os.environ.get("REDIS_URL"):
        sys.exit(f"REDIS_URL is set but Redis does not answer at {settings.redis_url}.")
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("No Redis answers and redis-server is not installed (apt-get install redis-server).")
    run_dir = ROOT / ".run"
    run_dir.mkdir(exist_ok=True)
    subprocess.run(
        [binary, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no",
         "--dir", str(run_dir), "--logfile", str(run_dir / "redis.log")],
        check=True,
    )
    for _ in range(50):
        if _redis_answers(settings.redis_url):
            print("Started a local Redis on 127.0.0.1:6379.")
            return
        time.sleep(0.1)
    sys.exit("Started redis-server but it does not answer.")


def web() -> None:
    """Serve the prebuilt frontend and the backend from one process (no rebuild at start)."""
    from reflex.environment import environment

    settings = get_settings()
    for flag in (environment.REFLEX_SKIP_COMPILE, environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP):
        os.environ[flag.name] = "true"
    os.environ[environment.REFLEX_ENV_MODE.name] = "prod"
    os.execvp(sys.executable, [
        sys.executable, "-m", "uvicorn", "--factory", "hygate_app.hygate_app:app",
        "--host", os.environ.get("HOST", "0.0.0.0"), "--port", str(settings.port),
        "--workers", os.environ.get("WEB_CONCURRENCY", "1"), "--log-level", "warning", "--no-access-log",
    ])


def simulators() -> None:
    """The Stripe and Shelly simulators alone on SIMULATORS_PORT (point STRIPE_API_BASE and
    SHELLY_SERVER_URL at them), so they keep their state while Hygate restarts."""
    import uvicorn

    from hygate_app.api.routes import build_simulators

    settings = get_settings()
    uvicorn.run(build_simulators(settings), host="127.0.0.1", port=settings.simulators_port, log_level="warning",
                access_log=False)


def cron() -> None:
    from rq.cron import CronScheduler

    from hygate_app import providers

    scheduler = CronScheduler(connection=providers.redis())
    scheduler.load_config_from_file("jobs.schedule")
    scheduler.start()


def up() -> None:
    """What `make run` does after building: Redis, migrations, demo data, then web + worker + cron."""
    settings = get_settings()
    ensure_redis()
    migrate()
    print("\n" + "=" * 64)
    if settings.demo_mode:
        seed_demo()
        print(f"Guest demo:   {settings.base_url}/use/demo-washer   (or /use/demo-sauna)")
        print(f"Shelly sim:   {settings.base_url}/_sim/shelly/")
    print(f"Hygate runs at {settings.base_url}")
    print("=" * 64 + "\n", flush=True)
    _run_procfile("web", "worker", "cron")


def _run_procfile(*names: str) -> None:
    """Run Procfile entries with honcho's process manager. Not `honcho start`: it gives every process
    its own PORT (5000, 5100, …), and the worker must reach the web process on the configured one."""
    from honcho.environ import parse_procfile
    from honcho.manager import Manager
    from honcho.printer import Printer

    procfile = parse_procfile((ROOT / "Procfile").read_text())
    manager = Manager(Printer(sys.stdout))
    for name in names:
        manager.add_process(name, procfile.processes[name], env=os.environ.copy(), cwd=str(ROOT))
    manager.loop()
    sys.exit(manager.returncode)


COMMANDS = {"migrate": migrate, "seed-demo": seed_demo, "ensure-redis": ensure_redis, "web": web, "cron": cron,
            "simulators": simulators, "up": up}


def main() -> None:
    parser = argparse.ArgumentParser(prog="hygate")
    parser.add_argument("command", choices=sorted(COMMANDS))
    COMMANDS[parser.parse_args().command]()


if __name__ == "__main__":
    main()
