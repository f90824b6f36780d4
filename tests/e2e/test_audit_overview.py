"""The auditors' overview in a real headless Chromium: the page is screenshotted and the
screenshot read back, pixel by pixel, to see that each chart was drawn (not just sent)."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.test_speaker_console import ARGS, CHROMIUM, _page_keeping_to
from tests.integration.audit.test_audit_overview import activity

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced PNG, as Chromium
    writes its screenshots (RFC 2083's five row filters undone)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        prev = line
    return width, height, rows


def coloured_pixels(rows: list[bytes], box: dict[str, float]) -> int:
    """Pixels in `box` that are clearly coloured: chart marks, not the white page, the grey
    grid or the dark text."""
    found = 0
    for y in range(int(box["y"]), int(box["y"] + box["height"])):
        row = rows[y]
        for x in range(int(box["x"]), int(box["x"] + box["width"])):
            r, g, b = row[3 * x:3 * x + 3]
            found += max(r, g, b) - min(r, g, b) > 60
    return found


def test_the_overview_draws_its_charts(live_app_factory: Any, memory_partners: Any, http_device: Any,
                                       browser: Any, tmp_path: Path) -> None:
    app, url = live_app_factory(memory_partners)
    activity(app.extensions["couchbank"], http_device(url))
    page, outside = _page_keeping_to(browser, url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/audit/")
    page.get_by_label("Auditor token").fill("demo-auditor-token")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name="Overview", level=1).wait_for()

    charts = page.locator("svg.chart")
    assert charts.count() == 5
    assert page.locator("svg.chart .mark").count() > 20
    assert "Intact" in page.locator("#chain").inner_text()
    shot = page.screenshot(full_page=True)
    (tmp_path / "overview.png").write_bytes(shot)
    _, height, rows = decode_png(shot)
    scroll_y = page.evaluate("window.scrollY")
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        box = {**box, "y": box["y"] + scroll_y}
        assert box["y"] + box["height"] <= height
        drawn = coloured_pixels(rows, box)
        assert drawn > 150, (charts.nth(i).get_attribute("aria-label"), drawn)
    assert outside == []
