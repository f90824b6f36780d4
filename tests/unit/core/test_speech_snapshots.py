"""Every reply as a person hears it, in one file a Korean (and an English) speaker can review:
`tests/unit/core/speech_snapshots.txt`. A wording change shows up there as a diff; write the
new wording with `UPDATE_SNAPSHOTS=1 pytest tests/unit/core/test_speech_snapshots.py`."""
from __future__ import annotations

import datetime as dt
import os
import re
import string
from pathlib import Path
from typing import Any

from adapters.base import Transaction
from banking.core import speech
from banking.core.dialog import Reply

SNAPSHOTS = Path(__file__).with_name("speech_snapshots.txt")
AT = dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)

#: a sample for each placeholder a template may name
SAMPLES: dict[str, Any] = {
    "amount": 50_000, "limit": 1_000_000, "left": 250_000, "balance": 1_250_000, "spent": 1_250_000,
    "received": 3_000_000, "bank": "kbank", "source_bank": "kbank", "payee_bank": "woori", "spoken": "움마",
    "currency": "USD", "holder": "박*영", "reason": "insufficient_funds", "count": 4, "month": 3, "at": AT,
    "items": speech.Spoken("케이뱅크 125만 원, 우리은행 3천원", "케이뱅크 125만 원, 우리은행 3천원"),
}


def _params(template: str, payee: str) -> dict[str, Any]:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    params: dict[str, Any] = {}
    for name in names - {"installed_banks"}:
        if name == "masked":
            params["last4"] = "4321"
        elif name == "payee":
            params[name] = payee
        else:
            params[name] = SAMPLES.get(name, f"<{name}>")
    return params


def _render_all() -> str:
    out: list[str] = []
    for locale in ("ko-KR", "en-US"):
        out.append(f"### {locale}")
        payees = ("엄마", "김철수") if locale == "ko-KR" else ("Mom",)
        for key in sorted(speech.TEMPLATES[locale]):
            template = speech.TEMPLATES[locale][key]
            for payee in payees if "{payee}" in template else payees[:1]:
                said = speech.sentence(Reply(key, _params(template, payee)), locale).text
                out.append(f"{key}: {said}")
        page = [speech.Listed(Transaction("kbank", AT, amount, who, 0), name)
                for amount, who, name in ((-50_000, "박미영", "엄마"), (1_250_000, "(주)회사", "(주)회사"),
                                          (-3_000, "김영수", "아빠"))]
        told = speech.transactions(page, 4, False, None, locale)
        rendered = speech.render(locale, "transactions", [told.reply, *told.more], told.card_lines)
        out.append(f"[transactions] {rendered.speech}")
        out += [f"[transactions card] {line}" for line in rendered.card["lines"]]
        summary = speech.month_summary(1_250_000, 3_000_000, 3, locale)
        out.append(f"[summary] {speech.render(locale, 'transactions', [summary.reply]).speech}")
        out += [f"[summary card] {line}" for line in summary.card_lines]
        listed = speech.payees([{"name": "엄마" if locale == "ko-KR" else "Mom", "bank": "woori",
                                 "number_masked": "***-***-4321"},
                                {"name": "김철수", "bank": "kbank", "number_masked": "***-***-0111"}], None, locale)
        out.append(f"[payees] {speech.render(locale, 'payees', [listed.reply]).speech}")
        out += [f"[payees card] {line}" for line in listed.card_lines]
        slow = speech.render(locale, "help", [Reply("help")], slow=True).ssml
        out.append(f"[slow ssml] {slow[:60]}…")
    return "\n".join(out) + "\n"


def test_the_speech_reads_as_reviewed():
    rendered = _render_all()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOTS.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOTS.read_text(encoding="utf-8")


def test_one_korean_register_the_haeyo_style():
    # 해요체 everywhere: no 합쇼체 ending (`-습니다`, `-입니다`, `-ㅂ니다`) in any Korean reply
    formal = re.compile(r"(?:습니다|입니다|합니다|됩니다|봅니다|냅니다|습니까)(?=[.?!]|$)")
    for key, template in speech.TEMPLATES["ko-KR"].items():
        assert not formal.search(template), (key, template)


def test_kinship_words_take_no_honorific_suffix_and_names_do():
    assert speech.called("엄마", "ko-KR") == "엄마" and speech.called("할머니", "ko-KR") == "할머니"
    assert speech.called("김철수", "ko-KR") == "김철수 님" and speech.called("Mom", "en-US") == "Mom"
    for locale in ("ko-KR",):
        for key, template in speech.TEMPLATES[locale].items():
            assert "{payee}님" not in template, key
    said = speech.sentence(Reply("transfer_completed", {"payee": "엄마", "amount": 50_000}), "ko-KR").text
    assert said == "엄마에게 5만 원을 보냈어요."


def test_card_lines_close_like_sentences():
    rendered = speech.render("ko-KR", "balance", [Reply("balance_one", {"bank": "kbank", "balance": 5})],
                             ["케이뱅크 ***-***-6789: 5원"])
    assert rendered.card["lines"] == ["케이뱅크 ***-***-6789: 5원."]
