"""Exactly-once under saturation (CONTRACT, second revision, §5; issue 14 item 1): with slow
partner reads flooding every worker from many conversations, a transfer reported `failed` was
never posted and one reported `completed` was posted once at each bank. The real service over
HTTP, the real sandboxes, the reconciler running; the scenario is `tests.saturation`."""
import pytest

from tests import saturation
from tests.support import Device, http_transport


@pytest.fixture
def saturated(live_app_factory, sandbox_faults_cleared, sandbox_data_dir):
    def start(scale: saturation.Scale) -> saturation.Result:
        app, url = live_app_factory(scale.partners(sandbox_faults_cleared, sandbox_data_dir), **scale.settings())
        services = app.extensions["couchbank"]
        services.start_background()  # the reconciler, as `python app.py` runs it
        result = saturation.run(scale, services, sandbox_faults_cleared,
                                lambda device_id, secret: Device(http_transport(url), device_id, secret))
        print(result.summary())
        return result
    return start


def _assert_exactly_once(result: saturation.Result) -> None:
    assert result.sent and sum(result.turns.values()), result.summary()
    assert not [k for k in result.turns if k.startswith("5") and k != "503"], result.summary()
    assert max(s.seconds for s in result.sent) < 8, "a voice turn answers within 8 seconds (CONTRACT §5)"
    assert result.violations == [], result.summary() + "\n" + "\n".join(result.violations)
    assert result.pending == [], result.summary() + ": never settled"


def test_a_saturated_service_posts_exactly_what_it_reports(saturated):
    _assert_exactly_once(saturated(saturation.CI))


@pytest.mark.slow
def test_the_reported_saturation_posts_exactly_what_it_reports(saturated):
    _assert_exactly_once(saturated(saturation.REPORT))
