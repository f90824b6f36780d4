"""Which language an utterance is in. Hangul anywhere means Korean: Korean speakers mix in
English words and digits (`K뱅크`, `5만원`), English speakers do not mix in Hangul."""
from __future__ import annotations

import re
from typing import Final

KO: Final = "ko-KR"
EN: Final = "en-US"
SUPPORTED: Final = (KO, EN)

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def detect_locale(text: str) -> str:
    return KO if HANGUL.search(text) else EN


def resolve_locale(text: str, given: str | None) -> str:
    """The caller's locale wins when given; an unknown tag is mapped by its language."""
    if given is None or given == "":
        return detect_locale(text)
    if given in SUPPORTED:
        return given
    return KO if given.lower().startswith("ko") else EN if given.lower().startswith("en") else detect_locale(text)
