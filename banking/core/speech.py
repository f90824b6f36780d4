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

#: how many of the card's transactions are read aloud
SPOKEN_TRANSACTIONS = 3


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
        "cancelled": "취소했습니다. 아무것도 보내지 않았어요.",
        "help": "잔액 확인, 최근 거래 내역, 계좌 목록, 등록된 분께 송금을 도와드려요. "
                "예를 들어 '엄마한테 5만원 보내줘'나 '잔액 알려줘'라고 말씀해 보세요.",
        "not_understood": "죄송해요, 잘 이해하지 못했어요. '잔액 알려줘'나 '엄마한테 5만원 보내줘'처럼 말씀해 주세요.",
        "expired": "대화가 5분 넘게 멈춰 있어서 처음부터 다시 시작할게요.",
        "ask_pin_read": "본인 확인을 위해 음성 PIN 번호를 말씀해 주세요.",
        "wrong_code": "인증에 실패했습니다. 다시 말씀해 주세요.",
        "locked": "보안을 위해 PIN 입력이 잠겨 있습니다. 30분 후에 다시 시도해 주세요.",
        "ask_payee": "누구에게 보낼까요?",
        "ask_amount": "얼마를 보낼까요?",
        "ask_bank": "어느 은행 계좌에서 보낼까요? {installed_banks} 말씀해 주세요.",
        "confirm_payee": "{payee}님에게 보낼까요? 네 또는 아니요로 말씀해 주세요.",
        "unknown_payee": "'{spoken}'님은 등록된 받는 분이 아니에요. 받는 분은 먼저 앱에서 등록해 주세요.",
        "no_account_at": "{bank}에는 연결된 계좌가 없어요.",
        "krw_only": "죄송해요, 원화로만 보낼 수 있어요. 얼마를 원으로 보낼까요?",
        "over_per_transfer": "한 번에 보낼 수 있는 이체 한도는 {limit}이에요. 이 금액은 보낼 수 없습니다.",
        "over_daily": "하루 이체 한도 {limit}를 넘어요. 오늘은 {left}까지 더 보낼 수 있어요.",
        "otp_not_enrolled": "이 금액은 OTP 인증이 필요한데, 등록된 OTP가 없어서 보낼 수 없어요.",
        "read_back": "{source_bank} 계좌에서 {payee}님({payee_bank} {masked})에게 {amount}을 보낼까요? "
                     "맞으면 음성 PIN 번호를 말씀해 주세요.",
        "read_back_again": "이체 내용을 다시 확인할게요. 음성 PIN 번호를 말씀해 주세요.",
        "ask_otp": "30만 원 이상 이체는 추가 인증이 필요해요. OTP 앱의 여섯 자리 숫자를 말씀해 주세요.",
        "too_many_codes": "인증에 세 번 실패해서 이체를 진행하지 않았습니다.",
        "transfer_completed": "{payee}님에게 {amount}을 보냈습니다.",
        "transfer_pending": "처리 중입니다. 확인되면 알려 드릴게요.",
        "transfer_failed": "{payee}님에게 보내지 못했습니다. {reason}",
        "balance_one": "{bank} 잔액은 {balance}입니다.",
        "balance_many": "계좌 잔액은 {items}입니다.",
        "transactions": "최근 거래 {count}건 중 {spoken}건을 알려 드릴게요. {items}",
        "no_transactions": "최근 거래 내역이 없습니다.",
        "accounts": "연결된 계좌는 {items}입니다.",
        "partner_unavailable": "지금 {bank}에 연결할 수 없어요. 잠시 후 다시 시도해 주세요.",
        "busy": "이전 요청을 처리하고 있어요. 잠시 후 다시 말씀해 주세요.",
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
        "transactions": "You have {count} recent transactions. Here are the latest {spoken}: {items}",
        "no_transactions": "There are no recent transactions.",
        "accounts": "Your linked accounts: {items}.",
        "partner_unavailable": "I can't reach {bank} right now. Please try again shortly.",
        "busy": "I'm still working on your previous request. Please try again in a moment.",
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
    "ko-KR": {"balance": "잔액", "transfer": "송금", "transactions": "거래 내역", "accounts": "내 계좌",
              "help": "도움말", "cancel": "취소", "unknown": "카우치뱅킹"},
    "en-US": {"balance": "Balance", "transfer": "Transfer", "transactions": "Transactions",
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


def _values(params: dict[str, Any], locale: str) -> dict[str, Spoken]:
    out: dict[str, Spoken] = {}
    for name, value in params.items():
        if name in ("amount", "limit", "left", "balance"):
            out[name] = won(int(value), locale)
        elif name in ("bank", "source_bank", "payee_bank"):
            out[name] = _plain(bank_name(value, locale))
        elif name == "last4":
            out["masked"] = masked(value, locale)
        elif name == "reason":
            out[name] = _plain(FAILURE_REASONS[locale].get(value, FAILURE_REASONS[locale]["rejected"]))
        elif name == "currency":
            continue
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


def join(items: Sequence[Spoken], locale: str) -> Spoken:
    sep = ", "
    return Spoken(sep.join(i.text for i in items), sep.join(i.ssml for i in items))


def when(at: dt.datetime, locale: str) -> str:
    local = at.astimezone(KST)
    return f"{local.month}월 {local.day}일" if locale == "ko-KR" else local.strftime("%b %-d")


def render(locale: str, intent: str, replies: Sequence[Reply], card_lines: Sequence[str] = ()) -> Rendered:
    sentences = [sentence(r, locale) for r in replies]
    speech = " ".join(s.text for s in sentences)
    ssml = "<speak>" + " ".join(s.ssml for s in sentences) + "</speak>"
    lines = list(card_lines) or [s.text for s in sentences]
    return Rendered(speech, ssml, {"title": TITLES[locale].get(intent, TITLES[locale]["unknown"]), "lines": lines})




@dataclass(frozen=True)
class Answer:
    """What a read says: its reply and the lines of its TV card."""

    reply: Reply
    card_lines: list[str]


def balances(items: Sequence[Mapping[str, Any]], locale: str) -> Answer:
    """`items`: each account's bank, number_masked and balance."""
    lines = [f"{bank_name(i['bank'], locale)} {i['number_masked']}: {won(i['balance'], locale).text}"
             for i in items]
    if len(items) == 1:
        return Answer(Reply("balance_one", {"bank": items[0]["bank"], "balance": items[0]["balance"]}), lines)
    parts = [Spoken(f"{bank_name(i['bank'], locale)} {won(i['balance'], locale).text}",
                    f"{bank_name(i['bank'], locale)} {won(i['balance'], locale).ssml}")
             for i in items]
    return Answer(Reply("balance_many", {"items": join(parts, locale)}), lines)


def transactions(found: Sequence[Transaction], locale: str) -> Answer:
    """`found`: newest first, as many as the card shows; the first few are read aloud."""
    if not found:
        return Answer(Reply("no_transactions"), [])
    spoken = found[:SPOKEN_TRANSACTIONS]
    items = join([_transaction(t, locale) for t in spoken], locale)
    return Answer(Reply("transactions", {"count": len(found), "spoken": len(spoken), "items": items}),
                  [_transaction(t, locale).text for t in found])


def _transaction(t: Transaction, locale: str) -> Spoken:
    amount = won(abs(t.amount), locale)
    day = when(t.at, locale)
    if locale == "ko-KR":
        kind = "입금" if t.amount > 0 else "출금"
        return Spoken(f"{day} {t.counterparty} {amount.text} {kind}",
                      f"{day} {escape(t.counterparty)} {amount.ssml} {kind}")
    kind = "from" if t.amount > 0 else "to"
    verb = "received" if t.amount > 0 else "sent"
    return Spoken(f"{day}: {verb} {amount.text} {kind} {t.counterparty}",
                  f"{day}: {verb} {amount.ssml} {kind} {escape(t.counterparty)}")


def accounts(items: Sequence[Mapping[str, Any]], locale: str) -> Answer:
    """`items`: each account's bank, name, number_masked and whether it is the primary one."""
    primary = "주 계좌" if locale == "ko-KR" else "primary"
    spoken = [Spoken(f"{bank_name(i['bank'], locale)} {i['name']}" + (f" ({primary})" if i["primary"] else ""),
                     escape(f"{bank_name(i['bank'], locale)} {i['name']}"))
              for i in items]
    lines = [f"{bank_name(i['bank'], locale)} {i['name']} {i['number_masked']}" + (f" · {primary}" if i["primary"] else "")
             for i in items]
    return Answer(Reply("accounts", {"items": join(spoken, locale)}), lines)
