"""Settings that adapt a hosting provider's environment variables to what the libraries expect."""

from __future__ import annotations

from redis import Redis

from hygate_app.config import Settings


def test_heroku_postgres_url_gets_the_psycopg_driver():
    assert Settings(DATABASE_URL="postgres://u:p@db.example:5432/d").sqlalchemy_url == \
        "postgresql+psycopg://u:p@db.example:5432/d"


def test_a_tls_redis_with_a_self_signed_certificate_is_reached_without_checking_it_only_when_told():
    heroku = "rediss://:secret@kv.example:6380"
    unchecked = Settings(REDIS_URL=heroku, REDIS_TLS_VERIFY="false").redis_url
    assert unchecked == f"{heroku}?ssl_cert_reqs=none"
    assert Redis.from_url(unchecked).connection_pool.connection_kwargs["ssl_cert_reqs"] == "none"
    assert Settings(REDIS_URL=f"{heroku}/0?timeout=5", REDIS_TLS_VERIFY="false").redis_url == \
        f"{heroku}/0?timeout=5&ssl_cert_reqs=none"
    # Verified by default, and a plain connection has no certificate to skip.
    assert Settings(REDIS_URL=heroku).redis_url == heroku
    assert Settings(REDIS_URL="redis://127.0.0.1:6379/0", REDIS_TLS_VERIFY="false").redis_url == \
        "redis://127.0.0.1:6379/0"
