"""A notice as a device receives it."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Mapping

from banking.core.formats import aware


@dataclass(frozen=True)
class Notice:
    id: int
    at: dt.datetime
    kind: str
    speech: str
    #: a TV card, `{"title", "lines"}`
    card: dict[str, Any]
    transfer_id: str | None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> "Notice":
        return cls(int(row["id"]), aware(row["at"]), row["kind"], row["speech"], json.loads(row["card"]),
                   row["transfer_id"])

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "kind": self.kind, "speech": self.speech,
                "card": self.card, "transfer_id": self.transfer_id}
