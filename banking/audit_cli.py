"""`flask audit ...` and `flask auditors ...` (placeholder until the audit trail lands)."""
from __future__ import annotations

import click

audit = click.Group("audit", help="Verify, export and checkpoint the audit trail.")
auditors = click.Group("auditors", help="Manage auditor accounts and tokens.")
