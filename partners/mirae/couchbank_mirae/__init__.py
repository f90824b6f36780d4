"""Mirae Asset securities CMA for couchbank: its adapter (`couchbank_mirae.adapter`), its
sandbox dialect (`couchbank_mirae.sandbox`) and the accounts its conformance run uses
(`couchbank_mirae.conformance`). Installed, it is a partner everywhere in couchbank;
uninstalled, it is nowhere (CONTRACT §10)."""
