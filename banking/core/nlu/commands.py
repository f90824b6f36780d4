"""Requests about the conversation rather than the money (CONTRACT §9), and the questions
that look like banking but are about something else: a bank's opening hours or branches,
a payee's account number, who one can send to, the month's totals.

Each is a whole-utterance reading: `다시 말해줘` is a request to repeat, `다시 보내줘` is not.
"""
from __future__ import annotations

import re

from .cues import compile_fast
from .normalize import Text

REPEAT = "repeat"
SLOWER = "slower"
NORMAL_SPEED = "normal_speed"
MORE = "more"

_KO_COMMANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NORMAL_SPEED, re.compile(r"^(?:이제)?(?:다시)?(?:보통|원래|평소|정상)(?:속도|빠르기)(?:로|대로)?(?:말해|얘기해|해|돌려)?(?:줘|주세요|줄래|요)?"
                              r"|^(?:이제)?(?:좀)?(?:빨리|빠르게)말해(?:줘|주세요|도돼|도괜찮아)?")),
    (SLOWER, re.compile(r"^(?:좀|조금|더|너무빨라|빨라요?|말이빨라)*(?:천천히|느리게|느릿느릿|또박또박)(?:좀|더)?(?:말해|얘기해|말씀해|읽어|해)"
                        r"(?:줘|주세요|줄래|주실래요|줄래요|주라|요)?$|^(?:말이)?너무빨라(?:요)?$")),
    (REPEAT, re.compile(r"^(?:뭐라고|뭐라구|뭐라고요|뭐라구요|네뭐라고|잘못들었어|못들었어|잘안들려|안들렸어)(?:요)?$|"
                        r"^(?:다시|한번더|한번만더|다시한번)(?:만)?(?:말해|얘기해|말씀해|읽어|들려)(?:줘|주세요|줄래|주실래요|줄래요|주라|봐|요)?$")),
    (MORE, re.compile(r"^(?:더|다음|계속|나머지|그다음|더많이)(?:것|거|꺼|도|내역|거래)?(?:도|들)?(?:들려|알려|보여|읽어|말해)(?:줘|주세요|줄래|줄래요|봐)?$|"
                      r"^(?:더|다음|나머지|계속)(?:요)?$")),
)
_EN_COMMANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NORMAL_SPEED, re.compile(r"^(?:(?:please|ok|okay|now)\s+)*(?:(?:go\s+back\s+to|back\s+to|use|at)\s+)?(?:normal|regular|usual)\s+"
                              r"(?:speed|pace|rate)(?:\s+please)?$|^(?:you\s+can\s+)?speak\s+(?:normally|faster|at\s+normal\s+speed)(?:\s+please)?$", re.I)),
    (SLOWER, re.compile(r"^(?:(?:please|can\s+you|could\s+you)\s+)*(?:speak|talk|read|go|say\s+it)\s+(?:a\s+(?:bit|little)\s+)?"
                        r"(?:more\s+)?(?:slower|slowly|more\s+slowly)(?:\s+please)?$|^(?:slower|slow\s+down)(?:\s+please)?$|"
                        r"^you'?re\s+(?:talking|speaking)\s+too\s+fast$", re.I)),
    (REPEAT, re.compile(r"^(?:(?:please|can\s+you|could\s+you|sorry)[,\s]+)*(?:repeat(?:\s+(?:that|it|yourself))?|say\s+(?:that|it)\s+again|"
                        r"come\s+again|pardon(?:\s+me)?|what\s+did\s+you\s+say|one\s+more\s+time|again)(?:\s+please)?\??$|^(?:what|huh|sorry)\?$", re.I)),
    (MORE, re.compile(r"^(?:(?:and|ok|okay|please)\s+)*(?:more|next|tell\s+me\s+more|show\s+me\s+more|read\s+more|next\s+(?:three|3|ones?|page)|"
                      r"the\s+rest|what\s+else|keep\s+going|continue|go\s+on)(?:\s+please)?$", re.I)),
)


#: cheap gates: most utterances are not about the conversation, and these say so at once
_KO_COMMAND_HINT = compile_fast(r"천천|느리|느릿|또박|속도|빨리|빠르|빨라|다시|한번|뭐라|들었|들려|더|다음|계속|나머지")
_EN_COMMAND_WORDS = frozenset("""repeat again pardon say slower slow slowly normal regular usual speed faster normally more
    next rest else going continue on what huh sorry come fast""".split())


def command(t: Text) -> str | None:
    if t.has_hangul:
        c = t.compact.rstrip(".?!")
        if len(c) > 16 or not _KO_COMMAND_HINT.search(c):
            return None
        for name, rx in _KO_COMMANDS:
            if rx.search(c):
                return name
        return None
    s = t.text.strip(" .!")
    if len(s) > 40 or _EN_COMMAND_WORDS.isdisjoint(t.words):
        return None
    for name, rx in _EN_COMMANDS:
        if rx.search(s):
            return name
    return None


# the month's totals: spending asked as a sum, not as a list
KO_SUMMARY = compile_fast(r"(?:이번|이)달|이번월|한달|(?:이번|이)달(?:에|동안)|월간|이달")
KO_SUMMARY_SUM = compile_fast(r"얼마(?:나)?(?:썼|쓴|나갔|지출|사용)|지출(?:이|은)?얼마|총(?:얼마|지출)|쓴돈(?:이|은)?(?:얼마|총)|얼마나갔")
EN_SUMMARY = re.compile(r"\bhow\s+much\s+(?:money\s+)?(?:did|have)\s+i\s+(?:spend|spent)\b.*\b(?:this|the)\s+month\b|"
                        r"\b(?:this|the)\s+month'?s?\s+(?:spending|expenses|total)\b|\bspent\s+this\s+month\b|"
                        r"\bmonthly\s+(?:spending|summary|total)\b|\bspending\s+(?:this|for\s+the)\s+month\b", re.I)


def summary(t: Text) -> bool:
    if t.has_hangul:
        c = t.compact
        return bool(KO_SUMMARY.search(c) and KO_SUMMARY_SUM.search(c))
    return bool(EN_SUMMARY.search(t.text))


# a bank's opening hours, branches, phone numbers: nothing couchbank can answer or act on
KO_BANK_INFO = compile_fast(
    r"몇시(?:까지|에|부터)|영업시간|영업일|운영시간|업무시간|문(?:을)?(?:열|닫)|여는시간|닫는시간|지점|점포|영업점|창구|"
    r"(?:atm|에이티엠|현금인출기)(?:이|가|은)?(?:어디|위치)|고객센터|콜센터|상담원|전화번호|주말에도(?:해|열|영업)|토요일에|일요일에|공휴일")
EN_BANK_INFO = re.compile(
    r"\b(?:opening|business|branch|office|working|bank)\s+hours\b|\bhours\b|\b(?:open|close|closes|opens|closing|opening)\b|"
    r"\bbranch(?:es)?\b|\b(?:nearest|closest)\s+(?:atm|bank|office)\b|\batm\s+near\b|\bcustomer\s+service\s+(?:number|phone)\b|"
    r"\bphone\s+number\s+(?:of|for)\b", re.I)


_EN_BANK_INFO_WORDS = frozenset("""hours open opens opening close closes closing branch branches atm nearest closest customer
    phone""".split())


def bank_info(t: Text) -> bool:
    if t.has_hangul:
        return bool(KO_BANK_INFO.search(t.compact))
    return not _EN_BANK_INFO_WORDS.isdisjoint(t.words) and bool(EN_BANK_INFO.search(t.text))


# who one can send to, or a payee's own account number (not the user's accounts)
KO_PAYEES = compile_fast(
    r"누구(?:한테|에게|께)(?:돈)?(?:을)?(?:보낼|송금할|이체할|부칠)수|누구누구(?:한테|에게)|받는(?:사람|분)(?:들)?(?:목록|리스트|누구|뭐|알려|보여)|"
    r"등록된(?:받는|사람|분|수취인)|수취인(?:목록|리스트|누구|알려|보여)|보낼수있는(?:사람|분|곳|상대)|송금(?:가능한|할수있는)(?:사람|분|상대)|"
    r"(?:이체|송금)대상(?:목록|이누구|알려|보여)")
_KO_PAYEE_NUMBER = re.compile(r"([가-힣]{1,8}?)(?:의|네)?\s?(?:계좌\s?번호|통장\s?번호|계좌)\s?(?:가|는|좀|를|이|번호)?\s?"
                              r"(?:뭐|알려|몇\s?번|어떻게|불러|말해|확인|보여)")
_KO_SELF = frozenset("내 제 나의 저의 우리 내꺼 제꺼 나 저 내가 제가 지금 은행 내계좌 무슨 어떤 몇 모든 전체 연결된 등록된 그 말고 아니고".split())
EN_PAYEES = re.compile(
    r"\bwho\s+(?:can|could|do)\s+i\s+(?:send|transfer|pay|wire)\b|\b(?:list|show|read|tell\s+me)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?"
    r"(?:my\s+)?(?:saved\s+|registered\s+)?(?:payees|recipients|contacts)\b|\bmy\s+(?:saved\s+|registered\s+)?(?:payees|recipients)\b|"
    r"\bwho\s+(?:is|are)\s+(?:on\s+)?my\s+(?:payee|recipient)s?\b|\bwho\s+are\s+my\s+(?:payees|recipients)\b", re.I)
_EN_PAYEE_NUMBER = re.compile(r"\b(?!my\b|your\b|the\b)([A-Za-z][A-Za-z-]*)'s\s+(?:bank\s+)?account\s+(?:number|no|details|info)\b", re.I)


_EN_PAYEES_WORDS = frozenset("who payees payee recipients recipient contacts".split())


def payees(t: Text) -> tuple[bool, str | None]:
    """(asks about payees, the payee named)."""
    if t.has_hangul:
        c = t.compact
        if ("누구" in c or "받는" in c or "등록" in c or "수취" in c or "보낼수" in c or "대상" in c or "가능한" in c) \
                and KO_PAYEES.search(c):
            return True, None
        if "계좌" in c or "통장" in c:
            m = _KO_PAYEE_NUMBER.search(t.text)
            if m and m.group(1) not in _KO_SELF:
                name = re.sub(r"(?:님|씨)$", "", m.group(1)) or m.group(1)
                return True, name
        return False, None
    if not _EN_PAYEES_WORDS.isdisjoint(t.words) and EN_PAYEES.search(t.text):
        return True, None
    m = _EN_PAYEE_NUMBER.search(t.text) if "account" in t.words else None
    if m:
        return True, m.group(1)
    return False, None


_EN_COUNTERPARTY = re.compile(r"\b(?:with|to|from|for)\s+(?:my\s+)?([A-Za-z][A-Za-z'-]+)\b", re.I)
_EN_NOT_COUNTERPARTY = frozenset("""me you the this that last my account accounts bank savings checking month week year
    today yesterday it them all everything anyone someone this""".split())


def counterparty_en(t: Text) -> str | None:
    """`transactions with Mom`, `what did I send to Dad`: whom the listed money went to or came from."""
    for m in _EN_COUNTERPARTY.finditer(t.text):
        if m.group(1).lower() not in _EN_NOT_COUNTERPARTY:
            return m.group(1)
    return None
