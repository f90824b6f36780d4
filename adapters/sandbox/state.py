"""What one running sandbox knows about itself, reachable from any request thread."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import Response, current_app

from adapters.sandbox.banks import Bank
from adapters.sandbox.db import Database

if TYPE_CHECKING:
    from adapters.sandbox.interbank import Peer

EXTENSION = "couchbank_sandbox"


class DialectErrors(Protocol):
    """How a dialect words the answers that faults produce."""

    def server_error(self) -> Response: ...

    def throttled(self, retry_after_s: int) -> Response: ...

    def transfer_key(self) -> str | None:
        """The dedup key of the transfer request being served, if it is one."""
        ...


@dataclass
class Sandbox:
    bank: Bank
    db: Database
    credentials: dict[str, str]
    dialect: DialectErrors
    #: the other banks' sandboxes, by bank code, for interbank look-ups and delivery
    peers: "dict[str, Peer]"
    data_dir: Path
    stopping: threading.Event = field(default_factory=threading.Event)


def current() -> Sandbox:
    return current_app.extensions[EXTENSION]
