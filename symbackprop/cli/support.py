"""Shared pieces of the click commands: error conversion, output writing, formats.

Commands parse their arguments, call one library function and print. Any
:class:`~symbackprop.errors.SymbackpropError` becomes one line on stderr and exit status 2;
a failed check exits with status 1.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import SymbackpropError
from ..files import write_output_file

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2

OUTPUT_PARAMS = ("output",)  # path parameters that name what a command writes

PROGRESS_THRESHOLD = 200  # show progress bars above this many parameters


class CheckFailed(click.ClickException):
    """A check ran and found a problem (exit status 1); the report is already printed."""

    exit_code = EXIT_CHECK_FAILED

    def show(self, file: Any = None) -> None:
        if self.message:
            click.echo(self.message, err=True)


class InputError(click.ClickException):
    """Bad input: one located line on stderr, exit status 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        from ..render.escape import terminal_safe
        from ..spec.confusables import visible

        # what shows nothing (a right-to-left override, a zero-width space) is written out
        line = visible(terminal_safe(self.message.replace("\r", " ").replace("\n", " ")))
        click.echo(f"error: {line}", err=True)


_PROCESS = {"ends_with_command": False}  # see ends_with_command


def ends_with_command() -> None:
    """Say that this process ends when its command does (the ``symbackprop`` command, not a
    caller of :data:`~symbackprop.cli.app.main` in a longer-lived process): what a command
    made with the collector paused is then left out of every later collection."""
    _PROCESS["ends_with_command"] = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a network is built and printed.

    A large network is hundreds of thousands of objects that live until the command ends
    (names, symbols, rows) and hold no cycles to free; the collector would scan them again
    and again while they are made, about a third of the time it takes to derive and print
    784-100-100-10, and free nothing. It runs as usual before and after. Also a decorator:
    a command that builds and prints (``derive``) runs, imports included, without it.

    In a process that ends with its command (:func:`ends_with_command`) those objects are
    frozen (``gc.freeze``) as the collector resumes: they stay until the process ends, and
    the full collections that resuming and Python's exit start would scan every one of
    them (about 0.15 s of 0.9 s for 784-30-10) to free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if _PROCESS["ends_with_command"]:
                gc.freeze()
            gc.enable()


def reports_errors(func: F) -> F:
    """Turn library errors (and interrupted pipes) into clean messages and exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SymbackpropError as exc:
            raise InputError(exc.located()) from None
        except RecursionError:
            raise InputError("input nested too deeply to process") from None
        except MemoryError:
            raise InputError("input too large to process") from None

    return wrapper  # type: ignore[return-value]


def input_paths() -> list[str]:
    """The files the running command reads: the values of its path arguments and options
    other than its outputs (an output must never overwrite one of them)."""
    ctx = click.get_current_context(silent=True)
    found: list[str] = []
    while ctx is not None:
        for param in ctx.command.params:
            if not isinstance(param.type, click.Path) or param.name in OUTPUT_PARAMS:
                continue
            value = ctx.params.get(param.name or "")
            values = value if isinstance(value, (tuple, list)) else (value,)
            found += [str(v) for v in values if v not in (None, "", "-")]
        ctx = ctx.parent
    return found


def write_output(text: str, output: str | None) -> None:
    """Print ``text``, or write it to ``output`` whole or not at all.

    ``-`` is stdout. A file is replaced atomically and keeps its permissions; a device or
    FIFO is written through; the command's own input files are never overwritten (see
    :mod:`symbackprop.files`). Control characters (terminal escape sequences) become ``?``.
    """
    from ..render.escape import terminal_safe

    text = terminal_safe(text)
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_output_file(Path(output), text.encode("utf-8"), inputs=input_paths())


def format_option(choices: tuple[str, ...], default: str = "text") -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Any]:
    """A progress bar on stderr for long work; a no-op for small jobs."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        yield lambda *_: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda *_: bar.update(1)


def say_why_no_numbers(net: Any, values: Any) -> None:
    """On stderr, why a derivation asked to show numbers shows none although values were
    given: the value that is missing (as ``eval`` names it), or more than one example."""
    if net.spec.loss.kind == "unspecified" or not (values.params or values.examples):
        return
    if len(values.examples) == 1 and set(values.params) >= {p.name for p in net.params} \
            and set(values.examples[0].inputs) >= {i.name for i in net.spec.inputs} \
            and set(values.examples[0].targets) >= {u.name for u in net.outputs}:
        return  # every value is there (checked without importing NumPy)
    from ..errors import ValuesError
    from ..numeric.evaluation import check_values_complete

    try:
        check_values_complete(net, values)
    except ValuesError as exc:
        click.echo(f"note: no numbers shown: {exc.located()}", err=True)
        return
    if len(values.examples) > 1:
        click.echo(f"note: no numbers shown: the values hold {len(values.examples)} examples "
                   "and a derivation works one (pick one with --at)", err=True)


level_option = click.option(
    "--level", type=click.Choice(["unit", "op"]), default="unit", show_default=True,
    help="unit: one node per net input and activation; op: one node per operation "
         "(+, ×, power, function), lettered, with the backward pass step by step.")
