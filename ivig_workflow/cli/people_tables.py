"""Tables for people: readable in an 80-column terminal, every column with `--wide`.

A nurse's terminal is often 80 columns wide. Rich shrinks a table that is too wide
by cutting headers and cells to `…`, which hides exactly what people came to read.
So each command names the columns people need by default, marks the rest as
`--wide` only, and lets long values fold onto more lines instead of being cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import typer
from rich.table import Table

WIDE_OPTION = typer.Option(
    False, "--wide", help="Show every column (the default fits an 80-column terminal)."
)


@dataclass(frozen=True)
class Column:
    header: str
    wide_only: bool = False
    # Identifiers people copy into the next command stay on one line.
    no_wrap: bool = False


def people_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    wide: bool,
    title: str | None = None,
    show_lines: bool = False,
) -> Table:
    """A table of the columns `wide` asks for; a caption names the ones left out."""
    shown = [i for i, column in enumerate(columns) if wide or not column.wide_only]
    hidden = [column.header for column in columns if column.wide_only and not wide]
    caption = f"--wide adds: {', '.join(hidden)}" if hidden else None
    table = Table(title=title, caption=caption, show_lines=show_lines)
    for i in shown:
        column = columns[i]
        # min_width keeps every header whole; fold breaks long values instead of cutting.
        # --wide is for wide terminals: there rich may shrink a header rather than crop.
        table.add_column(
            column.header,
            min_width=None if wide else len(column.header),
            no_wrap=column.no_wrap,
            overflow="ellipsis" if column.no_wrap else "fold",
        )
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    return table


def instant(text: str | None) -> str:
    """An ISO-8601 instant with a space for the `T`, so a narrow column wraps it whole."""
    return "" if text is None else text.replace("T", " ", 1)
