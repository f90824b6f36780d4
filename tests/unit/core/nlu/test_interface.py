"""The interface others code against, the corpus thresholds, the CLI and speed."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from banking.core.nlu import INTENTS, Parse, Slots, parse
from banking.core.nlu.cli import nlu
from banking.core.nlu.intent import EN_TRANSFER_VERB, KO_MOVE_VERB, KO_SEND_MONEY_VERB, KO_SEND_VERB
from banking.core.nlu.normalize import normalize

CORPUS = Path(__file__).with_name("corpus.tsv")


def _corpus() -> list[tuple[str, str, int | None, str | None, str | None]]:
    rows = []
    for n, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines()):
        if n == 0 or not line.strip() or line.startswith("#"):
            continue
        text, intent, amount, payee, bank = (line.split("\t") + [""] * 5)[:5]
        rows.append((text, intent, int(amount) if amount else None, payee or None, bank or None))
    return rows


def test_corpus_size_and_labels() -> None:
    rows = _corpus()
    assert len(rows) >= 350
    assert all(r[1] in INTENTS for r in rows)
    assert sum(1 for r in rows if any("\uac00" <= c <= "\ud7a3" for c in r[0])) >= 175


def test_corpus_thresholds() -> None:
    rows = _corpus()
    intent_ok = full_ok = 0
    misses = []
    for text, intent, amount, payee, bank in rows:
        p = parse(text)
        i = p.intent == intent
        f = i and (p.slots.amount, p.slots.payee, p.slots.bank) == (amount, payee, bank)
        intent_ok += i
        full_ok += f
        if not f:
            misses.append((text, p.to_dict()))
    assert intent_ok / len(rows) >= 0.98, misses
    assert full_ok / len(rows) >= 0.95, misses


def test_parse_shape() -> None:
    p = parse("엄마한테 5만원 보내줘")
    assert isinstance(p, Parse) and isinstance(p.slots, Slots)
    assert p.to_dict() == {"text": "엄마한테 5만원 보내줘", "intent": "transfer",
                           "slots": {"amount": 50000, "payee": "엄마", "bank": None}}
    assert p.locale == "ko-KR" and p.currency is None and p.yes_no is None and p.digits is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.intent = "balance"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.slots.amount = 1  # type: ignore[misc]


def test_text_is_kept_as_given() -> None:
    raw = "  엄마한테   5만원 보내줘?  "
    assert parse(raw).text == raw


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_safe(text: str) -> None:
    p = parse(text)
    assert p.intent in INTENTS
    json.dumps(p.to_dict(), ensure_ascii=False)
    # noise is never a transfer; hypothesis does find real send verbs (`TRANSER`, an ASR
    # misspelling the grammar accepts), which are not noise; `PAY_B` is `PAY B` once normalised
    text = normalize(text).text
    if not (EN_TRANSFER_VERB.search(text) or KO_SEND_MONEY_VERB.search(text) or KO_SEND_VERB.search(text)
            or KO_MOVE_VERB.search(text)):
        assert p.intent != "transfer", text


# Words a recogniser might produce around banking, without any verb that sends money.
_VOCAB = ["엄마", "엄마한테", "철수에게", "아빠 계좌로", "5만원", "삼만 원", "오만원은", "돈", "잔액", "얼마야", "우리은행",
          "케이뱅크에서", "계좌", "통장에", "있어?", "알려줘", "보여줘", "해줘", "좀", "빨리", "오늘", "네", "아니", "취소",
          "mom", "to", "my", "dad", "50,000 won", "fifty thousand won", "money", "the", "balance", "please", "account",
          "from", "woori", "kbank", "can", "you", "what", "is", "show", "me", "now", "₩20,000", "100달러", "please do",
          "문자", "사진", "메일", "내역", "이체 한도", "수수료", "?", "!", "그리고", "and", "check", "tell"]
_TERSE = {"엄마", "엄마한테", "철수에게", "아빠 계좌로", "5만원", "삼만 원", "오만원은", "좀", "mom", "to", "my", "dad",
          "50,000 won", "fifty thousand won", "₩20,000", "please", "우리은행", "케이뱅크에서", "!", "통장에", "woori",
          "kbank", "from"}
_SEND_WORDS = ("보내", "보낼", "송금", "이체", "입금", "부쳐", "부치", "쏴", "넣어", "옮겨", "줘", "주세요", "드려",
               "send", "transfer", "wire", "pay", "give", "move", "put", "deposit", "add", "take", "xfer")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=8))
def test_no_transfer_without_a_send_verb(words: list[str]) -> None:
    text = " ".join(words)
    if all(w in _TERSE for w in words) and "?" not in words:
        return      # a name and an amount alone is a terse command (tests/unit/core/nlu/test_phenomena.py)
    if not any(w in text.lower() for w in _SEND_WORDS):
        assert parse(text).intent != "transfer", text


def test_cli_parse_text_lines_and_file(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(nlu, ["parse", "엄마한테 5만원 보내줘\n\nwhat's my balance"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert [x["intent"] for x in lines] == ["transfer", "balance"]
    assert lines[0] == {"text": "엄마한테 5만원 보내줘", "intent": "transfer",
                        "slots": {"amount": 50000, "payee": "엄마", "bank": None}}
    f = tmp_path / "in.txt"
    f.write_text("잔액 알려줘\n\n사팔이육\n", encoding="utf-8")
    res = runner.invoke(nlu, ["parse", "--file", str(f)])
    assert [json.loads(x)["intent"] for x in res.output.splitlines()] == ["balance", "unknown"]
    res = runner.invoke(nlu, ["parse", "--file", "-"], input="취소\nhelp\n")
    assert [json.loads(x)["intent"] for x in res.output.splitlines()] == ["cancel", "help"]
    assert "엄마" in runner.invoke(nlu, ["parse", "엄마"]).output  # ensure_ascii=False
    assert runner.invoke(nlu, ["parse"]).exit_code != 0
