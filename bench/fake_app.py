"""The production app with the partners replaced by in-process fakes, for gunicorn:

    gunicorn -c gunicorn.conf.py 'bench.fake_app:create_app()'

so that a load test measures couchbank's own work, not a partner's latency. Configured from
the same environment as the real service (COUCHBANK_DATA_DIR, DATABASE_URL, ...)."""
from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    from app import create_app as build
    from bench.harness import memory_partners

    return build(partners=memory_partners())
