"""The kit as a runnable suite; its fixtures come from `adapters.conformance.plugin`."""
from adapters.conformance.contract import AdapterContract


class TestPartnerAdapter(AdapterContract):
    pass
