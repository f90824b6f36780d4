"""`python app.py` honours COUCHBANK_BACKGROUND=0 as gunicorn does: no in-process workers."""
from __future__ import annotations

import signal
from pathlib import Path

import pytest

import app as main_job
from banking.platform.services import Services


@pytest.mark.parametrize("flag, runs", [("0", False), ("1", True)])
def test_python_app_py_starts_the_workers_only_when_the_flag_allows(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path, flag: str, runs: bool) -> None:
    monkeypatch.setenv("COUCHBANK_BACKGROUND", flag)
    monkeypatch.delenv("DATABASE_URL", raising=False)  # SQLite under tmp_path, whatever the run
    for name in ("COUCHBANK_DATA_DIR", "COUCHBANK_PORT"):
        monkeypatch.setenv(name, "")  # main() sets them; the test puts them back
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # the test runner keeps its SIGTERM
    started: list[Services] = []
    monkeypatch.setattr(Services, "start_background", lambda services: started.append(services))

    def no_server(*args: object) -> None:
        raise KeyboardInterrupt  # main() stops here, right after it decided about the workers

    monkeypatch.setattr(main_job, "make_wsgi_server", no_server)
    assert main_job.main(["--no-sandboxes", "--data-dir", str(tmp_path / "var")]) == 0
    assert bool(started) is runs
