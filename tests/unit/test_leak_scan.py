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
