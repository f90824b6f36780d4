"""The partner banks couchbank knows: the catalogue the installed adapters declare
(CONTRACT §10), as speech, language understanding, schemas and enrolment see it.

The catalogue is installed once when a process starts (`banking.bootstrap.install_banks`)
and read through `installed()`. It is a process-wide fact, like the installed packages it
comes from, and passing it down would thread it through every `parse(text, locale)` and
every sentence for nothing: reading the installed one costs a global lookup.
"""
from __future__ import annotations

from typing import Iterable, Protocol


class BankEntry(Protocol):
    """What the core reads of an adapter's `adapters.base.BankInfo`."""

    @property
    def code(self) -> str: ...
    @property
    def name_ko(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def spoken(self) -> tuple[str, ...]: ...


class Catalogue:
    """The installed banks in a stable order, by code."""

    def __init__(self, banks: Iterable[BankEntry]) -> None:
        self.banks: tuple[BankEntry, ...] = tuple(banks)
        self._by_code = {bank.code: bank for bank in self.banks}
        self.codes: tuple[str, ...] = tuple(self._by_code)
        #: (what people say, code), longest first so that a name wins over its prefix
        #: (`우리은행` over `우리은`) whichever bank declares it
        self.spoken: tuple[tuple[str, str], ...] = tuple(sorted(
            ((said, bank.code) for bank in self.banks for said in bank.spoken),
            key=lambda pair: -len(pair[0])))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"Catalogue({', '.join(self.codes)})"

    def name(self, code: str, locale: str) -> str:
        """The bank's name in the conversation's language; an unknown code as it is."""
        bank = self._by_code.get(code)
        if bank is None:
            return code
        return bank.name_ko if locale == "ko-KR" else bank.name_en

    def names(self, locale: str) -> list[str]:
        return [self.name(code, locale) for code in self.codes]


_installed: Catalogue | None = None


def install(catalogue: Catalogue) -> Catalogue:
    global _installed
    _installed = catalogue
    return catalogue


def installed() -> Catalogue:
    if _installed is None:
        raise LookupError("no bank catalogue installed: banking.bootstrap.install_banks() does it at start")
    return _installed
