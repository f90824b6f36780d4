"""Exactly-once under saturation (`tests.saturation`): slow partner reads flood every worker
while transfers are sent; counts the transfers whose final status disagrees with the sandbox
ledgers. The service in process (each device its own WSGI client, one thread each), the
partners as the real sandbox processes over HTTP, the reconciler running."""
from __future__ import annotations

import collections
from typing import Any

from adapters.sandbox.testing import running_sandboxes
from bench import harness
from tests import saturation
from tests.support import Device, flask_transport

#: the full run is the report's scale (minutes); the quick one the test suite's (seconds)
SCALES = {"full": saturation.REPORT, "quick": saturation.CI}


def measure(engine: str, scale: saturation.Scale) -> dict[str, Any]:
    with harness.workdir("saturation") as d, running_sandboxes(d / "sandboxes") as urls, \
            harness.database(engine, d) as url:
        app = harness.build_app(d, url, scale.partners(urls, d / "sandboxes"), **scale.settings())
        services = harness.services_of(app)
        try:
            services.start_background()
            result = saturation.run(scale, services, urls,
                                    lambda device_id, secret: Device(flask_transport(app.test_client()),
                                                                     device_id, secret))
        finally:
            services.close()
    return {"engine": engine, "scale": scale.name, "turns": sum(result.turns.values()),
            "turn_outcomes": dict(result.turns), "transfers": len(result.sent),
            "answered": dict(collections.Counter(s.answered for s in result.sent)),
            "final": dict(collections.Counter(result.final.values())),
            "violations": result.violations, "pending": len(result.pending), "seconds": round(result.seconds, 1)}
