"""The Alexa channel (CONTRACT §7.2): a custom skill hosted as a web service.

Amazon's own `ask-sdk-webservice-support` was weighed and not used: its verifier fetches
certificates with `urlopen` (no size cap, and no timeout of its own), keeps no cache across
requests, validates chains with the unmaintained `certvalidator`, cannot take a trust bundle
or a certificate directory for tests and air-gapped sites, and pulls `ask-sdk-core`, `six`
and `freezegun` into the runtime. `verify.py` follows the same published rules with
`cryptography`'s own X.509 path validation. The envelope is read into the few fields couchbank
uses (`envelope.py`) rather than through `ask-sdk-model`'s thousands of generated classes,
whose deserialiser raises on any field it does not know of and would be one more thing to
keep in step with Amazon's releases."""
