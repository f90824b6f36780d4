"""Why an utterance that mentions sending money must NOT start a transfer.

Highest priority in the module: a false transfer moves someone's money, a missed one only
costs a repeat. Each check returns a reason (kept for tests and for an auditor asking
"why was this not a transfer") or None.

Korean is checked on the space-free lower-case form because recognisers space Korean
arbitrarily (`보내 줘`, `보내줘`, `보 내줘`); English on the spaced text.
"""
from __future__ import annotations

import re

from .cues import ALWAYS, Cue, compile_fast

# --- Korean --------------------------------------------------------------------------------
# A polite request is often phrased as a question (`보내줄래?`, `보내 줄 수 있어?`,
# `보내주면 안 돼?`): the benefactive 주- makes it a request to the assistant.
KO_POLITE = compile_fast(
    r"(?:줄래|주실래|줄수있|주실수있|주시겠|주겠니|주겠어|주면안될|주면안되|주면안돼|주실수|줄수없|주면좋겠|줬으면|주셨으면|"
    r"주세요|주십시오|주시오|줘요|부탁|할래|보낼래|부칠래|할게요\?|주라|주셔요|해줄수|해주실)")
KO_PAST = compile_fast(
    r"보내왔|보내온|보내오|받은|것같|거같|듯|한것|한거|했을|보냈|송금했|이체했|입금했|부쳤|쐈|넣었|옮겼|보내셨|하셨|보내줬|보내주셨|송금됐|이체됐|입금됐|송금되었|이체되었|입금되었|"
    r"들어갔|들어왔|받았|넘어갔|빠져나갔|나갔|갔어|갔나|갔니|갔는|왔어|왔나|왔니|보내진|완료|했던|했는데|했잖|했다|했어|했나|"
    r"했니|했지|했냐|했습|했어요|했을|보낸(?!다)|송금한(?!다|도)|이체한(?!다|도)|입금한(?!다|도)|부친(?!다)|보내준(?!다)|이체된|송금된|입금된|"
    r"보내드렸|드렸|줬어|줬잖|주었|쏜(?!다)")
KO_NEGATION = compile_fast(
    r"안보내|안보낼|안보낸|안송금|안이체|안부쳐|안부칠|안넣|못보내|못보낼|못송금|못이체|못부쳐|보내지마|보내지말|보내지않|보내지못|"
    r"하지마|하지말|하지않|하지못|부치지마|부치지말|넣지마|말아줘|말아요|말고는|보내면안|송금하면안|이체하면안|필요없|싫어|싫다|"
    r"않을래|않아|안할래|안해도|안돼$|안돼요$|하지는|보내기싫|그만보내|보내지는|보내긴|보낼필요")
# Subordinate and reported forms: the main clause is about something else (`보내면 수수료
#있어?`), someone else speaks (`보내라고 하던데`), or the speaker talks about their own
# plans to another person (`입금할게요`, `이체해드릴게요`).
KO_NOT_A_COMMAND = compile_fast(
    r"(?:보내|송금하|이체하|입금하|부치|넣|옮기|보내주|해주)(?:면(?!안)|도|서|니까|는데|면서|기전|려면|려고|려는|러|는중|는거|는게|는것|는법|는방법|던|기가|기는|기도|기로|다가|잖|거든|지만|더라도|더니)"
    r"|줘서|주셔서|주면(?!안|좋)|다고|냐고|자고|된대|한대|는대|준대|낸대|라고|라던|래요$|라는|랬|라며|라니|라네|보내래|하래$|께서|드릴게|드릴께|드리겠|드렸|해줄게|해줄께|줄게|줄께|할게(?!요\?)|할께|"
    r"보낼게|보낼께|부칠게|부칠께|겠습니다|겠어요|겠다|겠어$|겠지|야겠|해야|보내야|부쳐야|넣어야|넣어놔|할거|보낼거|부칠거|할예정|할생각|"
    r"보낼예정|보낼생각|중이야|중이에요|중입니다|는중|하던|보내던|보냈던|보낼까|할까|부칠까|줄까|드릴까|보내볼까|보내봐야|봐야겠|"
    r"했으면|보냈으면|면좋겠(?<!주면좋겠)|보내니|보내네|보내는구나|보내다니|는데요|거니|거냐|건가|는지|는가|셨나")
KO_QUESTION_END = compile_fast(r"(?:니|냐|나요|까|까요|습니까|는지|는가|던가|거야|건가|거지|거니|어\?|나\?|지\?|죠\?|요\?|야\?|아\?|해\?)$")
KO_CAPABILITY = compile_fast(
    r"(?:보낼|송금할|이체할|부칠|입금할|할|넣을|옮길)수(?:있|없|가|는|도)|가능|되나|되나요|돼\?|될까|되는지|되요\?|돼요\?|됩니까|되니|"
    r"할수있나|어떡해|어떻게|방법|하는법|려면|절차|얼마까지|최대|최소|한도|제한|규정|정책|수수료|환율|해외|외국|국외|"
    r"얼마나걸|며칠|언제|왜|누구한테|누구에게|어디로|어디에|어디서|몇번|무슨|뭐야|뭔가|뭐지|어느|얼마보내|얼마를보내|얼마나보내|얼마송금|얼마이체|얼마를")
# Things people send that are not money. `번호` only when not `계좌번호` (account number).
KO_OBJECTS = compile_fast(
    r"메일|이메일|문자|메시지|메세지|카톡|카카오톡|톡으로|톡을|톡좀|사진|파일|링크|편지|택배|소포|선물|초대장|알림|이모티콘|동영상|영상|"
    r"자료|서류|팩스|주소|위치|기프티콘|쪽지|답장|음성|녹음|노래|음악|스티커|쿠폰|이미지|그림|보고서|과제|숙제|청첩장|엽서|짐|물건|"
    r"꽃|답변|신호|연락|견적|계약서|메모|일정|캡처|캡쳐|스샷|스크린샷|티켓|url|(?<!계좌)번호|명함|영수증|사진|인사|안부|축하|"
    r"하루|시간|주말|휴가|방학|연휴|명절|세월|시절|학교|학원|유치원|병원|군대|요양원|유학|캠프|여행|내보내|떠나보내|돌려보내|흘려보내|"
    r"날려보내|올려보내|들여보내|배웅|응원|박수|눈빛|미소|마음|사랑|기운|에너지|신청서|원서|지원서|이력서|결과|샘플|택시|기사를|기사좀|기사님|사람을|사람좀|사람보내|"
    r"직원|요원|애들|아이를|아들을|딸을|퀵|등기|우편|고지서|청구서|명세서|통지|공지|초대|악플|댓글|글을|글좀|좋아요|하트|와이파이|"
    r"블루투스|프린터|출력|인쇄|팩스|전송|업로드|공유|아이템|게임|부침개|부침|노트|문서")
# Talk about transfers rather than a transfer: limits, fees, history, automatic debits.
KO_INFO = compile_fast(
    r"한도|수수료|환율|자동이체|이체내역|송금내역|입금내역|거래내역|내역|이체결과|송금결과|이체확인|송금확인|입금확인|이체증|"
    r"영수증|오류|에러|실패|취소|안들어|지연|보류|대기|확인해|확인좀|조회|규정|정책|이자|대출|빌려|갚|계좌이체로|이체로|송금으로|"
    r"입금표|무통장|입금자|입금액|입금일|출금|인출|결제|할부|적금|예금|펀드|주식|보험|세금|공과금|월급|급여|수입|지출")
KO_HARD_INFO = compile_fast(r"한도|수수료|환율|해외|외국|방법|어떻게|얼마까지|왜|언제|누구|어디|무슨|뭐")
# Scheduled or conditional transfers cannot be executed now; never run them immediately.
KO_SCHEDULE = compile_fast(r"내일|모레|글피|다음주|다음달|담주|이따|나중에|까지|월말|월초|주말에|저녁에|아침에|오후에|오전에|밤에|\d+시|[한두세네]시|매달|매월|매주|매일|마다|예약")
# A transfer spoken about as a topic (`계좌이체도 된대`, `송금이 돼?`).
KO_TOPIC = compile_fast(r"(?:이체|송금|입금)(?:도|는|가|의|란|라는|이란|은|이)")
KO_SELF_RECIPIENT = compile_fast(r"(?<![가-힣])(?:나|저|내|제)(?:한테|에게|께)|나한테로|저한테로|내계좌로|제계좌로|내통장으로|제통장으로")


# Someone else asked for the money (`엄마가 5만원 보내달래`, `보내 달라고 하던데`): reported, not
# a request to us, however imperative the embedded verb sounds.
KO_REPORTED = compile_fast(
    r"달래|달랜|달라(?:고|는|던|며|네|더라|잖|셔|신|하|그|구|니|카)|보내래|부쳐래|송금해래|이체해래|보내라(?:셔|시|네|더라|던|며|고)|"
    r"(?:보내|송금해|이체해|부쳐)(?:주)?(?:래|랬|란다|라더라|라던데)|좋겠대|겠대|원한대|필요하대")


def korean_block(compact: str, question_mark: bool) -> str | None:
    if KO_REPORTED.search(compact):
        return "reported"
    if KO_PAST.search(compact):
        return "past"
    if KO_NEGATION.search(compact):
        return "negation"
    if KO_INFO.search(compact):
        return "info"
    if KO_CAPABILITY.search(compact) and (not KO_POLITE.search(compact) or KO_HARD_INFO.search(compact)):
        return "info"
    if KO_NOT_A_COMMAND.search(compact) or KO_TOPIC.search(compact):
        return "not_command"
    if KO_SCHEDULE.search(compact):
        return "scheduled"
    if KO_OBJECTS.search(compact):
        return "object"
    if KO_SELF_RECIPIENT.search(compact):
        return "self"
    if (question_mark or KO_QUESTION_END.search(compact)) and not KO_POLITE.search(compact):
        return "question"
    return None


# --- English -------------------------------------------------------------------------------
_EN_Q_START = re.compile(
    r"^(?:(?:so|and|but|ok|okay|hey|hi|hello|well|um|uh|also|then|yes|yeah|no|oh|wait|please)[,\s]+)*"
    r"(?:what|what's|whats|how|how's|hows|why|when|where|who|who's|whom|which|whose|did|didn't|does|doesn't|do|"
    r"is|isn't|are|aren't|was|wasn't|were|weren't|have|haven't|has|hasn't|had|should|shall|will|won't|would|could|"
    r"can|can't|cannot|may|might|must|am|any|if|whether)\b", re.I)
_EN_POLITE = re.compile(
    r"^(?:(?:so|and|ok|okay|hey|hi|hello|well|um|uh|yes|yeah|please|now|then|alright)[,\s]+)*"
    r"(?:(?:can|could|would|will)\s+(?:you|u|ya)\s+(?:please\s+|kindly\s+|just\s+|also\s+|now\s+|go ahead and\s+)?"
    r"(?:send|transfer|wire|pay|move|put|give|make|do|initiate|process|deposit|help|assist|provide|get|have|arrange|set\s+up|"
    r"help\s+me\s+(?:to\s+)?(?:send|transfer|move|pay|make))"
    r"|would\s+you\s+mind\s+(?:sending|transferring|paying|moving|wiring)"
    r"|(?:can|could|may)\s+i\s+(?:please\s+)?(?:send|transfer|pay|wire|move|make\s+a\s+(?:transfer|payment)|initiate|get)"
    r"|(?:can|could)\s+we\s+(?:send|transfer|pay|wire|move)"
    r"|(?:is\s+it\s+possible\s+to|i\s+wonder\s+if\s+you\s+could)\s+(?:send|transfer|pay|wire|move))\b", re.I)
_EN_GENERIC_CAN_YOU = re.compile(r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:do\s+(?:it|that|this)|help|handle\s+(?:it|that))\b", re.I)
_EN_CAN_I = re.compile(r"^(?:[a-z]+[,\s]+)*?(?:can|could|may)\s+i\b|is\s+it\s+possible", re.I)

_EN_PAST = Cue(
    """sent transferred wired paid remitted moved deposited gave given received receive receiving arrived arrive
    arrives arriving pending declined decline rejected failed fail failing reverted reversed refund refunded bounced
    returned was were been already yet still tried trying attempted attempting attempt keep keeps kept did made
    earlier ago yesterday recently happened processed completed cleared posted reflected appear appeared wait waited
    waiting outgoing incoming expecting expected shown showing i've we've i'd've""",
    [("went go gone goes", r"\b(?:went|go|gone|goes)\s+through\b"), ("show showed", r"\bshow(?:ed)?\s+up\b"),
     ("last", r"\blast\s+(?:week|month|night|time)\b")])
_EN_WANTED_DONE = compile_fast(r"\b(?:need|needs|want|wants|would\s+like|'d\s+like|get|require)\s+(?:\S+\s+){0,8}?(?:transferred|sent|moved|paid|wired|deposited)\b", re.I)
_EN_NEGATION = Cue(
    """don't dont never not stop can't cant cannot won't wont unable shouldn't wouldn't couldn't isn't doesn't
    didn't aren't haven't hasn't couldnt didnt doesnt isnt wasnt shouldnt wouldnt havent hasnt arent without nor
    neither refuse avoid cancel cancelled canceled undo reverse revoke block prevent""",
    [("no", r"\bno\s+longer\b"), ("hold", r"\bhold\s+off\b")])
_EN_OBJECTS = Cue(
    """text texts texting message messages msg sms email emails e-mail mail letter letters photo photos picture
    pictures pic pics image images file files document documents doc docs link links invite invites invitation
    invitations package packages parcel parcels card cards statement statements invoice invoices receipt receipts
    code codes pin password fax video videos song songs music playlist location address contact contacts reminder
    reminders notification notifications alert alerts gift gifts flowers uber lyft taxi cab car driver copy details
    info information report reports request requests reply response feedback complaint call calls data points miles
    rewards credits phone number ownership title license domain subscription subscriptions human agent person
    representative rep operator support service team department manager ticket tickets form forms application
    resume note notes memo emoji sticker selfie screenshot attachment pdf order pizza food technician mechanic help
    verification confirmation otp token bitcoin crypto btc eth stock stocks share shares bond bonds securities
    server""",
    [("someone a me portfolio", r"\b(?:someone|me|portfolio)\s+to\b|\ba\s+person\b")])
_EN_INFO = Cue(
    """limit limits fee fees charge charges charged cost costs rate rates exchange process procedure possible abroad
    overseas international internationally foreign country countries allowed policy policies rules maximum minimum
    max min instruction instructions steps option options explain learn sepa swift iban routing beneficiary
    beneficiaries beneficiery beneficieries topup topping anyone anybody list 401k 403b pension rollover reward
    rewards points miles donation donations charity payroll paycheck app application website verify verification
    confirm status track tracking receive history statement tax taxes interest loan mortgage bill bills rent tuition
    invoice utilities utility subscription purchase buy order checkout merchant store shop online atm cheque currency
    currencies crypto salary wage wages refund reimburse cashback""",
    [("how", r"\bhow\s+(?:long|much\s+time|to)\b"), ("able", r"\bable\s+to\b"), ("way ways", r"\bways?\s+to\b"),
     ("tell know", r"\b(?:tell\s+me|know)\s+about\b"), ("top", r"\btop[\s-]?(?:up|off)\b"),
     ("recipient", r"\brecipient\s+list\b"), ("who", r"\bwho\s+can\s+i\b"), ("somebody someone", r"\b(?:somebody|someone)\s+else\b"),
     ("401 403", r"\b40[13]\s?[kb]\b"), ("ira", r"\bira\s+to\b"), ("roll", r"\broll\s+over\b"), ("pay", r"\bpay\s+check\b"),
     ("direct", r"\bdirect\s+(?:deposit|debit)\b"), ("standing", r"\bstanding\s+order\b"), ("online", r"\bonline\s+banking\b"),
     ("bank", r"\b(?:by|via|through|with)\s+(?:a\s+)?bank[\s-]?transfer\b|\bbank-transfer\b|\bother\s+bank\b|"
              r"\b(?:from|at)\s+(?:another|a\s+different|an\s+other|my\s+other)\s+bank\b|\b(?:into|to|in)\s+(?:this|the)\s+bank\b"),
     ("account", r"\b(?:into|to|in)\s+(?:my|our)\s+account\b(?!\s+(?:at|in|with))|\b(?:into|to|in)\s+(?:this|the)\s+account\b"),
     ("one", r"\b(?:into|to|in)\s+(?:this|the)\s+one\b"), ("add", r"\badd\s+money\s+to\b"),
     ("card amex visa mastercard express", r"\b(?:use|using|with|by|via|from)\s+(?:my\s+|a\s+|the\s+)?(?:credit\s+card|card|american\s+express|amex|visa|mastercard)\b|"
              r"\bto\s+(?:my\s+|your\s+|the\s+)?(?:credit\s+)?card\b|\byour\s+card\b"),
     ("apple google", r"\b(?:apple|google)\s+pay\b"),
])
# A transfer for later cannot be executed now, and the dialog has no scheduling: never run it.
_EN_SCHEDULE = Cue(
    "tomorrow tonight later monthly weekly schedule scheduled recurring",
    [("next", r"\bnext\s+(?:week|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
     ("on", r"\bon\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the\s+\d+)"),
     (ALWAYS, r"\bat\s+\d|\d\s?[ap]\.?m\b"), ("in", r"\bin\s+\d+\s+days\b"), ("every", r"\bevery\s+(?:day|week|month)\b")])
_EN_COMPLAINT = Cue(
    """why error errors problem problems issue issues wrong mistake mistaken fraud scam unauthorized unauthorised
    dispute stolen lost missing hacked wondering wonder curious confused worried unsure idea supposed trouble
    difficult difficulty struggling struggle doesn't didn't""",
    [("not", r"\bnot\s+(?:working|sure)\b"), ("does did", r"\b(?:does|did)\s+not\s+work\b"),
     ("help", r"\bhelp\s+me\s+(?:resolve|fix|understand|find|figure)\b"), ("know", r"\bknow\s+(?:if|whether|how|why|when|where)\b"),
     ("what", r"\bwhat\s+happens\b"), ("should", r"\bshould\s+i\b"), ("do", r"\bdo\s+i\s+(?:have|need)\s+to\b"),
     ("hard", r"\bhard\s+time\b")])
_EN_SELF_RECIPIENT = compile_fast(r"\b(?:send|transfer|wire|pay|give|move|deposit)\s+(?:it\s+|that\s+|some\s+|the\s+)?(?:me|myself|us)\b|\bto\s+(?:me|myself|us)\b", re.I)
_EN_REPORTED = compile_fast(
    r"\b(?:he|she|they|someone|somebody|my\s+(?:mom|dad|mother|father|friend|wife|husband|boss|son|daughter|brother|sister))"
    r"\s+(?:wants|needs|asked|told|says|said|will|would|is|was|has|had|sends|pays|transfers)\b|"
    r"\b(?:asked|asks|asking|told|tells|telling|wants|wanted|needs|needed|begged|begs|reminded|reminds|requested|expects|"
    r"expected|would\s+like|wanna|got)\s+me\s+(?:to|if|whether)\b|\b(?:says|said|told\s+me)\s+(?:to|i\s+should|that\s+i)\b|"
    r"\b(?:asked|asking|begged)\s+(?:me\s+)?for\b|\b(?:asked|asks|wondered|wonders|wants\s+to\s+know)\s+(?:if|whether)\b", re.I)


_EN_REPORTING = frozenset("""he she they someone somebody my asked asks asking told tells telling wants wanted needs
    needed begged begs reminded reminds requested expects expected like wanna got says said wondered wonders""".split())


def reported(t_compact: str, text: str, words: frozenset[str], hangul: bool) -> bool:
    """Someone else asked for money, with or without a send verb (`동생이 2만원 필요하대`)."""
    if hangul:
        return ("래" in t_compact or "달라" in t_compact or "대" in t_compact or "랬" in t_compact
                or "란다" in t_compact) and bool(KO_REPORTED.search(t_compact))
    return not _EN_REPORTING.isdisjoint(words) and bool(_EN_REPORTED.search(text))
_EN_SENTENCES = re.compile(r"(?<=[.?!])\s+|[,;]\s+(?=(?:how|what|why|when|where|who|can|could|is|are|do|does|will|would|should|am)\b)", re.I)


def english_block(text: str, words: frozenset[str], has_money: bool, concrete_target: bool) -> str | None:
    """`concrete_target`: a payee or an amount was found, which turns `can I send ...` from
    a question about the service into a request."""
    if _EN_REPORTED.search(text):
        return "reported"
    if _EN_PAST.found(words, text) and not _EN_WANTED_DONE.search(text):
        return "past"
    if _EN_NEGATION.found(words, text):
        return "negation"
    if _EN_COMPLAINT.found(words, text):
        return "complaint"
    if _EN_SCHEDULE.found(words, text):
        return "scheduled"
    if _EN_INFO.found(words, text):
        return "info"
    if not has_money and _EN_OBJECTS.found(words, text):
        return "object"
    if _EN_SELF_RECIPIENT.search(text):
        return "self"
    sentences = [s for s in _EN_SENTENCES.split(text) if s.strip()] or [text]
    for s in sentences:
        s = s.strip()
        if _EN_Q_START.match(s):
            m = _EN_POLITE.match(s)
            if not m and not (len(sentences) > 1 and _EN_GENERIC_CAN_YOU.match(s)):
                return "question"
            if _EN_CAN_I.match(s) and not concrete_target:
                return "question"
        elif s.endswith("?") and len(sentences) > 1 and not _EN_POLITE.match(s) and not _EN_GENERIC_CAN_YOU.match(s):
            return "question"
    return None
