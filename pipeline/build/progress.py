"""What a build shows while it runs and when it ends: a progress bar (rich) on a terminal, one line per job
otherwise, and the summary table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from ..diagnostics import printable
from .plan import Outcome

#: Rows of the summary table beyond which only the failed and warned jobs are listed.
SUMMARY_ROWS = 100


class Progress:
    """Counts, failures and an ETA through ``rich`` on a terminal; one plain line per job otherwise."""

    def __init__(self, total: int, done: int, stream: TextIO, *, verbose: bool = False, quiet: bool = False) -> None:
        self.total = total
        self.done = done
        self.failed = 0
        self.stream = stream
        self.verbose = verbose
        self.quiet = quiet
        self.tty = stream.isatty() and not quiet
        self._bar: Any = None
        self._task: Any = None
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            console = Console(file=stream, force_terminal=True, highlight=False)
            self._bar = RichProgress(TextColumn("{task.description:<32.32}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                                     TextColumn("ETA"), TimeRemainingColumn(), console=console)
            self._bar.start()
            self._task = self._bar.add_task("building", total=total, completed=done, failed=0)
        elif done and not quiet:
            self._line(f"[{done}/{total}] up to date: {done} job(s)")

    def _line(self, text: str) -> None:
        text = printable(text)  # names from the file system or a project file may hold escapes
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def update(self, outcome: Outcome) -> None:
        """One job finished."""
        self.done += 1
        self.failed += not outcome.ok
        if self.verbose:
            for line in outcome.log:
                self._line(f"  {outcome.label}: {line}")
        status = "ok" if outcome.ok else "FAILED"
        if self._bar is not None:
            if not outcome.ok:
                self._line(f"FAILED {outcome.label}: {outcome.error}")
            self._bar.update(self._task, advance=1, failed=self.failed, description=printable(outcome.label))
        elif not self.quiet:
            tail = f": {outcome.error}" if not outcome.ok else f" ({outcome.seconds:.1f} s)"
            self._line(f"[{self.done}/{self.total}] {status} {outcome.label}{tail}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description="done")
            self._bar.stop()
            self._bar = None


def summary(outcomes: Sequence[Outcome]) -> str:
    """The table printed at the end: document, edition, formats, time, warnings, and every failure's reason."""
    rows = [("document", "edition", "formats", "time", "warnings", "status")]
    shown = [o for o in outcomes if not o.ok or o.warnings] if len(outcomes) > SUMMARY_ROWS else list(outcomes)
    for o in shown[:SUMMARY_ROWS]:
        status = "skipped (up to date)" if o.skipped else ("ok" if o.ok else "FAILED")
        document = o.label.split("/", 1)[1] if "/" in o.label and o.label.split("/", 1)[0] == o.edition else o.label
        rows.append((document, o.edition, ",".join(o.formats), f"{o.seconds:.1f} s", str(o.warnings), status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(shown) < len(outcomes):
        lines.append(f"({len(outcomes) - min(len(shown), SUMMARY_ROWS)} more rows: see manifest.json and the logs)")
    failures = [o for o in outcomes if not o.ok]
    built = sum(1 for o in outcomes if o.ok and not o.skipped)
    warned = sum(o.warnings for o in outcomes if not o.skipped)
    lines.append("")
    lines.append(f"{built} built, {sum(o.skipped for o in outcomes)} up to date, {len(failures)} failed")
    if warned:
        lines.append(f"{warned} warning(s): each job's NAME.log beside its outputs lists them (or run with -v)")
    for o in failures:
        lines.append(f"FAILED {o.label}: {o.error}")
    return "\n".join(printable(line) for line in lines)
