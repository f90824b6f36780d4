"""`python -m bench.export_probe DATA_DIR DATABASE_URL`: export every audit event as JSON
lines to /dev/null through the auditors' export path and print one JSON line with events per
second and peak memory. Runs in its own process so that the peak is the export's."""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(data_dir: str, url: str) -> int:
    from bench import harness

    app = harness.build_app(Path(data_dir), url)
    services = harness.services_of(app)
    try:
        from banking.audit import export as audit_export, query as audit_query
    except ImportError:
        print(json.dumps({"error": "no export module (banking.audit.export / audit_query)"}))
        return 0
    before = _rss_mb()
    n = 0
    start = time.perf_counter()
    with open("/dev/null", "w", encoding="utf-8") as sink:
        for line in audit_export.FORMATS["jsonl"][0](audit_query.stream(services.db, audit_query.Filters())):
            sink.write(line)
            n += 1
    elapsed = time.perf_counter() - start
    services.close()
    print(json.dumps({"events": n, "per_s": round(n / elapsed), "seconds": round(elapsed, 2),
                      "peak_rss_mb": round(_rss_mb(), 1), "rss_growth_mb": round(_rss_mb() - before, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
