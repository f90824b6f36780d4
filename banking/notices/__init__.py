"""Notices (CONTRACT §8): what happened while nobody was in a conversation to hear it (a
pending transfer settled, a held transfer went out or was cancelled, a lockout), kept per
user for 7 days and fetched by the user's devices with `GET /v1/notices` (long polling).

Every notice is made by `publish`, in the transaction of the change it tells of: the one
place a channel that pushes notices (Alexa's Proactive Events) would subscribe."""
from __future__ import annotations

from banking.notices.publish import KINDS, publish

__all__ = ["KINDS", "publish"]
