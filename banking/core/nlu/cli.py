"""`flask nlu parse`: the module from the command line, no app context or database needed.

The lead registers it with `app.cli.add_command(nlu)`; it is a plain click group so it also
works without Flask.
"""
from __future__ import annotations

import json
from typing import Iterable, TextIO

import click

from . import parse

nlu = click.Group("nlu", help="Language understanding tools.")


def _lines(chunks: Iterable[str]) -> Iterable[str]:
    for chunk in chunks:
        for line in chunk.splitlines():
            if line.strip():
                yield line.strip()


@nlu.command("parse")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.File("r", encoding="utf-8"), default=None,
              help="Read utterances from PATH, one per line ('-' for standard input).")
@click.option("--locale", type=click.Choice(["ko-KR", "en-US"]), default=None,
              help="Force the locale instead of detecting it.")
def parse_command(text: str | None, file: TextIO | None, locale: str | None) -> None:
    """Print one JSON object per input line: {"text", "intent", "slots"}."""
    if text is None and file is None:
        raise click.UsageError("give TEXT or --file PATH")
    sources: list[Iterable[str]] = []
    if text is not None:
        sources.append([text])
    if file is not None:
        sources.append(file)
    for src in sources:
        for line in _lines(src):
            click.echo(json.dumps(parse(line, locale).to_dict(), ensure_ascii=False))
