"""The speaker console's TV card shows what a TV would: the intent and status line under it is
for whoever debugs the skill, behind a toggle."""
from __future__ import annotations

from typing import Any

from tests.e2e.test_speaker_console import _page_keeping_to, _say, browser, in_chromium  # noqa: F401


@in_chromium
def test_the_debug_line_is_behind_a_toggle(live_app_factory: Any, memory_partners: Any, browser: Any) -> None:  # noqa: F811
    _, url = live_app_factory(memory_partners)
    page, outside = _page_keeping_to(browser, url)
    page.goto(f"{url}/console")
    _say(page, "잔액 알려줘", 0)
    meta = page.locator("#card-meta")
    assert not meta.is_visible() and "balance" in meta.text_content()
    page.get_by_label("Debug details").check()
    assert meta.is_visible() and "balance · in_progress" in meta.inner_text()
    page.get_by_label("Debug details").uncheck()
    assert not meta.is_visible()
    assert outside == []
