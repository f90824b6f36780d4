"""Confirmation and refusal words at the start of an utterance.

Only the first word (or the whole utterance) counts, so `아니 3만원으로` is a refusal that
carries a new amount, while `아니면`, `네이버`, `nobody` are not refusals or assents.
"""
from __future__ import annotations

import re

from .normalize import Text

_KO_YES = re.compile(
    r"^(?:네+|넵|넹|예|응+|웅|그래|그래요|그럼|그럼요|맞아|맞아요|맞습니다|맞다|좋아|좋아요|좋습니다|오케이|콜|"
    r"알겠어|알겠어요|알겠습니다|당연하지|당연하죠|물론|물론이죠|확인|진행해|진행해줘|진행해주세요|해줘|해주세요|"
    r"그렇게\s?해(?:줘|주세요)?|부탁해|부탁해요|부탁드려요|ㅇㅇ|ㅇㅋ)(?=$|[\s,.!?])")
_KO_NO = re.compile(
    r"^(?:아니+|아니요|아뇨|아니야|아니에요|아닙니다|아니오|아냐|노|싫어|싫어요|안\s?돼|안\s?돼요|안\s?할래|"
    r"틀렸어|틀려|틀렸어요|ㄴㄴ)(?=$|[\s,.!?])")
_EN_YES = re.compile(
    r"^(?:yes+|yeah|yea|yep+|yup|ya|sure|ok|okay|o\.k\.|alright|all right|right|correct|exactly|absolutely|"
    r"definitely|of course|affirmative|go ahead|do it|confirm|confirmed|please do|sounds good|that's right|"
    r"that is right|that's correct|yes please|indeed|y)(?=$|[\s,.!?])", re.I)
_EN_NO = re.compile(
    r"^(?:no+|nope|nah|nay|negative|not really|no thanks|no thank you|wrong|incorrect|that's wrong|"
    r"that's not right|n)(?=$|[\s,.!?])", re.I)
# `no money left?`, `no problem`: a following noun makes `no` a determiner, not a refusal.
_EN_NO_DETERMINER = re.compile(r"^no\s+(?!thanks|thank|way|i\b|it|that|not|please|send|wait|don't|stop|cancel|change|make)"
                               r"[a-z]", re.I)


def read_yes_no(t: Text) -> bool | None:
    s = t.text
    if t.has_hangul:
        if _KO_NO.match(s):
            return False
        if _KO_YES.match(s):
            return True
    if t.has_latin:
        if _EN_NO.match(s):
            if _EN_NO_DETERMINER.match(s) and not re.match(r"^no\s*,", s, re.I):
                return None
            return False
        if _EN_YES.match(s):
            return True
    return None
