"""Partner sandboxes: HTTP servers that play K-Bank (KFTC open banking dialect) and
Woori Bank (Woori open API dialect) for local runs and tests.

`python -m adapters.sandbox kbank|woori --port P --data-dir DIR`; see `app.create_app`
to embed one, and `testing` to run both as subprocesses from tests.
"""
