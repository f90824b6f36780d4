"""Partner sandboxes: HTTP servers that play the partner banks for local runs and tests, one
per installed dialect (`couchbank.sandboxes` entry points): K-Bank (KFTC open banking),
Woori Bank (Woori open API) and a partner package's own, such as `mirae`.

`python -m adapters.sandbox BANK --port P --data-dir DIR`; see `app.create_app` to embed
one, and `testing` to run them all as subprocesses from tests.
"""
