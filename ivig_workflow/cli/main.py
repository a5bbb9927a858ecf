"""The `ivig` command line: one sub-command group per concept, kept thin."""

import typer

app = typer.Typer(
    name="ivig",
    help="Plans and drives courses of high-dose IVIg after the EDF/EADV guideline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each concept registers its own commands; keep one line per module here.

from ivig_workflow.cli import eligibility as _eligibility  # noqa: E402

app.command("eligibility")(_eligibility.eligibility)

from ivig_workflow.cli import db as _db  # noqa: E402

app.add_typer(_db.app, name="db")

from ivig_workflow.cli import guideline as _guideline  # noqa: E402

app.add_typer(_guideline.app, name="guideline")

from ivig_workflow.cli import dose as _dose  # noqa: E402

app.command("dose")(_dose.dose)

from ivig_workflow.cli import course as _course  # noqa: E402
from ivig_workflow.cli import event as _event  # noqa: E402
from ivig_workflow.cli import tasks as _tasks  # noqa: E402
from ivig_workflow.cli import tick as _tick  # noqa: E402

app.add_typer(_course.app, name="course")
app.command("event")(_event.event)
app.command("tick")(_tick.tick)
app.command("tasks")(_tasks.tasks)

from ivig_workflow.cli import api as _api  # noqa: E402

app.command("api")(_api.api)

from ivig_workflow.cli import token as _token  # noqa: E402

app.add_typer(_token.app, name="token")

from ivig_workflow.cli import serve as _serve  # noqa: E402

app.command("serve")(_serve.serve)

from ivig_workflow.cli import demo as _demo  # noqa: E402

app.command("demo")(_demo.demo)

from ivig_workflow.cli import deploy as _deploy  # noqa: E402

app.command("deploy")(_deploy.deploy)

from ivig_workflow.cli import schedule as _schedule  # noqa: E402

app.add_typer(_schedule.app, name="schedule")
