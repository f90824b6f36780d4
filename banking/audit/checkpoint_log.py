"""Checkpoints written outside the database as they are made: an append-only JSON Lines file
(`COUCHBANK_AUDIT_CHECKPOINT_LOG`) that an operator ships elsewhere, so that someone who can
rewrite the database (and its checkpoint table) cannot also take back what was signed.

Each line is one checkpoint in the shape `GET /v1/audit/checkpoints` lists. The file is only
ever opened with O_APPEND (one `write` per line, so the lines of several processes on one
host never interleave) and fsynced before the checkpoint's transaction commits; it is never
truncated or rewritten.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping


class CheckpointLogUnavailable(Exception):
    """The checkpoint could not be made durable in the log file; it is not written at all."""


def append(path: Path, checkpoint: Mapping[str, Any]) -> None:
    line = (json.dumps(dict(checkpoint), sort_keys=True, separators=(",", ":")) + "\n").encode()
    try:
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        try:
            if os.write(fd, line) != len(line):
                raise OSError("short write")
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new file's name must survive a crash too
            directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    except OSError as exc:
        # the reason only (errno name): the path may be an operator's private detail
        raise CheckpointLogUnavailable(f"the checkpoint log could not be appended to ({type(exc).__name__})") from exc
