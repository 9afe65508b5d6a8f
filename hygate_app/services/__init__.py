"""The product's rules in plain Python: no Reflex, no requests, just a DB session and values."""
