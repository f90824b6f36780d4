"""How people actually say what money goes where: tersely (`엄마 5만원`), correcting
themselves (`오만 원, 아니 육만 원`, `dad instead`), or saying two things at once
(`엄마랑 아빠한테`, `5만원 3만원`), which is asked about, never guessed.
"""
from __future__ import annotations

import re
from typing import Final

from .amount import Amount
from .bank import grammar
from .normalize import Text, normalize
from .payee import EN_RELATION, Payee, bare_payee_en, bare_payee_ko_before, clean_ko, find_payee_ko, plain_noun_ko
from .safety import KO_INFO, KO_OBJECTS

TWO_AMOUNTS = "two_amounts"
TWO_PAYEES = "two_payees"
NEGATIVE_AMOUNT = "negative_amount"

# what marks the later of two values as the one meant
_KO_CORRECTION = re.compile(r"아니|말고|정정|대신|고쳐|바꿔|다시|잘못")
_EN_CORRECTION = re.compile(r"\b(?:no|not|nope|instead|actually|sorry|mean|meant|make\s+it|change|rather|correction|"
                            r"wait|scratch|oops)\b", re.I)
_NEGATIVE_BEFORE = re.compile(r"(?:마이너스|minus|negative|-)\s*$", re.I)


def _corrected(between: str) -> bool:
    return bool(_KO_CORRECTION.search(between) or _EN_CORRECTION.search(between))


def problem(t: Text, amounts: list[Amount], picked: Amount | None) -> str | None:
    s = t.text
    if picked is not None and picked.currency is None and ("-" in s or "마이너스" in s or "minus" in t.words
                                                             or "negative" in t.words) \
            and _NEGATIVE_BEFORE.search(s[max(0, picked.start - 10):picked.start]):
        return NEGATIVE_AMOUNT
    if _two_payees(t):
        return TWO_PAYEES       # asked first: who decides what the amount is for
    if two_amounts(t, amounts):
        return TWO_AMOUNTS
    return None


def two_amounts(t: Text, amounts: list[Amount]) -> bool:
    if len(amounts) < 2:
        return False
    won = sorted((a for a in amounts if a.currency is None and a.strong and a.value), key=lambda a: a.start)
    return len(won) >= 2 and won[-1].value != won[-2].value and not _corrected(t.text[won[-2].end:won[-1].start])


_KO_JOINERS = ("랑", "하고", "와", "과", "및", ",")
_KO_JOINED = re.compile(r"(?<![가-힣])([가-힣]{1,6}?)(?:이랑|랑|하고|와|과|및|,)\s?(?:[가-힣]{1,6}?)(?:님|씨)?\s?(?:한테|에게|께)(?!서)")
#: `보내주랑께`: a dialect ending, not a second recipient
_KO_VERB_IN_NAME = re.compile(r"보내|부쳐|부치|송금|이체|넣어|주랑|해주|주이")
_KO_PARTICLES = re.compile(r"(?<![가-힣])([가-힣]{1,8})\s?(?:한테|에게|께)(?!서)")
# a comma alone is left out: `to Jeff, my son` names one person twice
_EN_JOINED = re.compile(r"\bto\s+(?:my\s+)?([a-z][a-z'-]*)\s*,?\s*(?:\band\b|\bor\b|&)\s*(?:to\s+)?(?:my\s+)?([a-z][a-z'-]*)\b", re.I)
_EN_NOT_NAMES: Final = frozenset("""me my the you it them him her us won dollars money cash account accounts today now
    then please thanks bank savings checking""".split())


def _two_payees(t: Text) -> bool:
    s = t.text
    if t.has_hangul:
        particles = s.count("한테") + s.count("에게") + s.count("께")
        if not particles:
            return False
        joined = _KO_JOINED.search(s) if any(j in s for j in _KO_JOINERS) else None
        if joined and clean_ko(joined.group(1)) and not _corrected(s[joined.start():joined.end()]):
            return True
        if particles < 2:
            return False
        names = [(clean_ko(x.group(1)), x) for x in _KO_PARTICLES.finditer(s)]
        names = [(n, x) for n, x in names if n and not _KO_VERB_IN_NAME.search(n)]
        for (a, ma), (b, mb) in zip(names, names[1:]):
            if a != b and not _corrected(s[ma.end():mb.start()]):
                return True
        return False
    if not ("and" in t.words or "or" in t.words or "&" in s):
        return False
    m = _EN_JOINED.search(s)
    return bool(m and m.group(1).lower() not in _EN_NOT_NAMES and m.group(2).lower() not in _EN_NOT_NAMES
                and not m.group(2)[0].isdigit())


# --- terse commands: a name and an amount, nothing else --------------------------------------
#: `아빠한테 말고`: a recipient or amount taken back is not more said
_KO_TAKEN_BACK = re.compile(r"[가-힣0-9]+\s?(?:말고(?!는)|아니고|아니라)")
_KO_TERSE_REST = re.compile(r"^(?:요|이요|만|좀|씩|만요|에서|으로|로|한테|에게|께|[,.!])*$")


def terse_ko(t: Text, amount: Amount, payee: Payee | None) -> Payee | None:
    """`엄마 5만원`, `철수한테 삼만 원이요`: the payee when the utterance says nothing else."""
    if t.question_mark or KO_OBJECTS.search(t.compact) or KO_INFO.search(t.compact):
        return None     # `사진 5만원`, `수수료 5만원`: a price, not a recipient
    if payee is None:
        payee = bare_payee_ko_before(t, amount.start)
        if payee is not None and not plain_noun_ko(payee.name):
            return None     # `얼마야 5만원`: a question, not a name
    if payee is None or (payee.name.isascii() and not payee.name[0].isupper() and payee.name.lower() not in EN_RELATION):
        return None     # `and 통장에 5만원`: a lower-case English word is no name without a verb
    s = t.text
    spans = sorted([(amount.start, amount.end), (payee.start, payee.end)])
    rest = s[:spans[0][0]] + " " + s[spans[0][1]:spans[1][0]] + " " + s[spans[1][1]:]
    rest = _KO_TAKEN_BACK.sub(" ", grammar().mention.sub(" ", rest)).replace(" ", "")
    return payee if _KO_TERSE_REST.match(rest) else None


_EN_TERSE_REST = re.compile(r"^(?:(?:please|send|okay|ok)\s+)?(?:(?:to|for)\s+)?(?:my\s+)?([a-z][a-z'-]*)(?:\s*,)?(?:\s+please)?$", re.I)


def terse_en(t: Text, amount: Amount) -> str | None:
    """`mom 50,000 won`, `50,000 won to Dad`."""
    if t.question_mark:
        return None
    s = t.text
    rest = grammar().mention.sub(" ", s[:amount.start] + " " + s[amount.end:])
    rest = " ".join(rest.split()).strip(" ,.!")
    m = _EN_TERSE_REST.match(rest)
    if not m:
        return None
    name = m.group(1)
    if not (name[0].isupper() or name.lower() in EN_RELATION):
        return None     # `can ₩20,000`: without a verb, only a name or a relation is a recipient
    return bare_payee_en(normalize(name))


# --- corrections mid-transfer -----------------------------------------------------------------
EN_CORRECTION_CUE = re.compile(r"\b(?:instead|actually|make\s+(?:it|that)|change\s+(?:it|that|the\s+amount)\s+to|i\s+meant?|rather|"
                               r"no\s*,|sorry\s*,|correction)\b", re.I)
_EN_LEAD = re.compile(r"^(?:(?:no|nope|actually|sorry|wait|oh|oops|hmm|um|uh|make\s+that|correction)[,\s]+)*"
                      r"(?:i\s+meant?\s+|send\s+it\s+to\s+|it'?s\s+for\s+|to\s+|rather\s+)?", re.I)
_EN_TAIL = re.compile(r"(?:[,\s]+(?:instead|please|then|rather))+$", re.I)
_EN_NOT_X_Y = re.compile(r"^(?:no[,\s]+)?not\s+(?:to\s+)?(?:my\s+)?[a-z'-]+[,\s]+(?:but\s+)?(.+)$|^(.+?)[,\s]+not\s+(?:to\s+)?(?:my\s+)?[a-z'-]+$", re.I)


_EN_CORRECTION_WORDS = frozenset("instead actually make change mean meant rather no sorry correction not".split())


def correction_payee_en(t: Text) -> str | None:
    """`dad instead`, `no, to Dad`, `not Mom, Dad`: the payee the person meant."""
    if _EN_CORRECTION_WORDS.isdisjoint(t.words):
        return None
    s = t.text.strip(" .!")
    m = _EN_NOT_X_Y.match(s)
    if m:
        s = m.group(1) or m.group(2)
    elif not EN_CORRECTION_CUE.search(s):
        return None
    s = _EN_TAIL.sub("", _EN_LEAD.sub("", s, count=1)).strip(" ,")
    return bare_payee_en(normalize(s)) if s else None


# --- `X 말고 Y` --------------------------------------------------------------------------------
_KO_NOT_THIS = re.compile(r"말고(?!는)|아니고|아니라")


def instead_tail(t: Text) -> Text | None:
    """The part after the last `말고`: `잔액 말고 거래내역 보여줘` asks for the transactions."""
    if not t.has_hangul or not ("말고" in t.text or "아니" in t.text):
        return None
    last = None
    for last in _KO_NOT_THIS.finditer(t.text):
        pass
    if last is None:
        return None
    tail = t.text[last.end():].strip(" ,")
    return normalize(tail) if tail else None


def instead_payee_ko(t: Text) -> Payee | None:
    """`엄마한테 말고 아빠한테`, `엄마 말고 아빠`: the payee after the last `말고`."""
    tail = instead_tail(t)
    if tail is None:
        return None
    found = find_payee_ko(tail)
    if found is not None:
        return found
    words = tail.text.split()
    if len(words) == 1 and not re.search(r"[0-9만억천백원]", words[0]):
        name = clean_ko(re.sub(r"(?:한테|에게|께|으로|로)?(?:요|이요)?$", "", words[0]) or words[0])
        return Payee(name, 0, 0) if name else None
    return None
