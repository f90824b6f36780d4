"""Replies as people hear and see them: plain text, SSML and a TV card, in the
conversation's language. Amounts are read as people say them (`5만 원`, `50,000 won`),
account numbers only ever as their last four digits, and no code is ever repeated."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Sequence
from xml.sax.saxutils import escape

from adapters.base import Transaction
from banking.core import banks
from banking.core.dialog import Reply
from banking.core.formats import KST, mask

#: kinship words are called as they are (`엄마에게`, never `엄마님에게`); anyone else by
#: name with the honorific `님` (`김철수 님에게`)
KINSHIP = frozenset("""엄마 아빠 어머니 아버지 어머님 아버님 할머니 할아버지 외할머니 외할아버지 언니 오빠 누나 형 형님 동생
    남동생 여동생 이모 고모 삼촌 외삼촌 숙모 이모부 고모부 아들 딸 남편 아내 와이프 여보 자기 장모님 장인어른 시어머니
    시아버지 며느리 사위 손자 손녀 조카 부모님""".split())


@dataclass(frozen=True)
class Spoken:
    """A value with its plain-text and SSML forms."""

    text: str
    ssml: str


@dataclass(frozen=True)
class Rendered:
    speech: str
    ssml: str
    card: dict[str, Any]


TEMPLATES: dict[str, dict[str, str]] = {
    "ko-KR": {
        "cancelled": "취소했어요. 아무것도 보내지 않았어요.",
        "help": "잔액 확인, 최근 거래 내역, 계좌 목록, 등록된 분께 송금을 도와드려요. "
                "예를 들어 '엄마한테 5만원 보내줘'나 '잔액 알려줘'라고 말씀해 보세요.",
        "not_understood": "죄송해요, 잘 이해하지 못했어요. '잔액 알려줘'나 '엄마한테 5만원 보내줘'처럼 말씀해 주세요.",
        "expired": "대화가 5분 넘게 멈춰 있어서 처음부터 다시 시작할게요.",
        "ask_pin_read": "본인 확인을 위해 음성 PIN 번호를 말씀해 주세요.",
        "wrong_code": "인증에 실패했어요. 다시 말씀해 주세요.",
        "locked": "보안을 위해 PIN 입력이 잠겨 있어요. 30분 후에 다시 시도해 주세요.",
        "ask_payee": "누구에게 보낼까요?",
        "ask_amount": "얼마를 보낼까요?",
        "ask_bank": "어느 은행 계좌에서 보낼까요? {installed_banks} 말씀해 주세요.",
        "confirm_payee": "{payee}에게 보낼까요? 네 또는 아니요로 말씀해 주세요.",
        "unknown_payee": "등록된 받는 분 중에 '{spoken}' 님은 없어요. 받는 분은 먼저 앱에서 등록해 주세요.",
        "no_account_at": "{bank}에는 연결된 계좌가 없어요.",
        "krw_only": "죄송해요, 원화로만 보낼 수 있어요. 얼마를 원으로 보낼까요?",
        "over_per_transfer": "한 번에 보낼 수 있는 이체 한도는 {limit}이에요. 이 금액은 보낼 수 없어요.",
        "over_daily": "하루 이체 한도 {limit}을 넘어요. 오늘은 {left}까지 더 보낼 수 있어요.",
        "otp_not_enrolled": "이 금액은 OTP 인증이 필요한데, 등록된 OTP가 없어서 보낼 수 없어요.",
        "read_back": "{source_bank} 계좌에서 {payee}({payee_bank} {masked})에게 {amount}을 보낼까요? "
                     "맞으면 음성 PIN 번호를 말씀해 주세요.",
        "read_back_again": "이체 내용을 다시 확인할게요. 음성 PIN 번호를 말씀해 주세요.",
        "ask_otp": "30만 원 이상 이체는 추가 인증이 필요해요. OTP 앱의 여섯 자리 숫자를 말씀해 주세요.",
        "too_many_codes": "인증에 세 번 실패해서 이체를 진행하지 않았어요.",
        "transfer_completed": "{payee}에게 {amount}을 보냈어요.",
        "transfer_pending": "은행에서 처리 중이에요. 확인되면 알려 드릴게요.",
        "transfer_failed": "{payee}에게 보내지 못했어요. {reason}",
        "balance_one": "{bank} 잔액은 {balance}이에요.",
        "balance_many": "계좌별 잔액이에요. {items}.",
        "transactions": "최근 거래예요. {items}.",
        "no_transactions": "최근 거래 내역이 없어요.",
        "accounts": "연결된 계좌예요. {items}.",
        "partner_unavailable": "지금 {bank}에 연결할 수 없어요. 잠시 후 다시 시도해 주세요.",
        "busy": "이전 요청을 처리하고 있어요. 잠시 후 다시 말씀해 주세요.",
        # conversations for real people (CONTRACT §9)
        "transactions_more": "{count}건 더 있어요. 더 들으시려면 '더 들려줘'라고 말씀해 주세요.",
        "transactions_next": "이어서 알려 드릴게요. {items}.",
        "transactions_with": "{payee} 거래 내역이에요. {items}.",
        "no_transactions_with": "{payee} 거래 내역이 없어요.",
        "no_more_transactions": "더 알려 드릴 거래가 없어요.",
        "month_summary": "{month}월에는 {spent}을 쓰셨고 {received}이 들어왔어요.",
        "payees": "보낼 수 있는 분이에요. {items}.",
        "payee_account": "받는 분 계좌예요. {items}.",
        "no_payees": "등록된 받는 분이 없어요. 받는 분은 먼저 앱에서 등록해 주세요.",
        "transfer_set_aside": "진행하던 이체는 보내지 않고 멈췄어요.",
        "help_pin": "지금은 본인 확인 중이에요. 음성 PIN 번호 네 자리를 말씀하시거나 '취소'라고 말씀해 주세요.",
        "help_pin_transfer": "지금은 이체 확인 중이에요. 맞으면 음성 PIN 번호를 말씀하시고, 금액이나 받는 분을 바꾸려면 "
                             "'3만원으로'처럼 말씀해 주세요. 그만두려면 '취소'라고 하세요.",
        "help_otp": "OTP 앱에 보이는 여섯 자리 숫자를 말씀해 주세요. 그만두려면 '취소'라고 하세요.",
        "help_amount": "보낼 금액을 '5만원'처럼 말씀해 주세요. 그만두려면 '취소'라고 하세요.",
        "help_payee": "받는 분을 '엄마'처럼 말씀해 주세요. 그만두려면 '취소'라고 하세요.",
        "help_bank": "보낼 계좌의 은행을 말씀해 주세요. {installed_banks} 하시면 돼요.",
        "ask_pin": "맞으면 음성 PIN 번호를 말씀해 주세요.",
        "ask_otp_again": "OTP 앱의 여섯 자리 숫자를 말씀해 주세요.",
        "negative_amount": "보낼 금액은 0원보다 커야 해요.",
        "two_amounts": "금액을 두 가지로 말씀하셨어요.",
        "two_payees": "받는 분을 두 분 말씀하셨어요. 한 번에 한 분에게만 보낼 수 있어요.",
        "slower": "네, 이제부터 천천히 말할게요.",
        "normal_speed": "네, 이제부터 보통 속도로 말할게요.",
        "nothing_to_repeat": "아직 드린 말씀이 없어요.",
        "nothing_more": "더 알려 드릴 내용이 없어요.",
        # held transfers, calling them back, notices (CONTRACT §8)
        "transfer_held": "안전을 위해 {payee}에게 보낼 {amount}은 {at}에 보내 드릴게요. "
                         "그 전에 '이체 취소'라고 말씀하시면 취소할 수 있어요.",
        "recall_read_back": "{at}에 {payee}에게 보낼 {amount} 이체를 취소할까요? 맞으면 음성 PIN 번호를 말씀해 주세요.",
        "recall_ask_pin": "이체를 취소하려면 음성 PIN 번호를 말씀해 주세요.",
        "transfer_cancelled": "{payee}에게 보낼 {amount} 이체를 취소했어요. 아무것도 보내지 않았어요.",
        "already_sent": "{payee}에게 {amount}은 이미 보냈어요. 보낸 이체는 취소할 수 없어요.",
        "nothing_held": "취소할 수 있는 예약 이체가 없어요.",
        "notice_released": "예약한 이체를 지금 보내요. {payee}에게 {amount}.",
        "notice_locked": "PIN이 다섯 번 틀려서 30분 동안 잠겼어요. 본인이 아니라면 은행에 알려 주세요.",
        # the recipient check, 수취조회 (CONTRACT §10)
        "read_back_holder": "{source_bank} 계좌에서 {payee}(예금주 {holder}, {payee_bank} {masked})에게 {amount}을 "
                            "보낼까요? 맞으면 음성 PIN 번호를 말씀해 주세요.",
        "recipient_mismatch": "{payee} 계좌의 예금주가 등록된 이름과 달라서 보내지 않았어요. "
                              "받는 분 정보를 확인해 주세요.",
        "recipient_unconfirmed": "{payee_bank}에서 {payee} 계좌의 예금주를 확인하지 못해서 보내지 않았어요. "
                                 "잠시 후 다시 시도해 주세요.",
        # assistant channels (CONTRACT §7, `banking.assistants`)
        "assistant_greeting": "카우치뱅킹이에요. 잔액 확인이나 송금을 도와드릴게요. 무엇을 할까요?",
        "assistant_link": "카우치뱅킹을 쓰려면 먼저 앱에서 계정을 연결해 주세요.",
        "assistant_reprompt_pin": "음성 PIN 번호를 말씀해 주세요.",
        "assistant_reprompt_otp": "OTP 인증번호 여섯 자리를 말씀해 주세요.",
        "assistant_reprompt_amount": "얼마를 보낼까요?",
        "assistant_reprompt_payee": "누구에게 보낼까요?",
        "assistant_reprompt_bank": "어느 은행 계좌에서 보낼까요?",
    },
    "en-US": {
        "cancelled": "Cancelled. Nothing was sent.",
        "help": "I can tell you your balance, read your recent transactions, list your accounts, "
                "and send money to your saved payees. Try 'what's my balance' or 'send 50,000 won to Mom'.",
        "not_understood": "Sorry, I didn't catch that. You can say 'what's my balance' or 'send 50,000 won to Mom'.",
        "expired": "That conversation was idle for over five minutes, so let's start over.",
        "ask_pin_read": "To confirm it's you, please say your voice PIN.",
        "wrong_code": "That didn't match. Please try again.",
        "locked": "For your security, PIN entry is locked. Please try again in 30 minutes.",
        "ask_payee": "Who should I send it to?",
        "ask_amount": "How much should I send?",
        "ask_bank": "Which account should I send it from? Say {installed_banks}.",
        "confirm_payee": "Did you mean {payee}? Please say yes or no.",
        "unknown_payee": "'{spoken}' isn't one of your saved payees. Please add them in the app first.",
        "no_account_at": "You have no linked account at {bank}.",
        "krw_only": "Sorry, I can only send Korean won. How much in won?",
        "over_per_transfer": "That's over your per-transfer limit of {limit}, so I can't send it.",
        "over_daily": "That would go over your daily limit of {limit}. You can send up to {left} more today.",
        "otp_not_enrolled": "This amount needs a one-time code, and no authenticator is set up, so I can't send it.",
        "read_back": "Send {amount} to {payee} ({payee_bank} {masked}) from your {source_bank} account? "
                     "If that's right, say your voice PIN.",
        "read_back_again": "Let's confirm the transfer again. Please say your voice PIN.",
        "ask_otp": "Transfers of 300,000 won or more need one more check. "
                   "Please say the six-digit code from your authenticator app.",
        "too_many_codes": "That didn't match three times, so I stopped the transfer.",
        "transfer_completed": "Sent {amount} to {payee}.",
        "transfer_pending": "The bank is still processing it. I'll let you know once it's confirmed.",
        "transfer_failed": "I couldn't send the money to {payee}. {reason}",
        "balance_one": "Your {bank} balance is {balance}.",
        "balance_many": "Your balances: {items}.",
        "transactions": "Your recent transactions: {items}.",
        "no_transactions": "There are no recent transactions.",
        "accounts": "Your linked accounts: {items}.",
        "partner_unavailable": "I can't reach {bank} right now. Please try again shortly.",
        "busy": "I'm still working on your previous request. Please try again in a moment.",
        # conversations for real people (CONTRACT §9)
        "transactions_more": "There are {count} more. Say 'more' to hear them.",
        "transactions_next": "Here are the next ones: {items}.",
        "transactions_with": "Your transactions with {payee}: {items}.",
        "no_transactions_with": "There are no transactions with {payee}.",
        "no_more_transactions": "There are no more transactions.",
        "month_summary": "This month you spent {spent} and received {received}.",
        "payees": "You can send money to {items}.",
        "payee_account": "Saved account: {items}.",
        "no_payees": "You have no saved payees yet. Please add them in the app first.",
        "transfer_set_aside": "I've stopped the transfer; nothing was sent.",
        "help_pin": "I'm checking it's you. Say your four-digit voice PIN, or say 'cancel'.",
        "help_pin_transfer": "I'm waiting to confirm the transfer. If it's right, say your voice PIN; to change it, "
                             "say something like '30,000 won instead'; to stop, say 'cancel'.",
        "help_otp": "Say the six-digit code from your authenticator app, or say 'cancel'.",
        "help_amount": "Say how much to send, like '50,000 won', or say 'cancel'.",
        "help_payee": "Say who to send it to, like 'Mom', or say 'cancel'.",
        "help_bank": "Say which account to send from: {installed_banks}.",
        "ask_pin": "If that's right, say your voice PIN.",
        "ask_otp_again": "Please say the six-digit code from your authenticator app.",
        "negative_amount": "The amount to send must be more than zero.",
        "two_amounts": "I heard two amounts.",
        "two_payees": "I heard two people. I can send to one person at a time.",
        "slower": "Okay, I'll speak more slowly from now on.",
        "normal_speed": "Okay, I'll speak at normal speed from now on.",
        "nothing_to_repeat": "I haven't said anything yet.",
        "nothing_more": "There's nothing more to read.",
        # held transfers, calling them back, notices (CONTRACT §8)
        "transfer_held": "For your safety, I'll send {amount} to {payee} at {at}. "
                         "Until then, say 'cancel that transfer' to call it back.",
        "recall_read_back": "Cancel the transfer of {amount} to {payee} set for {at}? If so, say your voice PIN.",
        "recall_ask_pin": "To cancel the transfer, please say your voice PIN.",
        "transfer_cancelled": "Cancelled the transfer of {amount} to {payee}. Nothing was sent.",
        "already_sent": "The {amount} to {payee} has already been sent. A sent transfer can't be cancelled.",
        "nothing_held": "There's no held transfer to cancel.",
        "notice_released": "Sending your held transfer now: {amount} to {payee}.",
        "notice_locked": "Your PIN was wrong five times, so it's locked for 30 minutes. "
                         "If that wasn't you, please tell your bank.",
        # the recipient check, 수취조회 (CONTRACT §10)
        "read_back_holder": "Send {amount} to {payee} (account holder {holder}, {payee_bank} {masked}) from your "
                            "{source_bank} account? If that's right, say your voice PIN.",
        "recipient_mismatch": "The holder of {payee}'s account isn't the name registered for {payee}, so I didn't "
                              "send anything. Please check the payee's details.",
        "recipient_unconfirmed": "{payee_bank} couldn't confirm who holds {payee}'s account, so I didn't send "
                                 "anything. Please try again later.",
        # assistant channels (CONTRACT §7, `banking.assistants`)
        "assistant_greeting": "Welcome to couchbank. I can tell you your balance or send money. What would you like?",
        "assistant_link": "To use couchbank, please link your account in the Alexa app first.",
        "assistant_reprompt_pin": "Please say your voice PIN.",
        "assistant_reprompt_otp": "Please say the six-digit code from your authenticator.",
        "assistant_reprompt_amount": "How much should I send?",
        "assistant_reprompt_payee": "Who should I send it to?",
        "assistant_reprompt_bank": "Which bank account should I send it from?",
    },
}

FAILURE_REASONS = {
    "ko-KR": {"insufficient_funds": "잔액이 부족해요.", "account_unavailable": "계좌를 확인할 수 없어요.",
              "over_daily": "하루 이체 한도를 넘어요.", "rejected": "은행에서 처리하지 못했어요."},
    "en-US": {"insufficient_funds": "There isn't enough money in the account.",
              "account_unavailable": "The account couldn't be verified.",
              "over_daily": "It would go over your daily limit.", "rejected": "The bank declined it."},
}

TITLES = {
    "ko-KR": {"balance": "잔액", "transfer": "송금", "transactions": "거래 내역", "accounts": "내 계좌", "payees": "받는 분",
              "help": "도움말", "cancel": "취소", "unknown": "카우치뱅킹"},
    "en-US": {"balance": "Balance", "transfer": "Transfer", "transactions": "Transactions", "payees": "Payees",
              "accounts": "Accounts", "help": "Help", "cancel": "Cancelled", "unknown": "couchbank"},
}


def won(amount: int, locale: str) -> Spoken:
    ssml = f'<say-as interpret-as="cardinal">{amount}</say-as>'
    if locale != "ko-KR":
        return Spoken(f"{amount:,} won", f"{ssml} won")
    sign, n = ("-" if amount < 0 else ""), abs(amount)
    parts = []
    if n >= 100_000_000:
        parts.append(f"{n // 100_000_000:,}억")
    if (n // 10_000) % 10_000:
        parts.append(f"{(n // 10_000) % 10_000}만")
    rest = n % 10_000
    if rest:
        parts.append(f"{rest // 1000}천" if rest % 1000 == 0 else f"{rest:,}")
    text = sign + " ".join(parts or ["0"])
    text += "원" if text[-1].isdigit() else " 원"
    return Spoken(text, f"{ssml}원")


def masked(last4: str, locale: str) -> Spoken:
    ending = "끝자리" if locale == "ko-KR" else "ending in"
    return Spoken(mask(last4), f'{ending} <say-as interpret-as="digits">{last4}</say-as>')


def bank_name(bank: str, locale: str) -> str:
    return banks.installed().name(bank, locale)


def installed_banks(locale: str) -> Spoken:
    """The installed banks as a choice to say: `케이뱅크 또는 우리은행이라고`, `K-Bank or Woori Bank`."""
    names = banks.installed().names(locale)
    last = names[-1] if names else ""
    if locale == "ko-KR":
        text = ", ".join(names[:-1]) + " 또는 " + last if len(names) > 1 else last
        text += _quoting(last)
    else:
        text = ", ".join(names[:-1]) + " or " + last if len(names) > 1 else last
    return _plain(text)


def _quoting(word: str) -> str:
    """The quoting particle `(이)라고` as it follows `word`: `이라고` after a final consonant
    (`우리은행이라고`), `라고` after a vowel (`케이뱅크라고`), both when it is not Hangul."""
    last = word[-1:]
    if not "가" <= last <= "힣":
        return "(이)라고"
    return "이라고" if (ord(last) - ord("가")) % 28 else "라고"


def _plain(value: Any) -> Spoken:
    text = str(value)
    return Spoken(text, escape(text))


def called(payee: str, locale: str) -> str:
    """A payee as the person calls them, politely: `엄마`, `김철수 님`, `Mom`."""
    if locale != "ko-KR" or payee in KINSHIP or payee.endswith("님") or not any("가" <= c <= "힣" for c in payee):
        return payee
    return f"{payee} 님"


def _values(params: dict[str, Any], locale: str) -> dict[str, Spoken]:
    out: dict[str, Spoken] = {}
    for name, value in params.items():
        if name == "payee" and isinstance(value, str):
            out[name] = _plain(called(value, locale))
        elif name in ("amount", "limit", "left", "balance", "spent", "received"):
            out[name] = won(int(value), locale)
        elif name in ("bank", "source_bank", "payee_bank"):
            out[name] = _plain(bank_name(value, locale))
        elif name == "last4":
            out["masked"] = masked(value, locale)
        elif name == "reason":
            out[name] = _plain(FAILURE_REASONS[locale].get(value, FAILURE_REASONS[locale]["rejected"]))
        elif name == "currency":
            continue
        elif name == "at":
            out[name] = _plain(clock_time(value, locale))
        elif isinstance(value, Spoken):
            out[name] = value
        else:
            out[name] = _plain(value)
    return out


def sentence(reply: Reply, locale: str) -> Spoken:
    template = TEMPLATES[locale][reply.key]
    values = _values(reply.params, locale)
    if "{installed_banks}" in template:
        values["installed_banks"] = installed_banks(locale)
    return Spoken(
        template.format(**{k: v.text for k, v in values.items()}),
        escape(template).format(**{k: v.ssml for k, v in values.items()}),
    )


def clock_time(at: dt.datetime, locale: str) -> str:
    """A time of day as people say it, in Korea's time: `오후 3시 20분`, `3:20 PM`."""
    local = at.astimezone(KST)
    hour12 = local.hour % 12 or 12
    if locale != "ko-KR":
        return f"{hour12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    said = f"{'오전' if local.hour < 12 else '오후'} {hour12}시"
    return f"{said} {local.minute}분" if local.minute else said


def join(items: Sequence[Spoken], locale: str) -> Spoken:
    sep = ", "
    return Spoken(sep.join(i.text for i in items), sep.join(i.ssml for i in items))


def when(at: dt.datetime, locale: str) -> str:
    local = at.astimezone(KST)
    return f"{local.month}월 {local.day}일" if locale == "ko-KR" else local.strftime("%b %-d")


def render(locale: str, intent: str, replies: Sequence[Reply], card_lines: Sequence[str] = (),
           slow: bool = False) -> Rendered:
    """`slow`: the person asked for slower speech (CONTRACT §9), remembered per user."""
    sentences = [sentence(r, locale) for r in replies]
    speech = " ".join(s.text for s in sentences)
    body = " ".join(s.ssml for s in sentences)
    ssml = f'<speak><prosody rate="slow">{body}</prosody></speak>' if slow else f"<speak>{body}</speak>"
    lines = [_closed(line) for line in card_lines] or [s.text for s in sentences]
    return Rendered(speech, ssml, {"title": TITLES[locale].get(intent, TITLES[locale]["unknown"]), "lines": lines})




@dataclass(frozen=True)
class Answer:
    """What a read says: its reply (and any that follow it) and the lines of its TV card."""

    reply: Reply
    card_lines: list[str]
    more: tuple[Reply, ...] = ()


def _closed(line: str) -> str:
    """A card line ends as a sentence does."""
    return line if line.endswith((".", "?", "!", ":")) else line + "."


def balances(items: Sequence[Mapping[str, Any]], locale: str) -> Answer:
    """`items`: each account's bank, number_masked and balance."""
    lines = [f"{bank_name(i['bank'], locale)} {i['number_masked']}: {won(i['balance'], locale).text}."
             for i in items]
    if len(items) == 1:
        return Answer(Reply("balance_one", {"bank": items[0]["bank"], "balance": items[0]["balance"]}), lines)
    parts = [Spoken(f"{bank_name(i['bank'], locale)} {won(i['balance'], locale).text}",
                    f"{bank_name(i['bank'], locale)} {won(i['balance'], locale).ssml}")
             for i in items]
    return Answer(Reply("balance_many", {"items": join(parts, locale)}), lines)


@dataclass(frozen=True)
class Listed:
    """A transaction with its counterparty named as the person calls them (`엄마`)."""

    transaction: Transaction
    name: str


def transactions(page: Sequence[Listed], rest: int, continued: bool, payee: str | None, locale: str) -> Answer:
    """One page (at most three, spoken and on the card) and how many more there are."""
    if not page:
        if continued:
            return Answer(Reply("no_more_transactions"), [])
        if payee is not None:
            return Answer(Reply("no_transactions_with", {"payee": payee}), [])
        return Answer(Reply("no_transactions"), [])
    said = [_transaction(t.transaction, t.name, locale) for t in page]
    items = join(said, locale)
    if continued:
        reply = Reply("transactions_next", {"items": items})
    elif payee is not None:
        reply = Reply("transactions_with", {"payee": payee, "items": items})
    else:
        reply = Reply("transactions", {"items": items})
    replies = [reply] + ([Reply("transactions_more", {"count": rest})] if rest else [])
    lines = [_closed(t.text) for t in said]
    if rest:
        lines.append(sentence(replies[-1], locale).text)
    return Answer(replies[0], lines, tuple(replies[1:]))


def month_summary(spent: int, received: int, month: int, locale: str) -> Answer:
    reply = Reply("month_summary", {"spent": spent, "received": received, "month": month})
    if locale == "ko-KR":
        lines = [f"쓴 돈: {won(spent, locale).text}.", f"들어온 돈: {won(received, locale).text}."]
    else:
        lines = [f"Spent: {won(spent, locale).text}.", f"Received: {won(received, locale).text}."]
    return Answer(reply, lines)


def payees(items: Sequence[Mapping[str, Any]], only: str | None, locale: str) -> Answer:
    """`items`: each payee's name, bank and masked number; `only`: the one asked about."""
    if not items:
        return Answer(Reply("no_payees"), [])
    spoken = [Spoken(f"{called(i['name'], locale)} ({bank_name(i['bank'], locale)} {i['number_masked']})",
                     f"{escape(called(i['name'], locale))} ({escape(bank_name(i['bank'], locale))} "
                     f"{masked(i['number_masked'][-4:], locale).ssml})")
              for i in items]
    lines = [_closed(f"{i['name']}: {bank_name(i['bank'], locale)} {i['number_masked']}") for i in items]
    return Answer(Reply("payee_account" if only else "payees", {"items": join(spoken, locale)}), lines)


def _transaction(t: Transaction, name: str, locale: str) -> Spoken:
    amount = won(abs(t.amount), locale)
    day = when(t.at, locale)
    if locale == "ko-KR":
        kind = "입금" if t.amount > 0 else "출금"
        return Spoken(f"{day} {name} {amount.text} {kind}", f"{day} {escape(name)} {amount.ssml} {kind}")
    kind = "from" if t.amount > 0 else "to"
    verb = "received" if t.amount > 0 else "sent"
    return Spoken(f"{day}: {verb} {amount.text} {kind} {name}", f"{day}: {verb} {amount.ssml} {kind} {escape(name)}")


def accounts(items: Sequence[Mapping[str, Any]], locale: str) -> Answer:
    """`items`: each account's bank, name, number_masked and whether it is the primary one."""
    primary = "주 계좌" if locale == "ko-KR" else "primary"
    spoken = [Spoken(f"{bank_name(i['bank'], locale)} {i['name']}" + (f" ({primary})" if i["primary"] else ""),
                     escape(f"{bank_name(i['bank'], locale)} {i['name']}"))
              for i in items]
    lines = [f"{bank_name(i['bank'], locale)} {i['name']} {i['number_masked']}" + (f" · {primary}" if i["primary"] else "")
             for i in items]
    return Answer(Reply("accounts", {"items": join(spoken, locale)}), lines)
