"""The `ivig` command line: one sub-command group per concept, kept thin."""

import typer

app = typer.Typer(
    name="ivig",
    help="Plans and drives courses of high-dose IVIg after the EDF/EADV guideline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each concept registers its own commands; keep one line per module here.
