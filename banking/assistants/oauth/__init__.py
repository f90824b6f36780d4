"""Account linking (CONTRACT §7.1): an OAuth 2.0 authorisation server (RFC 6749 §4.1, with
refresh tokens) built on Authlib, over couchbank's own tables."""
