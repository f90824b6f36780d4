"""The partner conformance kit: contract tests every couchbank partner adapter passes.

Inherit `AdapterContract` in a test class that supplies its fixtures, or run the kit
as is against an installed adapter and its sandbox:

    pytest -p adapters.conformance.plugin --pyargs adapters.conformance \\
        --adapter NAME --base-url URL --data-dir DIR
"""
from adapters.conformance.contract import DEMO_ACCOUNTS, AdapterContract, ContractAccounts

__all__ = ["AdapterContract", "ContractAccounts", "DEMO_ACCOUNTS"]
