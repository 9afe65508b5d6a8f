"""Starlette routes mounted in front of Reflex: the Stripe webhook, health, and (demo) simulators."""
