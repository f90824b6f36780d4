from tests import leak_scan


def test_the_scanner_finds_each_kind_of_secret():
    samples = {
        "demo PIN": '{"utterance": "my pin is 4826"}',
        "demo TOTP seed": "secret=JBSWY3DPEHPK3PXP",
        "demo device secret": "demo-tv-secret",
        "demo auditor token": "Bearer demo-auditor-token",
        "full account number": "to 1002987654321",
    }
    for name, text in samples.items():
        assert leak_scan._PATTERNS[name].search(text), name


def test_masked_numbers_and_ids_are_not_leaks():
    clean = '{"number_masked": "***-***-6789", "request_id": "a4826b", "amount": 48260, "seq": 14826}'
    assert not any(p.search(clean) for p in leak_scan._PATTERNS.values())


def test_a_spoken_pin_is_a_leak_in_every_form():
    for text in ["사팔이육", "사 팔 이 육", "four eight two six", "Four-Eight-Two-Six", "4 팔 2 six", "비번사팔이육이요",
                 "넷 여덟 둘 여섯", "4, 8, 2, 6"]:
        assert leak_scan._PATTERNS["demo PIN, spoken"].search(f'{{"utterance": "잔액 {text}"}}'), text


def test_numbers_that_only_contain_the_pins_digits_are_not_leaks():
    for text in ["48,260원", "1,482,600", "사과 팔아요", "four eight two", "fourteen eight two six", "a48b26"]:
        assert not leak_scan._PATTERNS["demo PIN, spoken"].search(text), text


def test_a_logged_measurement_is_not_a_spoken_pin_but_a_pin_in_a_log_line_is(monkeypatch):
    buffer = leak_scan.io.StringIO()
    monkeypatch.setattr(leak_scan, "_log_buffer", buffer)
    monkeypatch.setattr(leak_scan, "_texts", [])
    buffer.write('{"method": "POST", "status": 200, "duration_ms": 482.6, "event": "access"}\n')
    assert leak_scan.find_leaks() == []
    buffer.write('{"event": "oops", "said": "4.8.2.6"}\n')
    assert [leak for leak in leak_scan.find_leaks() if leak.startswith("demo PIN, spoken in logs")]
