"""A device nonce is single-use across service processes."""
from __future__ import annotations

import time

from banking.auth.signing import signed_headers
from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import Cluster, race
from tests.support import http_transport, nonce

pytestmark = CONCURRENCY


def test_the_same_nonce_sent_to_two_processes_at_once_is_accepted_once(cluster: Cluster) -> None:
    sends = [http_transport(server.url) for server in cluster.servers]
    for _ in range(10):
        headers = signed_headers("demo-tv", "demo-tv-secret", "GET", "/v1/transfers", b"",
                                 now=time.time(), nonce=nonce())
        results = race(*[lambda s=s: s("GET", "/v1/transfers", b"", dict(headers)) for s in sends])
        assert sorted(status for status, _ in results) == [200, 401], results
