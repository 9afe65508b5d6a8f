"""The TTLock account the unit tests' simulator knows (client app and lock owner's app account)."""

TTLOCK_ACCOUNT = {"client_id": "unit-ttlock-client", "client_secret": "unit-ttlock-secret",
                  "username": "hygate_unit", "password": "unit-lock-password"}
