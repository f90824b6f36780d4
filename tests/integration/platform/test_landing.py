"""`/`: a page saying what the service is, linking its consoles, docs and metrics; the favicon."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _build_app


def test_the_landing_page_links_the_rest(client: Any) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for link in ('href="/console"', 'href="/audit/"', 'href="/docs"', 'href="/metrics"', 'rel="icon"'):
        assert link in html
    assert "voice banking" in html and "K-Bank" in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    for path in ("/console", "/audit/", "/docs", "/metrics"):
        assert client.get(path).status_code in (200, 302)


def test_the_favicon(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")


def test_production_links_no_speaker_console(tmp_path: Path, database_url: str) -> None:
    app = _build_app(tmp_path, database_url, None, environment="production")
    try:
        html = app.test_client().get("/").get_data(as_text=True)
        assert 'href="/console"' not in html and 'href="/audit/"' in html and "demo-tv" not in html
    finally:
        app.extensions["couchbank"].close()


@pytest.mark.parametrize("query", ["x=%00", "a=" + "b" * 5000, "%ff%fe"])
def test_any_query_is_the_same_page(client: Any, query: str) -> None:
    assert client.get("/?" + query).status_code == 200
