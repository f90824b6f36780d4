"""The data directory (SQLite database, keys, partner credentials, sandbox ledgers) is the
service user's alone: directories 0700, files 0600."""
from __future__ import annotations

import os
import stat
from pathlib import Path

#: no group or other access to anything the process creates
PRIVATE_UMASK = 0o077


def make_private(data_dir: Path) -> None:
    """Set the process's umask, so that whatever it creates from now on is private (SQLite
    makes its -wal, -shm and journal files long after start, with the umask), and take group
    and other access from an existing data directory and everything in it (one left by an
    older version, or copied in). Symbolic links and other users' files are left alone."""
    os.umask(PRIVATE_UMASK)
    if not data_dir.is_dir():
        return  # made later, already private; commands that need no data never make one
    for root, _dirs, files in os.walk(data_dir):  # each directory comes once, as a root
        for path in (Path(root), *(Path(root) / name for name in files)):
            try:
                st = path.lstat()
                if not stat.S_ISLNK(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077:
                    path.chmod(stat.S_IMODE(st.st_mode) & 0o700)
            except FileNotFoundError:
                continue  # removed meanwhile (another process's SQLite -wal)
