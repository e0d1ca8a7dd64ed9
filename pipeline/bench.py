"""``make bench``: docpipe against pandoc on the same work, scaling to 10x and 50x, and the cost of each stage.

Figures, not a test: prints a Markdown report and writes it to ``build/bench.md``. Every timing is the median
of fresh-process runs (``--runs``, default 5); peak memory is the child's own maximum RSS (``os.wait4``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "un-sg-report-2024.zh-Hant.txt"
FORMATS = ("epub", "docx", "pdf", "tei")
PANDOC_TARGET = {"epub": ("epub3", ".epub"), "docx": ("docx", ".docx"), "tei": ("tei", ".xml"),
                 "pdf": ("html5", ".pdf")}


def _run(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MiB) of one fresh process; raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[:500]}")
    if proc.stderr:
        proc.stderr.close()
    return elapsed, usage.ru_maxrss // 1024


def _median(cmd: Sequence[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, int]:
    results = [_run(cmd, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def _docpipe(src: Path, fmts: Sequence[str], out: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "convert", str(src), "--to", ",".join(fmts), "--out-dir", str(out),
            "-q"]


def _pandoc_path() -> str | None:
    try:
        import pypandoc
        path: str = pypandoc.get_pandoc_path()
        return path
    except (ImportError, OSError):
        return shutil.which("pandoc")


def _pandoc(pandoc: str, md: Path, fmt: str, out: Path) -> list[str]:
    target, suffix = PANDOC_TARGET[fmt]
    cmd = [pandoc, str(md), "-f", "markdown", "-s", "-o", str(out / f"pandoc-{fmt}{suffix}")]
    if fmt == "pdf":
        cmd = [pandoc, str(md), "-f", "markdown", "-s", "--pdf-engine=weasyprint", "-o", str(out / "pandoc.pdf")]
    elif target != fmt:
        cmd[cmd.index("-o"):cmd.index("-o")] = ["-t", target]
    return cmd


def synthetic(factor: int, dest: Path) -> Path:
    """A report ``factor`` times the sample: its chapters repeated, the paragraphs renumbered in sequence."""
    text = SAMPLE.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("第一章"))
    end = max(i for i, ln in enumerate(lines) if re.match(r"^\d+\. ", ln)) + 1
    head, body, tail = lines[:start], lines[start:end], lines[end:]
    numbered = re.compile(r"(?:(?<=^)|(?<=[。！？」] ))(\d{1,3})\. ")
    out = list(head)
    counter = 0

    def renumber(m: re.Match[str]) -> str:
        nonlocal counter
        counter += 1
        return f"{counter}. "

    for copy in range(factor):
        for ln in body:
            if copy:
                ln = ln.replace("[1]", "")  # one note call in the whole document, as in the sample
            out.append(numbered.sub(renumber, ln) if re.match(r"^\d+\. ", ln) else ln)
    out.extend(tail)
    path = dest / f"sample-x{factor}.txt"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def _pages(pdf: Path) -> int | None:
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(m.group(1)) if m else None


def stage_profile(src: Path, fmts: Sequence[str]) -> tuple[list[tuple[str, float]], str]:
    """In-process cost of read, each transform and each writer, and the top functions of a profile."""
    import importlib

    import pipeline
    from pipeline import registry
    from pipeline.diagnostics import Diagnostics
    from pipeline.options import Options
    from pipeline.transforms import ORDER

    opts = Options(source_date_epoch=0, source_name=src.name, base_dir=str(src.parent))
    diag = Diagnostics()
    stages: list[tuple[str, float]] = []
    t = time.perf_counter()
    doc = pipeline.read(src, opts, diag)
    stages.append(("read (report reader)", time.perf_counter() - t))
    for name, spec in ORDER:
        module, _, func = spec.partition(":")
        fn = getattr(importlib.import_module(module), func)
        t = time.perf_counter()
        doc = fn(doc, opts, diag)
        stages.append((f"transform {name}", time.perf_counter() - t))
    profiler = cProfile.Profile()
    for fmt in fmts:
        writer = registry.get_writer(fmt)
        t = time.perf_counter()
        profiler.enable()
        writer(doc, opts, diag)
        profiler.disable()
        stages.append((f"write {fmt}", time.perf_counter() - t))
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(15)
    return stages, buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", default="10,50", help="synthetic sizes (multiples of the sample)")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench.md"))
    args = parser.parse_args(argv)
    from pipeline import registry

    fmts = [f for f in FORMATS if _available(registry, f)]
    lines: list[str] = ["# docpipe benchmark", "",
                        f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
                        f"{args.runs} fresh-process runs per figure (median wall time, peak RSS).", ""]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1724198400", PYTHONPATH=str(ROOT))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="docpipe-bench-") as tmp_name:
        tmp = Path(tmp_name)
        md = tmp / "sample.md"
        have_md = _available(registry, "md")
        if have_md:
            subprocess.run(_docpipe(SAMPLE, ["md"], tmp) + ["--name", "sample"], check=True, env=env)
        pandoc = _pandoc_path()
        lines += ["## The sample, docpipe against pandoc", "",
                  "| format | docpipe s | docpipe MiB | pandoc s | pandoc MiB | ratio docpipe/pandoc |",
                  "|---|---:|---:|---:|---:|---:|"]
        rows = [(f, [f]) for f in fmts] + [("all four, one process", list(fmts))]
        for label, group in rows:
            d_time, d_mem = _median(_docpipe(SAMPLE, group, tmp / "d"), args.runs, env)
            p_cell = " — | — | —"
            if pandoc and have_md:
                if len(group) == 1:
                    p_time, p_mem = _median(_pandoc(pandoc, md, group[0], tmp), args.runs, env)
                else:
                    rounds = [[_run(_pandoc(pandoc, md, f, tmp), env) for f in group] for _ in range(args.runs)]
                    p_time = statistics.median(sum(r[0] for r in one) for one in rounds)
                    p_mem = max(r[1] for one in rounds for r in one)
                p_cell = f" {p_time:.2f} | {p_mem} | {d_time / p_time:.2f}"
            lines.append(f"| {label} | {d_time:.2f} | {d_mem} |{p_cell} |")
        if not (pandoc and have_md):
            lines.append("\n(pandoc or the Markdown writer is missing: no peer figures.)")
        lines += ["", "pandoc reads the Markdown export of the sample (`docpipe convert --to md`), so both do the "
                  "same work; pandoc's PDF is `--pdf-engine=weasyprint`; pandoc's 'all four' is four processes.", ""]

        lines += ["## Scale", "", "| size | paragraphs | format | s | MiB | PDF pages | s per PDF page |",
                  "|---|---:|---|---:|---:|---:|---:|"]
        per_page: dict[int, float] = {}
        memory: dict[int, int] = {}
        for factor in [1] + [int(x) for x in args.scale.split(",") if x]:
            src = SAMPLE if factor == 1 else synthetic(factor, tmp)
            runs = args.runs if factor == 1 else max(1, args.runs // 5 if factor >= 50 else args.runs // 2)
            for fmt in fmts:
                out = tmp / f"s{factor}"
                t, mem = _median(_docpipe(src, [fmt], out), runs, env)
                memory[factor] = max(memory.get(factor, 0), mem)
                pages = _pages(out / f"{src.stem}.pdf") if fmt == "pdf" else None
                ppage = f"{t / pages:.3f}" if pages else ""
                if pages:
                    per_page[factor] = t / pages
                lines.append(f"| {factor}x | {132 * factor} | {fmt} | {t:.2f} | {mem} | {pages or ''} | {ppage} |")
        if 1 in per_page and 50 in per_page:
            ratio = per_page[50] / per_page[1]
            lines += ["", f"PDF time per page at 50x is {ratio:.2f} times the sample's "
                      f"({'within' if ratio <= 1.2 else 'outside'} the 1.2x target); peak memory at 50x "
                      f"{memory.get(50, 0)} MiB (target < 2048)."]
        stages, prof = stage_profile(SAMPLE, fmts)
        lines += ["", "## Cost of each stage on the sample (in process, warm imports excluded)", "",
                  "| stage | ms |", "|---|---:|"]
        lines += [f"| {name} | {sec * 1000:.1f} |" for name, sec in stages]
        lines += ["", "Top functions of the writers' profile (cumulative):", "", "```", prof.strip()[:6000], "```"]
    report = "\n".join(lines) + "\n"
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(report, encoding="utf-8")
    print(report)
    return 0


def _available(registry: ModuleType, fmt: str) -> bool:
    try:
        registry.get_writer(fmt)
    except Exception:  # a writer that does not import is simply left out of the figures
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
