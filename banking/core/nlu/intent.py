"""Intent rules.

Order matters and encodes the product's priorities: cancel beats everything (a user saying
`취소` mid-transfer must be heard), a transfer needs a send verb plus evidence that money is
meant and must survive every safety check, and the informational intents follow.
"""
from __future__ import annotations

import re

from .amount import Amount
from .cues import Cue, compile_fast
from .normalize import Text
from .safety import english_block, korean_block

BALANCE = "balance"
TRANSFER = "transfer"
TRANSACTIONS = "transactions"
ACCOUNTS = "accounts"
HELP = "help"
CANCEL = "cancel"
UNKNOWN = "unknown"
PAYEES = "payees"
INTENTS = (BALANCE, TRANSFER, TRANSACTIONS, ACCOUNTS, HELP, CANCEL, UNKNOWN, PAYEES)

# --- Korean -------------------------------------------------------------------------------
KO_CANCEL = compile_fast(
    r"취소|그만(?!큼|두면|이야|인가)|관둬|관둘|관두|중지|중단|스톱|멈춰|^(?:아니|아냐|아니야)?(?:됐어|됐어요|됐습니다|됐고|됐다|"
    r"필요없어|안할래|안해|나중에|다음에|나가기|종료|끝|끝내|끝내줘)[.!]?$")
# On the spaced text: in the space-free form `것이 체형` would read as `이체`.
KO_SEND_MONEY_VERB = compile_fast(r"송금|이체|입금")        # money by meaning
KO_SEND_VERB = compile_fast(r"보내|보낼|보냅|보낸|보냈|부쳐|부치|부칠|부친|부쳤|붙여줘|붙여주")   # also mail, texts, parcels
KO_GIVE_VERB = compile_fast(r"쏴|쏘아|넣어|넣을|넣기|옮겨|옮길|옮기")   # money only with amount + target
KO_MOVE_VERB = compile_fast(r"쏴|쏘아|넣어|넣을|넣기|옮겨|옮길|옮기|(?:^|[^알보해려])(?:줘|주세요|줄래|주라|드려|주소|주이소|주쇼|주도|주게|줍서|주이라)")
#: regional imperatives of 주다 at the end (경상 `보내도`, `보내 주이소`; 전라 `보내주랑께`; 제주 `보내줍서`):
#: `보내도` is otherwise a concessive (`보내도 돼?`)
KO_DIALECT_END = compile_fast(r"(?:보내|부쳐|이체해|송금해|넣어)(?:도|도고|도라|주소|주이소|주쇼|주세이|주래이|줘잉|주랑께|줍서|주이라|주게|주시게|주시라|주소마)(?:예|요|잉)?[.!]?$")
KO_MONEY_WORD = compile_fast(r"돈|금액|용돈|생활비|월세|회비|현금|축의금|부조금|곗돈|세뱃돈|원(?:만|씩)?(?:을|만|씩)?(?:보내|송금|부쳐)|계좌로|통장으로|계좌에|통장에|앞으로")
KO_ACCOUNTS_FIRST = compile_fast(r"무슨계좌|어떤계좌|계좌목록|계좌리스트|통장목록|무슨통장|어떤통장|계좌몇|계좌가몇|몇개의계좌|계좌가뭐|계좌뭐|"
                                  r"(?:계좌|통장)(?:이|가|은|는)?(?:전부|모두|다|총|다해서)?몇(?:개|군데)|몇개(?:의)?(?:계좌|통장)|(?:계좌|통장)(?:의)?(?:개수|갯수|숫자)|"
                                  r"(?:계좌|통장)(?:이|가)?(?:얼마나)?많|몇군데(?:에)?(?:계좌|통장)")
KO_TRANSACTIONS = compile_fast(
    r"(?:돈|얼마|어디|뭐|무엇).{0,3}썼|내역|거래기록|최근거래|거래목록|거래보여|거래알려|거래확인|입출금|출금기록|쓴돈|쓴거|얼마썼|얼마나썼|뭐샀|뭐에썼|어디에썼|"
    r"어디썼|어디서썼|지출|명세|사용한|결제한|돈나간|나간돈|빠져나간|들어온돈|입금된|출금된|이용기록|거래기록")
KO_BALANCE = compile_fast(
    r"잔액|잔고|잔금|남은돈|(?:통장|계좌|은행|뱅크|예금|내돈|돈)(?:에|엔|에는|안에|이|은|는)?(?:돈)?(?:이)?"
    r"(?:얼마|몇|남았|남아|있어|있나|있니|있냐|있는지|있을까|들어있|있지|있어요|있습니까|있는|좀있|충분|모자|부족)|"
    r"돈(?:이|은)?얼마나|얼마(?:나)?있(?:어|나|니|냐|는지|지|을까|습니까)|얼마(?:나)?남(?:았|아)")
KO_BALANCE_NOT = compile_fast(r"한도|수수료|환율|금리|이자|대출|빌려|갚|얼마야.*(?:가격|값)|가격|값|비싸|싸|요금|비용")
KO_ACCOUNTS = compile_fast(
    r"계좌목록|계좌리스트|통장목록|계좌뭐|무슨계좌|어떤계좌|계좌몇|계좌가몇|몇개|계좌정보|계좌보여|계좌알려|계좌들|통장뭐|어떤통장|"
    r"무슨통장|계좌조회|내계좌|연결된계좌|등록된계좌|가진계좌|있는계좌|계좌다|통장다|계좌전부|계좌번호알려|계좌번호뭐")
KO_HELP = compile_fast(
    r"도움말|도와줘|도와주세요|도움|뭐할수있|뭘할수있|무엇을할수|무엇을도와|뭐해줄수|뭘해줄수|뭐할줄|할수있는게|할수있는거|"
    r"사용법|사용방법|어떻게써|어떻게사용|기능|메뉴|뭐물어|뭘물어|뭐라고말|헬프|한도|수수료|어떻게보내|어떻게송금|어떻게이체|"
    r"송금하는법|이체하는법|송금방법|이체방법|보내는법|보내는방법|뭐할수|뭘할수|무엇을할|"
    r"어떻게(?:하는|쓰는|이용하는|사용하는|작동하는|돌아가는|말하는|말해야|말하면|해야|하면|쓰면|쓰나|써야|이용해|사용해|작동해|돌아가)|"
    r"뭐라고(?:말해|말하면|해야|하면)|뭘(?:말하면|말해야|물어보면)|쓰는법|이용법|이용방법|작동법|작동방식|사용설명|설명(?:해줘|좀|해주세요)")

# --- English ------------------------------------------------------------------------------
EN_CANCEL = re.compile(
    r"^(?:(?:no|nah|ok|okay|oh|please|actually|wait)[,\s]+)*(?:cancel|never\s?mind|nevermind|stop|forget\s+(?:it|about\s+it|that)|"
    r"quit|exit|abort|scratch\s+that|leave\s+it|don't\s+bother|i\s+changed\s+my\s+mind|changed\s+my\s+mind|that's\s+all|"
    r"nothing|no\s+thanks|go\s+back|start\s+over)\b|\bcancel\b|\bnever\s?mind\b|\bnevermind\b", re.I)
EN_TRANSFER_VERB = compile_fast(
    r"\b(?:transfer|transferring|transfered|xfer|wire|wiring|remit|e-?transfer|venmo|zelle|send|sending|move|moving|"
    r"put|deposit|give|pay|paying|take|throw|distribute|add|eft|transer|tranfer|trasfer|trnasfer)\b|\btransferred\b|\bsent\b|\bmoved\b|\bpaid\b|\bwired\b", re.I)
EN_INTRINSIC = compile_fast(r"\b(?:transer|tranfer|trasfer|trnasfer|transfer|transferring|transfered|transferred|xfer|wire|wiring|wired|remit|e-?transfer|venmo|zelle|eft)\b", re.I)
EN_MONEY = compile_fast(r"\b(?:money|cash|funds?|bucks|dollars?|won|payment|amount|sum)\b|[$₩]|\bkrw\b|\busd\b", re.I)
_EN_ROUTE_DEST = re.compile(
    r"\b(?:to|into)\s+(?:my\s+|the\s+|another\s+|an\s+|a\s+)?(?:[a-z]+\s+){0,3}?(?:account|accounts|savings|saving|checking|checkings|card|bank|one)\b|"
    r"\bother\s+(?:account|one)\b", re.I)
_INTO = frozenset(("to", "into", "in"))
_ACCOUNTISH = frozenset("account accounts savings saving checking checkings card bank one other".split())


def en_route(words: frozenset[str], text: str) -> bool:
    """Money moved between places (`from savings to checking`, `between my accounts`)."""
    if "between" in words or "around" in words:
        return True
    if "from" in words and not _INTO.isdisjoint(words):
        return True
    return not _ACCOUNTISH.isdisjoint(words) and _EN_ROUTE_DEST.search(text) is not None
EN_PAY_BILL = re.compile(
    r"\bpay\s+(?:off\s+|for\s+)?(?:my\s+|the\s+|this\s+|a\s+|an\s+|our\s+)?(?:[a-z]+\s+){0,2}(?:bill|bills|rent|tuition|taxes|tax|loan|"
    r"mortgage|invoice|utilities|fine|ticket|fees?|balance|debt|subscription|card|insurance|premium|dues|attention|"
    r"visa|mastercard|amex|discover|phone|electric|water|gas|cable|internet|it|this|that|them|back|up|with|by|using|"
    r"in|at|contactless|online|for)\b", re.I)
EN_ADD_MONEY = re.compile(r"\badd\s+(?:some\s+|more\s+|the\s+|extra\s+)?(?:money|funds|cash|[$₩]|\d|(?:[a-z]+\s+){1,4}(?:won|dollars|bucks))", re.I)
EN_PAY_NOUN = compile_fast(r"\b(?:my|your|his|her|their|our|the|a)\s+pay\b|\bpay\s+(?:scale|grade|rate|raise|day|period|stub|slip|cut|gap|wall)\b", re.I)
EN_GENERIC_PERSON = compile_fast(r"\b(?:pay|send\s+money\s+to|transfer\s+money\s+to)\s+(?:someone|somebody|a\s+friend|my\s+(?:friend|kid|son|daughter))\b", re.I)
EN_TRANSACTIONS = compile_fast(
    r"\b(?:transactions?|tranactions?|transactoin|transaction|purchases?|purchased|spent|spend|spending|charges|"
    r"charged\s+on|history|statement|withdrawals?|activity|expenses|bought|buy\s+last|last\s+(?:payment|purchase|"
    r"charge)|recent\s+(?:payments|charges|activity)|what\s+did\s+i\s+(?:buy|pay)|how\s+much\s+(?:was|were|did)\s+(?:my|i)\b(?!.*\bhave\b)|"
    r"my\s+(?:last|latest|most\s+recent)\s+(?:\w+\s+)?(?:trip|purchase|payment|order|charge|visit|expense|bill)|"
    r"deposits|incoming|outgoing|came\s+(?:in|into)|come\s+(?:in|into)|went\s+out|gone\s+out|money\s+in\s+and\s+out|money\s+(?:coming\s+in|going\s+out)|credits|debits|"
    r"(?:show|list|read|tell|see|view|give|check)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+|the\s+)?(?:recent\s+|latest\s+|last\s+)?(?:\w+\s+)?"
    r"(?:transfers|payments|deposits|withdrawals)|(?:transfers|payments)\s+(?:i\s+(?:made|sent)|with|to|from))\b", re.I)
EN_BALANCE = Cue(
    "balance balances bal afford coffers",
    [("much", r"\bhow\s+much\s+(?:money\s+|cash\s+|funds?\s+)?(?:do\s+i\s+have|have\s+i\s+got|is\s+(?:in|on|left|there|available)|"
              r"i\s+have|is\s+available|left|remaining|do\s+we\s+have|have\s+i|total|money\s+is|cash\s+is|funds\s+is|is\s+on|"
              r"is\s+in|do\s+i\s+owe|i\s+owe)|\bhow\s+much\s+i\s+have\b|\bhow\s+much\s+(?:\w+\s+){0,2}(?:do|does|did)\s+(?:i|we|my)\b.{0,40}\bhave\b|"
              r"\bhow\s+much\s+(?:\w+\s+)?is\s+(?:in|on|inside)\b"),
     ("money cash funds", r"\b(?:money|cash|funds)\s+(?:do\s+i\s+have|left|remaining|available|i\s+have|is\s+in|is\s+on|in\s+(?:my|the|all))|"
                          r"\bfunds\s+available\b|\bany\s+(?:money|cash)\s+left\b"),
     ("money funds amount", r"\b(?:money|funds|amount)\s+(?:is\s+)?(?:in|on|accumulated\s+in)\s+my\b"),
     ("enough", r"\benough\s+(?:money|funds|cash|in|to)\b|\bhave\s+enough\b"),
     ("worth", r"\bnet\s+worth\b"), ("available", r"\bavailable\s+(?:funds|money)\b"), ("rich", r"\bhow\s+rich\b"),
     ("total value", r"\b(?:total|value)\s+of\s+my\b"), ("cover", r"\bcover\s+(?:it|the|a|my)\b"),
     ("what what's whats", r"\bwhat(?:'s|s)?\s+(?:is\s+)?(?:left\s+)?(?:in|on|remaining\s+in)\s+(?:my|that|the)\b|\bwhat\s+i\s+have\s+in\b|"
                           r"\bwhat\s+(?:is|'s)\s+in\s+my\b"),
     ("status details", r"\bstatus\s+of\s+my\s+(?:bank\s+)?account|\bdetails\s+of\s+my\s+bank"),
     # a question whose object is the money in the user's accounts
     ("in inside within on", r"(?:how\s+much|what|whats|what's|do\s+i\s+have|have\s+i\s+got|is\s+there)\b.{0,50}\b(?:in|inside|within|on)\s+"
                             r"(?:all\s+(?:of\s+)?)?(?:my|the)\s+(?:\w+\s+){0,3}(?:accounts?|checking|savings|bank|coffers|wallet)\b"),
     ("total totals look looking at have stand standing worth hold holding",
      r"\bmy\s+(?:\w+\s+){0,3}(?:accounts?|checking|savings|coffers)\s+(?:total|totals|look\s+like|looking|at|have|stand|standing|worth|hold|holding)\b")])
EN_BALANCE_NOT = compile_fast(r"\b(?:transfer\s+limit|limit|fee|fees|credit\s+score|rate|exchange|top\s?-?up|balance\s+transfer|"
                            r"routing|account\s+number|pin|password|interest|"
                            r"bill\s+balance|minimum\s+payment)\b", re.I)
EN_ACCOUNTS = compile_fast(
    r"\b(?:list\s+(?:of\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+)?(?:bank\s+|linked\s+|savings\s+|checking\s+)?accounts|(?:what|which)\s+(?:\w+\s+)?accounts|accounts\s+do\s+i\s+have|"
    r"how\s+many\s+(?:\w+\s+){0,2}accounts|(?:number|count)\s+of\s+(?:my\s+)?(?:\w+\s+)?accounts|count\s+(?:my\s+)?accounts|"
    r"show\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+)?(?:\w+\s+)?accounts|accounts?\s+list|"
    r"all\s+(?:of\s+)?my\s+accounts|my\s+accounts|linked\s+accounts|account\s+numbers?)\b", re.I)
EN_HELP = compile_fast(
    r"^(?:help|help\s+me|help\s+please|help\s+pls|hep\s+me|help\?|assist|assistance|options|menu)[.!?]?$|"
    r"\b(?:what\s+can\s+(?:you|u)\s+do|what\s+can\s+i\s+(?:ask|say|do)|what\s+do\s+you\s+do|how\s+(?:do|can)\s+i\s+use|"
    r"what\s+are\s+(?:the\s+things|your\s+features)|how\s+can\s+you\s+help|what\s+else\s+can\s+you|can\s+you\s+help|"
    r"what\s+are\s+my\s+options|instructions|tutorial|features|capabilities|things\s+that\s+you\s+can\s+do|"
    r"can\s+you\s+do\s+anything|how\s+does\s+this\s+work|transfer\s+limits?|limits?|fees?|"
    r"how\s+(?:do|can)\s+i\s+(?:use|work)\s+(?:this|it|you)|how\s+(?:does|do|is)\s+(?:this|it|that|you|couchbank|the\s+\w+|this\s+\w+)\s+(?:\w+\s+)?work|"
    r"how\s+(?:this|it)\s+works|how\s+am\s+i\s+supposed\s+to|what\s+(?:do|should|can)\s+i\s+say|what\s+should\s+i\s+do|"
    r"explain\s+(?:how|this|yourself)|how\s+to\s+use|how\s+(?:do|can)\s+i\s+"
    r"(?:send|transfer|pay|move|wire)|how\s+to\s+(?:send|transfer|pay|move|wire))\b", re.I)


def _ko_transfer(t: Text, amount: Amount | None, has_payee: bool, has_bank: bool) -> tuple[bool, str | None]:
    c = t.compact
    dialect = KO_DIALECT_END.search(c)
    if dialect:
        # read as the standard `보내줘`, so that `주소` (address) or concessive `-도` do not block it
        c = c[:dialect.start()] + "보내줘"
    money_verb = KO_SEND_MONEY_VERB.search(t.lower)
    send_verb = KO_SEND_VERB.search(c)
    move_verb = KO_MOVE_VERB.search(c)
    if not (money_verb or send_verb or move_verb):
        # `엄마한테 5만원` without a verb stays `unknown` with both slots: the dialog uses
        # them, and nothing without a send verb can start moving money.
        return False, None
    has_amount = amount is not None
    evidence = has_amount or bool(KO_MONEY_WORD.search(c))
    if money_verb:
        if not re.search(r"송금|이체", money_verb.group(0)) and not (evidence and has_payee):
            # `입금` alone is a deposit into one's own account; only with a recipient is it ours
            return False, None
    elif send_verb:
        if not evidence:
            # `엄마한테 보내줘` mid-dialog still names the payee; `문자 보내줘` must carry nothing
            return False, korean_block(c, t.question_mark)
    elif KO_GIVE_VERB.search(c):
        if not (has_amount and (has_payee or has_bank or re.search(r"계좌|통장", c))):
            return False, None
    elif not (has_amount and has_payee):
        # bare `줘`: `엄마한테 5만원 줘` gives money; `잔액 알려줘` does not
        return False, None
    reason = korean_block(c, t.question_mark)
    return reason is None, reason


def _en_transfer(t: Text, amount: Amount | None, payee: str | None) -> tuple[bool, str | None]:
    s = t.text
    vm = EN_TRANSFER_VERB.search(s)
    if not vm:
        return False, None
    money = amount is not None or bool(EN_MONEY.search(s))
    route = en_route(t.words, s)
    intrinsic = bool(EN_INTRINSIC.search(s))
    verb = vm.group(0).lower()
    if not intrinsic:
        if verb in ("pay", "paying", "paid"):
            if EN_PAY_NOUN.search(s):
                return False, None
            if EN_PAY_BILL.search(s) and not (payee and amount is not None):
                return False, "bill"
            if not (payee or (money and route) or EN_GENERIC_PERSON.search(s)):
                return False, None
        elif verb in ("take", "throw", "distribute", "put", "deposit", "give", "add"):
            if not (money and (route or payee)):
                return False, None
            if verb == "add" and not EN_ADD_MONEY.search(s):
                return False, None      # `add my wife as a user`: add what, not money
        elif not money:
            return False, english_block(s, t.words, False, payee is not None)
    elif re.search(r"\btransfer(?:red)?\s+(?:me\s+)?(?:to|with)\s+(?:a|an|the|your|another)?\s*(?:human|agent|person|"
                   r"representative|rep|operator|support|manager|someone)\b", s, re.I):
        return False, "handoff"
    elif re.search(r"\b(?:my|the|this|that|a|an|your)\s+(?:\w+\s+)?(?:transfer|wire|payment)s?\b(?!\s+(?:of|to|from|for|request))", s, re.I) \
            and not re.search(r"\b(?:make|do|initiate|start|set\s+up|schedule|complete|request|requesting|need|want)\s+(?:a|an|my|the|one)\b", s, re.I):
        reason = english_block(s, t.words, True, True)
        return False, reason if reason in ("info", "scheduled") else "existing"
    concrete = payee is not None or amount is not None or route or bool(EN_GENERIC_PERSON.search(s))
    strong_money = (amount is not None and (amount.strong or amount.currency is not None)) or bool(EN_MONEY.search(s))
    reason = english_block(s, t.words, strong_money, concrete)
    return reason is None, reason


def classify(t: Text, amount: Amount | None, payee: str | None, has_bank: bool) -> tuple[str, str | None]:
    """(intent, block reason). The reason is set when a send verb was heard but the
    utterance was kept from being a transfer."""
    c = t.compact
    if t.has_hangul and KO_CANCEL.search(c):
        return CANCEL, None
    if t.has_latin and EN_CANCEL.search(t.text):
        return CANCEL, None
    reason: str | None = None
    if t.has_hangul:
        ok, reason = _ko_transfer(t, amount, payee is not None, has_bank)
        if ok:
            return TRANSFER, None
    if t.has_latin and reason is None:
        ok, reason = _en_transfer(t, amount, payee)
        if ok:
            return TRANSFER, None
    if t.has_hangul:
        if KO_TRANSACTIONS.search(c):
            return TRANSACTIONS, reason
        if KO_ACCOUNTS_FIRST.search(c):
            return ACCOUNTS, reason
        if KO_BALANCE.search(c) and not KO_BALANCE_NOT.search(c):
            return BALANCE, reason
        if KO_ACCOUNTS.search(c) and (reason is None):
            return ACCOUNTS, reason
        if KO_HELP.search(c):
            return HELP, reason
        if reason == "info":
            return HELP, reason
    if t.has_latin:
        s = t.text
        if EN_TRANSACTIONS.search(s):
            return TRANSACTIONS, reason
        if EN_BALANCE.found(t.words, s) and not EN_BALANCE_NOT.search(s):
            return BALANCE, reason
        if EN_ACCOUNTS.search(s) and reason is None:
            return ACCOUNTS, reason
        if EN_HELP.search(s):
            return HELP, reason
        if reason == "info":
            return HELP, reason
    return UNKNOWN, reason
