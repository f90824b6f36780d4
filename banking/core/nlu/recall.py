"""Calling a held transfer back (CONTRACT §8): `방금 보낸 거 취소해줘`, `이체 취소`,
`cancel that transfer`. These also read as the plain `cancel` intent (`취소`), which ends a
conversation; the dialog tells them apart by `Parse.recall`, and only at the start of a
conversation (mid-transfer, `이체 취소` still cancels the conversation, rule 6)."""
from __future__ import annotations

import re

from .normalize import Text

# the money already sent, then calling it back: `방금 보낸 거 취소해줘`, `이체 취소`, `송금한 거 취소`
_KO = re.compile(
    r"(?:이체|송금|보낸|보냈던|부친|입금)(?:한|했던|하신|한거|한것|거|것|돈|건)?(?:을|를|은|는|좀)?"
    r"(?:취소|철회|돌려|되돌려|무르|물러)")
_EN = re.compile(
    r"\b(?:cancel|undo|stop|call\s+back|recall|reverse)\s+(?:that|the|this|my|last)?\s*(?:last\s+|latest\s+|recent\s+)?"
    r"(?:transfer|payment|money\s+i\s+(?:just\s+)?sent)\b|\bcancel\s+what\s+i\s+(?:just\s+)?sent\b", re.I)
_NEGATION = re.compile(r"취소하지\s*마|취소\s*안|don't\s+cancel|do\s+not\s+cancel", re.I)


def wants_recall(t: Text) -> bool:
    if _NEGATION.search(t.text):
        return False
    if t.has_hangul and _KO.search(t.compact):
        return True
    return t.has_latin and _EN.search(t.lower) is not None
