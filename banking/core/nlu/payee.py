"""Who the money goes to, as spoken, without particles, possessives or tails.

Korean marks the recipient with a particle (`한테`, `에게`, `께`, `한테로`) or an account
phrase (`엄마 계좌로`, `엄마 앞으로`); English with `to`, or as the object of `pay`/`send`/
`give` (`pay Chulsoo`, `send mom 50,000 won`). Names are resolved against the user's payees
later by the dialog, so this only cuts the name out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .bank import Grammar, grammar
from .normalize import Text


@dataclass(frozen=True, slots=True)
class Payee:
    name: str
    start: int
    end: int


#: any bank, installed or not, may be named in a payee's account phrase (`엄마 우리은행 계좌로`)
_ANY_BANK_WORDS = r"[가-힣]{1,6}은행|[가-힣]{1,4}뱅크"
_KO_NAME = r"(?P<name>[가-힣]{1,8}|[A-Za-z][A-Za-z.'-]{0,20})"


@lru_cache(maxsize=4)
def _ko_account(banks: Grammar) -> re.Pattern[str]:
    bank_words = f"{banks.words}|{_ANY_BANK_WORDS}" if banks.words else _ANY_BANK_WORDS
    return re.compile(
        r"(?<![가-힣A-Za-z])" + _KO_NAME + r"\s?(?:의\s?)?(?:(?:" + bank_words + r")\s?)?"
        r"(?:계좌|통장|앞)\s?(?:으로|로|에다가|에다|에|쪽으로)(?!서)", re.I)


_KO_PARTICLE = re.compile(
    r"(?<![가-힣A-Za-z])" + _KO_NAME + r"\s?(?:한테로|에게로|한테다가|에게다가|한테다|에게다|한테|에게|께로|께|더러)(?!서)", re.I)
_KO_POSSESSIVE = re.compile(r"^(?:우리|내|제|나의|저의|울)(?=[가-힣]{2,})")
_KO_HONORIFIC_INTRINSIC: Final = frozenset(
    "선생님 어머님 아버님 사장님 부장님 과장님 팀장님 할머님 할아버님 형님 누님 손님 교수님 목사님 스님 "
    "사모님 원장님 이사님 대표님 회장님 실장님 선배님 고객님 하느님 하나님 부모님 장모님 장인어른 시어머님 시아버님".split())
_KO_NOT_NAMES: Final = frozenset(
    "나 저 내 제 너 니 네 누구 누군가 아무 아무나 아무한테 모두 다 그 이 저기 거기 여기 어디 사람 다른 걔 얘 쟤 "
    "자기 본인 나자신 당신 너희 우리 저희 그쪽 이쪽 저쪽 상대 상대방 누가 돈 이거 그거 저거 그것 이것 계좌 통장 "
    "다른사람 친구들 회사 은행 그놈 자신 님 분 그분 이분 저분 여러분 모든 매일 오늘 내일 어제 지금 나중 얼마 "
    "전부 각각 모두에게 메일 문자 마이너스 그리고 그러면 그럼 그래서 그런데 근데 또 및 아니면 그냥 일단 먼저 빨리 얼른 바로 좀".split())
_KO_TRAILING = re.compile(r"(?:님|씨|군|양)$")
#: `엄마한테 말고 아빠한테`: a recipient taken back
_KO_NOT_THIS = re.compile(r"\s?(?:말고(?!는)|아니고|아니라)")

_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'.-]*|\d[\d.,]*|\S")
_EN_VERBS_OBJECT: Final = frozenset("pay paying send sending give giving wire wiring venmo zelle remit".split())
_EN_VERBS: Final = _EN_VERBS_OBJECT | frozenset(
    "transfer transferring xfer move moving put deposit e-transfer etransfer".split())
_EN_SKIP: Final = frozenset("my the our his her their your a an".split())
_EN_STOP: Final = frozenset(
    """to from for with using via by on at in into onto please pls plz now today tomorrow tonight right asap and or
    immediately of through who that which instead account accounts money cash funds fund dollars dollar won bucks it
    this these those some me myself us you i over back out off up again too also just then as is are was be
    here there thanks thank so but if when while because about around than payment transfer each every all
    amount sum total rest remaining half balance same exact exactly later soon yesterday week month year
    via's more less extra attention off pound pounds euro euros yen cents cent dollar bucks krw usd what how
    much many due twice double something anything everything nothing""".split())
_EN_GENERIC: Final = frozenset(
    """someone somebody anyone anybody everyone everybody people person them him her it they one other another
    else friend's recipient recipients beneficiary beneficiaries payee payees contact contacts""".split())
_EN_ACCOUNTISH: Final = frozenset(
    """account accounts checking checkings chequing savings saving card cards credit debit paypal bank banks
    wallet portfolio ira 401k brokerage mortgage loan deposit investment investments retirement fund funds
    money market vault pot other another second first main primary business joint""".split())
EN_RELATION: Final = frozenset(
    """mom mother mum mommy dad father daddy grandma grandmother granny grandpa grandfather son daughter
    brother sister wife husband friend boss aunt uncle cousin kid kids niece nephew coworker co-worker
    colleague roommate landlord landlady neighbor neighbour partner boyfriend girlfriend fiance fiancee
    parents sibling child""".split())
_EN_NUMBERISH = re.compile(
    r"^(?:\d[\d.,]*|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|thousand|million|billion|k|krw|usd|[₩$€£¥])$", re.I)


def clean_ko(name: str) -> str | None:
    name = _KO_POSSESSIVE.sub("", name)
    if len(name) > 2 and name.endswith("의"):
        name = name[:-1]        # `엄마의 계좌로`
    if name not in _KO_HONORIFIC_INTRINSIC and len(name) > 2:
        name = _KO_TRAILING.sub("", name)
    elif name.endswith("님") and name not in _KO_HONORIFIC_INTRINSIC and len(name) == 2:
        return None
    if not name or name in _KO_NOT_NAMES or grammar().mention.fullmatch(name):
        return None
    return name


def find_payee_ko(t: Text) -> Payee | None:
    s = t.text
    # cheap substring gates first: these two patterns backtrack over every Hangul run
    rxs = []
    if "계좌" in s or "통장" in s or "앞" in s:
        rxs.append(_ko_account(grammar()))
    if "한테" in s or "에게" in s or "께" in s or "더러" in s:
        rxs.append(_KO_PARTICLE)
    for rx in rxs:
        for m in rx.finditer(s):
            name = clean_ko(m.group("name"))
            if name and not _KO_NOT_THIS.match(s, m.end()):
                return Payee(name, m.start("name"), m.end())
    return None


def bare_payee_ko_before(t: Text, pos: int) -> Payee | None:
    """`엄마 5만원 보내줘`: speech often drops the particle; the word right before the amount
    is then the payee if it is a plain noun."""
    before = t.text[:pos].rstrip()
    m = re.search(r"(?:^|\s)([가-힣]{1,6})$", before)
    if not m or (len(m.group(1)) == 1 and m.group(1) not in _KO_KIN):
        return None     # one syllable names someone only as a kinship word (`딸`, `형`)
    word = m.group(1)
    if re.search(r"(?:은|는|을|를|이|가|도|에서|으로|로|에|만|좀|고|서|면|요|다|어|아|해)$", word) and word not in (
            "엄마", "아빠", "언니", "오빠", "누나", "형", "동생", "할머니", "할아버지", "어머니", "아버지", "이모", "고모", "삼촌"):
        return None
    name = clean_ko(word)
    if not name or re.search(r"[만억천백원]$", name) or name in ("송금", "이체", "잔액", "잔고", "용돈", "생활비", "빨리", "지금", "얼른", "바로"):
        return None
    return Payee(name, m.start(1), m.end(1))


def _name_run(tokens: list[str], i: int) -> tuple[list[str], int]:
    """Name-like tokens from index i (after optional `my`/`the`), stopping at stop words."""
    while i < len(tokens) and tokens[i].lower() in _EN_SKIP:
        i += 1
    out: list[str] = []
    while i < len(tokens) and len(out) < 3:
        tok = tokens[i]
        low = tok.lower()
        if not tok[0].isalpha() or low in _EN_STOP or _EN_NUMBERISH.match(tok):
            break
        if low.endswith("'s") or low.endswith("s'"):
            out.append(tok[:-2])
            i += 1
            break
        out.append(tok.rstrip(".'"))
        i += 1
    return out, i


def _finish_en(words: list[str]) -> str | None:
    if not words:
        return None
    lows = [w.lower() for w in words]
    if any(w in _EN_ACCOUNTISH for w in lows):
        return None
    if len(words) >= 2 and lows[0] in EN_RELATION and lows[1] not in EN_RELATION:
        words = words[1:]        # `my grandma Judith` -> Judith
        lows = lows[1:]
    if lows[0] in _EN_GENERIC or lows[0] in _EN_SKIP:
        return None
    return " ".join(words)


def find_payee_en(t: Text, object_words: frozenset[str] = frozenset()) -> Payee | None:
    tokens = _EN_TOKEN.findall(t.text)
    lows = [x.lower() for x in tokens]
    verb_at = next((i for i, w in enumerate(lows) if w in _EN_VERBS), None)
    if verb_at is None:
        return None
    # `to X` after the verb: the usual recipient phrase.
    for i in range(verb_at + 1, len(tokens)):
        if lows[i] == "to" and i + 1 < len(tokens):
            words, _ = _name_run(tokens, i + 1)
            name = _finish_en(words)
            if name:
                return Payee(name, 0, 0)
            if words:
                break
    # `pay Chulsoo`, `send mom 50,000 won`: the first object is the recipient unless it is a thing.
    if lows[verb_at] in _EN_VERBS_OBJECT:
        words, _ = _name_run(tokens, verb_at + 1)
        if words and not any(w.lower() in object_words for w in words):
            name = _finish_en(words)
            if name:
                return Payee(name, 0, 0)
    return None


_EN_PLEASE = re.compile(r"[,\s]+please[.!]?$", re.I)
_EN_BARE = re.compile(r"^(?:(?:to|for)\s+)?(?:my\s+)?([A-Za-z][A-Za-z'-]*(?:\s+[A-Za-z][A-Za-z'-]*)?)\s*(?:please)?[.!]?$", re.I)
_EN_BARE_STOP: Final = frozenset(
    """hi hello hey yes yeah no nope ok okay thanks thank bye goodbye help cancel stop balance sure what why how
    who when where which is are the a an it this that please sorry wait hmm um uh oh good great fine cool nice
    right wrong correct done quit exit menu repeat again more less start back home accounts account do does did go
    transactions transfer send money pay won""".split())


def bare_payee_en(t: Text) -> str | None:
    m = _EN_BARE.match(_EN_PLEASE.sub("", t.text))
    if not m:
        return None
    words = m.group(1).split()
    if any(w.lower() in _EN_BARE_STOP or w.lower() in _EN_STOP for w in words):
        return None
    return _finish_en(words)


_KO_BARE_PREFIX = re.compile(r"^(?:우리|내|제)\s")
_KO_BARE_TAILS = ("입니다", "이에요", "예요", "이요", "요")
_KO_BARE_PARTICLES = ("한테로", "에게로", "한테", "에게", "께", "으로", "로")
_KO_VERBISH = re.compile(r"(?:에|다|어|아|워|와|봐|줘|돼|해|지|죠|까|냐|네|래|게|고|서|면|자|야|든|데|니까|거든|음|임|녕|세요|군|구나)$")
_KO_KIN: Final = frozenset("엄마 아빠 언니 오빠 누나 형 동생 할머니 할아버지 어머니 아버지 이모 고모 삼촌 친구 아들 딸 남편 아내 와이프".split())
_KO_NOT_BARE: Final = frozenset(
    """안녕 안녕하세요 고마워 고맙습니다 감사 감사해요 감사합니다 뭐 왜 응 어 음 진짜 정말 그래 싫어 좋아 몰라 잠깐 잠깐만
    여보세요 헐 대박 오케이 알았어 알겠어 네 예 아니 아니요 아뇨 글쎄 그냥 저기 있잖아 어디 누구 언제 얼마 송금 이체 잔액
    잔고 내역 계좌 통장 은행 취소 그만 도움말 도움""".split())


def plain_noun_ko(word: str) -> bool:
    """A word that can name a person on its own: not a verb form, a question word or a greeting."""
    return word in _KO_KIN or not (word in _KO_NOT_BARE or _KO_VERBISH.search(word))


def bare_payee_ko(t: Text) -> str | None:
    """A one-word answer naming a person (`엄마`, `엄마요`, `철수에게요`)."""
    s = _KO_BARE_PREFIX.sub("", t.text.strip(" .!"))
    if " " in s or not s or not all("가" <= ch <= "힣" for ch in s):
        return None
    for tail in _KO_BARE_TAILS:
        if s.endswith(tail) and len(s) > len(tail):
            s = s[: -len(tail)]
            break
    for particle in _KO_BARE_PARTICLES:
        if s.endswith(particle) and len(s) > len(particle):
            s = s[: -len(particle)]
            break
    if len(s) > 6 or s in _KO_NOT_BARE or (s not in _KO_KIN and _KO_VERBISH.search(s)):
        return None
    return clean_ko(s)
