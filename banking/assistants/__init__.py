"""Assistant channels (CONTRACT §7): Amazon Alexa and SK telecom NUGU speak to the same
conversations as couchbank's own devices. Each platform is a channel (`channel.py`): it
proves its request came from the platform, maps the platform's intents and slots onto the
understanding the device channel's NLU produces, runs the same turn, and maps the reply back.
Account linking is an OAuth 2.0 authorisation server (`oauth/`)."""
