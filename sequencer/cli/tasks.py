"""The ``tasks`` group: the LinkedIn and call steps a person does, listed, done or skipped."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.padding import Padding
from rich.text import Text

from sequencer.cli.common import engine, friendly, out
from sequencer.terminal import printable

tasks_app = typer.Typer(
    help="LinkedIn and call tasks for people to do.", invoke_without_command=True
)


@tasks_app.callback()
@friendly
def tasks_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every open task, not only today's.")] = False,
) -> None:
    """List the tasks due today, with the rendered message and the contact's LinkedIn URL."""
    if ctx.invoked_subcommand is not None:
        return
    with engine() as eng:
        found = eng.tasks(today=not all_)
    if not found:
        out.print("no open tasks due" + ("" if all_ else " today"))
        return
    for task, contact in found:
        name = printable(contact.full_name or contact.email)
        out.print(
            Text.assemble(
                (f"#{task.id} ", "bold"),
                (task.channel, "cyan"),
                f"  {name} <{printable(contact.email)}>  ",
                (printable(contact.linkedin_url or "(no LinkedIn URL)"), "blue"),
                f"  due {task.due_at:%Y-%m-%d %H:%M} UTC  [{task.sequence}/{task.step_key}]",
            )
        )
        out.print(Padding(Text(printable(task.message.strip())), (0, 0, 1, 4), expand=False))
    out.print(
        f"{len(found)} task(s). Mark one with `sequencer tasks "
        "done ID` or `sequencer tasks skip ID`."
    )


@tasks_app.command("done")
@friendly
def tasks_done(task_id: Annotated[int, typer.Argument(help="Task id.")]) -> None:
    """Mark a task done."""
    with engine() as eng:
        task = eng.close_task(task_id, done=True)
    out.print(f"task #{task.id}: {task.status}")


@tasks_app.command("skip")
@friendly
def tasks_skip(task_id: Annotated[int, typer.Argument(help="Task id.")]) -> None:
    """Skip a task."""
    with engine() as eng:
        task = eng.close_task(task_id, done=False)
    out.print(f"task #{task.id}: {task.status}")
