"""A command driven through a pseudo-terminal, as a person at a terminal would drive it
(the standard library's `pty`; the command sees a TTY on stdin, stdout and stderr)."""
from __future__ import annotations

import os
import re
import select
import subprocess
import time
from pathlib import Path


class Terminal:
    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        os.set_blocking(self.master, False)
        self.process = subprocess.Popen(argv, cwd=cwd, env={"TERM": "xterm", "COLUMNS": "100", **env},
                                        stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        self.output = ""

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.output += os.read(self.master, 65536).decode("utf-8", "replace")
            except OSError:  # the command ended and the terminal closed
                time.sleep(timeout)

    def expect(self, pattern: str, timeout: float = 30.0) -> str:
        """Wait until the output from the last `expect` on matches `pattern`; the text read so far."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output):
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not seen; the terminal shows:\n{self.output}")
            self._read(0.1)
        return self.output

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\r").encode())

    def wait(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        self._read(0.1)
        return self.process.wait(max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        os.close(self.master)
