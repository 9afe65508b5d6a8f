"""The one place that reads environment variables; everything else asks `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Hygate's configuration. Every field is an environment variable of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    # Where the app is reached from outside (used in Stripe return URLs and CORS).
    public_url: str = Field(default="", alias="PUBLIC_URL")
    port: int = Field(default=8000, alias="PORT")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'hygate.db'}", alias="DATABASE_URL")
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", alias="REDIS_URL")
    # Heroku Key-Value Store speaks TLS (`rediss://`) with a self-signed certificate: `false` there keeps the
    # encryption but skips checking the certificate (every Redis client takes it from the URL).
    redis_tls_verify: bool = Field(default=True, alias="REDIS_TLS_VERIFY")

    # Demo mode mounts the simulators in the app and points the real clients at them, unless
    # STRIPE_API_BASE / SHELLY_SERVER_URL name another place (`cli simulators` serves them alone).
    demo_mode: bool = Field(default=True, alias="HYGATE_DEMO")
    simulators_port: int = Field(default=8001, alias="SIMULATORS_PORT")

    stripe_secret_key: str = Field(default="sk_test_simulator", alias="STRIPE_SECRET_KEY")
    stripe_webhook_secret: str = Field(default="whsec_simulator", alias="STRIPE_WEBHOOK_SECRET")
    stripe_api_base: str = Field(default="", alias="STRIPE_API_BASE")

    shelly_auth_key: str = Field(default="shelly-simulator-key", alias="SHELLY_AUTH_KEY")
    shelly_server_url: str = Field(default="", alias="SHELLY_SERVER_URL")
    # Shelly Cloud allows one request per second per account.
    shelly_min_interval: float = Field(default=1.0, alias="SHELLY_MIN_INTERVAL")

    # TTLock Open Platform (door locks): the developer app's client id/secret and the lock owner's app account.
    # TTLOCK_API_BASE points it elsewhere than the simulator in demo mode, or than euapi.ttlock.com otherwise.
    ttlock_client_id: str = Field(default="ttlock-simulator-client", alias="TTLOCK_CLIENT_ID")
    ttlock_client_secret: str = Field(default="ttlock-simulator-secret", alias="TTLOCK_CLIENT_SECRET")
    ttlock_username: str = Field(default="demo@hygate.local", alias="TTLOCK_USERNAME")
    ttlock_password: str = Field(default="ttlock-simulator-password", alias="TTLOCK_PASSWORD")
    ttlock_api_base: str = Field(default="", alias="TTLOCK_API_BASE")
    ttlock_min_interval: float = Field(default=0.2, alias="TTLOCK_MIN_INTERVAL")

    # Resend sends the e-mail (OTP codes, invitations); RESEND_API_BASE points it elsewhere than the
    # simulator in demo mode, or than api.resend.com otherwise.
    resend_api_key: str = Field(default="re_simulator_key", alias="RESEND_API_KEY")
    resend_api_base: str = Field(default="", alias="RESEND_API_BASE")
    mail_from: str = Field(default="Hygate <hygate@demo.hygate.local>", alias="MAIL_FROM")

    # Timeouts, in seconds. Every call to Stripe, Shelly, TTLock and Resend: connecting, then each wait for the
    # answer (TTLock writes through a lock's gateway can take several seconds).
    http_connect_timeout: float = Field(default=5.0, alias="HTTP_CONNECT_TIMEOUT")
    http_read_timeout: float = Field(default=15.0, alias="HTTP_READ_TIMEOUT")
    # Redis: connecting, then any one command (the RQ worker lengthens the latter for its blocking wait on jobs).
    redis_connect_timeout: float = Field(default=5.0, alias="REDIS_CONNECT_TIMEOUT")
    redis_socket_timeout: float = Field(default=10.0, alias="REDIS_SOCKET_TIMEOUT")
    # PostgreSQL: connecting, and the longest one SQL statement may run (0: no limit). Migrations have no limit;
    # reports and exports read in statements far shorter than this.
    db_connect_timeout: int = Field(default=10, alias="DB_CONNECT_TIMEOUT")
    db_statement_timeout: float = Field(default=60.0, alias="DB_STATEMENT_TIMEOUT")

    # An integration "keeps failing" after this many failed calls in a row over at least this many minutes:
    # administrators then get one e-mail for the incident, and one when the integration works again.
    integration_alert_failures: int = Field(default=5, alias="INTEGRATION_ALERT_FAILURES")
    integration_alert_minutes: float = Field(default=2.0, alias="INTEGRATION_ALERT_MINUTES")

    # The relay's own auto-off fires this many seconds after the paid end (the fail-safe).
    relay_auto_off_margin_seconds: int = Field(default=120, alias="RELAY_AUTO_OFF_MARGIN_SECONDS")
    # Bulk status calls (ten devices each) one reconciliation pass may make beyond the devices in use or
    # believed ON: 60 is half the cloud's budget over the two-minute period.
    reconcile_read_calls: int = Field(default=60, alias="RECONCILE_READ_CALLS")
    # How long a guest has to pay before the Checkout Session expires (Stripe: 30 min minimum).
    checkout_expiry_minutes: int = Field(default=30, alias="CHECKOUT_EXPIRY_MINUTES")

    # AES-256 key for secrets at rest (32 bytes, URL-safe base64: `cli generate-key`). Kept out of the database.
    encryption_key: str = Field(default="", alias="ENCRYPTION_KEY")
    # Comma-separated older keys that still decrypt during a rotation; `cli rotate-keys` moves values off them.
    encryption_keys_previous: str = Field(default="", alias="ENCRYPTION_KEYS_PREVIOUS")

    @model_validator(mode="after")
    def _unverified_redis_tls(self) -> Settings:
        url = self.redis_url
        if not self.redis_tls_verify and url.startswith("rediss://") and "ssl_cert_reqs=" not in url:
            self.redis_url += ("&" if "?" in self.redis_url else "?") + "ssl_cert_reqs=none"
        return self

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        """Heroku hands out `postgres://`; SQLAlchemy with psycopg 3 needs `postgresql+psycopg://`."""
        url = self.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url

    @property
    def stripe_base(self) -> str:
        return self.stripe_api_base or (f"{self.local_url}/_sim/stripe" if self.demo_mode else "")

    @property
    def shelly_base(self) -> str:
        if self.shelly_server_url:
            return self.shelly_server_url.rstrip("/")
        return f"{self.local_url}/_sim/shelly" if self.demo_mode else ""

    @property
    def resend_base(self) -> str:
        if self.resend_api_base:
            return self.resend_api_base.rstrip("/")
        return f"{self.local_url}/_sim/resend" if self.demo_mode else "https://api.resend.com"

    @property
    def ttlock_base(self) -> str:
        if self.ttlock_api_base:
            return self.ttlock_api_base.rstrip("/")
        return f"{self.local_url}/_sim/ttlock" if self.demo_mode else "https://euapi.ttlock.com"

    @property
    def local_url(self) -> str:
        """How the worker reaches the web process (simulators live there in demo mode)."""
        return f"http://127.0.0.1:{self.port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
