"""What couchbank's conformance kit needs to know of Mirae's sandbox (imported by tests only)."""
from adapters.conformance.contract import ContractAccounts

#: the demo CMA, a payee at Mirae with its holder's name, and an account that does not exist
CONTRACT_ACCOUNTS = ContractAccounts(
    holder="demo", account="5012-3456-78", payee_bank="mirae", payee_account="5098-7654-32", payee_name="이수진",
    unknown_account="5099-9999-00", payee_holder="이수진",
)
