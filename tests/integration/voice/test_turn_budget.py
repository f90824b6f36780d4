"""A speaker gives up after about 8 seconds: a voice turn answers within that budget whatever
a partner does (CONTRACT §5)."""
import time

from adapters import registry
from adapters.sandbox.testing import set_fault
from banking.platform.partners import Partners


def test_a_hanging_bank_does_not_hang_the_turn(live_app_factory, sandbox_faults_cleared, sandbox_data_dir,
                                               http_device):
    partners = Partners({bank: registry.create(bank, base_url=sandbox_faults_cleared[bank], timeout_s=5.0,
                                               data_dir=sandbox_data_dir) for bank in sandbox_faults_cleared})
    app, url = live_app_factory(partners)
    device = http_device(url)
    device.turn("잔액 알려줘")
    assert device.turn("4826")["status"] == "completed"
    set_fault(sandbox_faults_cleared.kbank, op="balance", mode="latency", count=3, delay_ms=12_000)
    started = time.monotonic()
    reply = device.turn("잔액 알려줘")
    assert time.monotonic() - started < 8
    assert reply["status"] == "failed" and "케이뱅크" in reply["speech"]
    assert reply["data"] is None
