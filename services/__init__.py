"""The two HTTP services: `ingest` (write side) and `api` (read side)."""
