"""Operator commands: `python -m hygate_app.cli migrate | seed-demo | ensure-redis | web | cron | simulators | up
| generate-key | rotate-keys | verify-audit`."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

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


def create_admin(email: str, name: str = "") -> None:
    from hygate_app.db import session_scope
    from hygate_app.services.errors import DomainError
    from hygate_app.services.first_admin import create_first_admin

    try:
        with session_scope() as db:
            password = create_first_admin(db, email, name)
    except DomainError as exc:
        sys.exit(str(exc))
    print(f"Administrator {email.strip()} created. Password (shown once, change it under Account): {password}")


def _redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _without_password(url: str) -> str:
    """The address for a message: a password in the URL never reaches a terminal or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def ensure_redis() -> None:
    """Embedded default: start a throwaway local Redis when none is configured and none answers."""
    settings = get_settings()
    if _redis_answers(settings.redis_url):
        return
    if os.environ.get("REDIS_URL"):
        sys.exit(f"REDIS_URL is set but Redis does not answer at {_without_password(settings.redis_url)}.")
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

    from hygate_app.api.request_limits import EVENT_MAX_BYTES
    from hygate_app.services.encryption import EncryptionError, key_ring

    settings = get_settings()
    try:
        key_ring()
    except EncryptionError as exc:
        sys.exit(f"Hygate cannot start: {exc}")
    for flag in (environment.REFLEX_SKIP_COMPILE, environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP):
        os.environ[flag.name] = "true"
    os.environ[environment.REFLEX_ENV_MODE.name] = "prod"
    os.environ[environment.REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE.name] = str(EVENT_MAX_BYTES)
    os.execvp(sys.executable, [
        sys.executable, "-m", "uvicorn", "--factory", "hygate_app.hygate_app:app",
        "--host", os.environ.get("HOST", "0.0.0.0"), "--port", str(settings.port),
        "--workers", os.environ.get("WEB_CONCURRENCY", "1"), "--log-level", "warning", "--no-access-log",
        "--ws-max-size", str(EVENT_MAX_BYTES),
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
    ensure_redis()
    _ensure_demo_encryption_key()
    settings = get_settings()
    migrate()
    print("\n" + "=" * 64)
    if settings.demo_mode:
        seed_demo()
        print(f"Staff sign-in: {settings.base_url}/login   (the 2-step code arrives in the mail outbox)")
        print(f"Guest demo:   {settings.base_url}/use/demo-washer   (or /use/demo-sauna)")
        print(f"Door demo:    {settings.base_url}/pay/demo-door")
        print(f"Shelly sim:   {settings.base_url}/_sim/shelly/")
        print(f"TTLock sim:   {settings.base_url}/_sim/ttlock/")
        print(f"Mail outbox:  {settings.base_url}/_sim/resend/")
    print(f"Hygate runs at {settings.base_url}")
    print("=" * 64 + "\n", flush=True)
    _run_procfile("web", "worker", "cron")


def _ensure_demo_encryption_key() -> None:
    """The demo keeps its own key in .run/ (outside the database, never committed); production sets
    ENCRYPTION_KEY and fails closed without it."""
    from hygate_app.services.encryption import generate_key

    settings = get_settings()
    if settings.encryption_key or not settings.demo_mode:
        return
    path = ROOT / ".run" / "encryption.key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(generate_key())
    os.environ["ENCRYPTION_KEY"] = path.read_text().strip()
    get_settings.cache_clear()


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


def generate_key() -> None:
    """Print a new ENCRYPTION_KEY; it is never stored anywhere by Hygate."""
    from hygate_app.services.encryption import generate_key as new_key

    print(new_key())


def rotate_keys() -> None:
    """Re-encrypt every stored secret under ENCRYPTION_KEY. Rotate by: deploy the new ENCRYPTION_KEY with the old
    one in ENCRYPTION_KEYS_PREVIOUS, run this, then drop the old key from ENCRYPTION_KEYS_PREVIOUS."""
    from hygate_app.db import session_scope
    from hygate_app.services.credentials import reencrypt_all
    from hygate_app.services.encryption import EncryptionError, key_ring

    try:
        ring = key_ring()
        with session_scope() as db:
            rewritten = reencrypt_all(db, ring)
    except EncryptionError as exc:
        sys.exit(f"Nothing was re-encrypted: {exc}")
    print(f"Re-encrypted {rewritten} values under key {ring.current_key_id}.")


def verify_audit(checkpoint: str | None = None) -> None:
    """Walk the audit chain; exit 1 naming the first broken row, or when a checkpoint (from the log or the
    administrators' e-mail) no longer matches. Read-only: it records nothing."""
    from hygate_app.db import session_scope
    from hygate_app.services.audit_verification import Checkpoint, CheckpointError, verify
    from hygate_app.services.encryption import EncryptionError, key_ring

    try:
        previous = Checkpoint.parse(checkpoint) if checkpoint else None
        with session_scope() as db:
            result = verify(db, key_ring(), previous)
    except (CheckpointError, EncryptionError) as exc:
        sys.exit(f"Cannot verify: {exc}")
    print(result.summary())
    if previous and result.checkpoint_problem is None:
        print(f"The checkpoint of row #{previous.row_id} ({previous.at}) matches.")
    if result.checkpoint:
        print(f"Checkpoint of the current head: {result.checkpoint.line()}")
    if not result.intact:
        sys.exit(1)


COMMANDS = {"migrate": migrate, "seed-demo": seed_demo, "ensure-redis": ensure_redis, "web": web, "cron": cron,
            "simulators": simulators, "up": up, "generate-key": generate_key, "rotate-keys": rotate_keys,
            "verify-audit": verify_audit, "create-admin": create_admin}


def main() -> None:
    parser = argparse.ArgumentParser(prog="hygate")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--checkpoint", help="verify-audit: also check this checkpoint line")
    parser.add_argument("--email", help="create-admin: the first administrator's e-mail address")
    parser.add_argument("--name", default="", help="create-admin: their name")
    args = parser.parse_args()
    if args.checkpoint and args.command != "verify-audit":
        parser.error("--checkpoint goes with verify-audit only")
    if args.command == "create-admin" and not args.email:
        parser.error("create-admin needs --email")
    if args.command == "verify-audit":
        verify_audit(args.checkpoint)
    elif args.command == "create-admin":
        create_admin(args.email, args.name)
    else:
        COMMANDS[args.command]()


if __name__ == "__main__":
    main()
