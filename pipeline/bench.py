"""``make bench``: docpipe against pandoc, at scale, per stage, in batches, warm, and on a Dask cluster."""

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
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "un-sg-report-2024.zh-Hant.txt"
FORMATS = ("epub", "docx", "pdf", "tei")
#: The report's sections, in order (``--sections`` picks some).
SECTIONS = ("pdf", "compare", "scale", "stages", "batch", "book", "warm", "dask")
PANDOC_TARGET = {"epub": ("epub3", ".epub"), "docx": ("docx", ".docx"), "tei": ("tei", ".xml"),
                 "pdf": ("html5", ".pdf")}


#: GNU time: a child's own peak memory. ``wait4``'s ``ru_maxrss`` also counts the benchmark process it was forked
#: from (Linux keeps the pre-``exec`` peak): every command measured after the benchmark grew to 405 MiB showed 405.
_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def _spawn(cmd: Sequence[str], env: dict[str, str] | None, cwd: Path | None = None) -> tuple[float, float, int]:
    """Wall time (s), CPU time (user + system, s) and peak RSS (MiB) of one fresh process; raises if it fails."""
    peak_file = None
    if _TIME:
        fd, peak_file = tempfile.mkstemp(prefix="docpipe-bench-", suffix=".rss")
        os.close(fd)
        cmd = [_TIME, "-f", "%M", "-o", peak_file, *cmd]
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    peak = usage.ru_maxrss // 1024
    if peak_file:
        try:
            peak = int(Path(peak_file).read_text().split()[-1]) // 1024
        except (OSError, ValueError, IndexError):
            pass
        Path(peak_file).unlink(missing_ok=True)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({os.waitstatus_to_exitcode(status)}): {err.strip()[:500]}")
    return elapsed, usage.ru_utime + usage.ru_stime, peak


def _run(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MiB) of one fresh process; raises if it fails."""
    elapsed, _, peak = _spawn(cmd, env, cwd)
    return elapsed, peak


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


# ---- the PDF against WeasyPrint alone ----------------------------------------------------------------------------

#: WeasyPrint alone, in a fresh process, on the HTML and CSS docpipe hands it: what a user of WeasyPrint would run.
_ALONE = """
import sys
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
html, print_css, own_css, out = sys.argv[1:5]
fc = FontConfiguration()
HTML(filename=html).write_pdf(out, font_config=fc, stylesheets=[
    CSS(filename=print_css, font_config=fc), CSS(filename=own_css, font_config=fc)])
"""


def _run_cpu(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time (s), CPU time (user + system, s) and peak RSS (MiB) of one fresh process; raises if it fails."""
    return _spawn(cmd, env)


def pdf_stages(src: Path) -> list[tuple[str, float]]:
    """CPU time of each part of the PDF writer on ``src``, warm (fonts and print.css already loaded), best of 3."""
    from weasyprint import CSS

    import pipeline
    from pipeline import ir
    from pipeline.diagnostics import Diagnostics
    from pipeline.fontsel import report_coverage
    from pipeline.options import Options
    from pipeline.walk import iter_inlines_all
    from pipeline.writers import justify, pdf

    opts = Options(source_date_epoch=0, source_name=src.name, base_dir=str(src.parent))
    doc = pipeline.transform(pipeline.read(src, opts, Diagnostics()), opts, Diagnostics())
    pipeline.write(doc, "pdf", opts, Diagnostics())  # warm
    text = "".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text))
    best: dict[str, float] = {}
    mark = [time.process_time()]

    def lap(name: str) -> None:
        now = time.process_time()
        best[name] = min(best.get(name, float("inf")), now - mark[0])
        mark[0] = now

    base = src.parent.as_uri() + "/"
    for _ in range(3):
        mark[0] = time.process_time()
        cov = report_coverage(text, doc.metadata.language, Diagnostics())
        lap("font coverage (fontconfig charsets)")
        root = pdf.build_html(doc, opts, Diagnostics())
        lap("print HTML (build_html)")
        font_config, print_css = pdf._warm()
        lap("fonts and print.css (made once per process)")
        own = pdf._page_css(opts) + pdf._font_css(doc, opts, [f.family for f in cov.faces()])
        css = [print_css, CSS(string=own, font_config=font_config)]
        lap("the document's own CSS")
        html = pdf.weasy_html(root, base, None)
        lap("the tree handed to WeasyPrint")
        with justify.inter_character():
            rendered = html.render(font_config=font_config, stylesheets=css)
            lap("layout (WeasyPrint and the justification)")
            rendered.write_pdf()
            lap("drawing and writing the PDF")
        html.render(font_config=font_config, stylesheets=css)
        lap("the same layout without justification (for comparison)")
        pipeline.write(doc, "pdf", opts, Diagnostics())
        lap("the whole writer")
    return list(best.items())


def bench_pdf(tmp: Path, env: dict[str, str], runs: int) -> list[str]:
    """docpipe's PDF against WeasyPrint alone on the same HTML and CSS: fresh processes, pair by pair."""
    from lxml import etree

    import pipeline
    from pipeline.diagnostics import Diagnostics
    from pipeline.options import Options
    from pipeline.resources import STYLES_DIR
    from pipeline.writers import pdf

    opts = Options(source_date_epoch=0, source_name=SAMPLE.name, base_dir=str(SAMPLE.parent))
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(SAMPLE, opts, diag), opts, diag)
    from pipeline import ir
    from pipeline.fontsel import report_coverage
    from pipeline.walk import iter_inlines_all

    text = "".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text))
    cov = report_coverage(text, doc.metadata.language, Diagnostics())
    html = tmp / "pdf-alone" / "sample.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(etree.tostring(pdf.build_html(doc, opts, diag), encoding="unicode", method="html"),
                    encoding="utf-8")
    own = html.with_suffix(".css")
    own.write_text(pdf._page_css(opts) + pdf._font_css(doc, opts, [f.family for f in cov.faces()]), encoding="utf-8")
    ours_cmd = _docpipe(SAMPLE, ["pdf"], tmp / "pdf-ours") + ["--pdf-engine", "weasyprint"]
    typst_cmd = _docpipe(SAMPLE, ["pdf"], tmp / "pdf-typst") + ["--pdf-engine", "typst"]
    alone_cmd = [sys.executable, "-c", _ALONE, str(html), str(STYLES_DIR / "print.css"), str(own),
                 str(html.with_suffix(".pdf"))]
    ours, alone, typst = [], [], []
    for _ in range(runs):  # pair by pair, so both see the same load
        ours.append(_run_cpu(ours_cmd, env))
        alone.append(_run_cpu(alone_cmd, env))
        typst.append(_run_cpu(typst_cmd, env))

    def med(rows: list[tuple[float, float, int]], i: int) -> float:
        return statistics.median(r[i] for r in rows)

    cpu_ratio, wall_ratio = med(ours, 1) / med(alone, 1), med(ours, 0) / med(alone, 0)
    lines = ["## The PDF against WeasyPrint alone", "",
             f"The sample, {runs} pairs of fresh processes run one after the other: `docpipe convert --to pdf` (read, "
             "transform, print HTML, font coverage, inter-character justification, PDF) against a Python process "
             "running WeasyPrint alone on the very HTML and CSS docpipe hands it (no justification). CPU time "
             "(user + system) is the figure to read on a busy machine; wall time is shown beside it.", "",
             "| | CPU s (median) | CPU s (best) | wall s (median) | peak MiB |", "|---|---:|---:|---:|---:|",
             f"| docpipe PDF | {med(ours, 1):.2f} | {min(r[1] for r in ours):.2f} | {med(ours, 0):.2f} | "
             f"{max(r[2] for r in ours)} |",
             f"| WeasyPrint alone | {med(alone, 1):.2f} | {min(r[1] for r in alone):.2f} | {med(alone, 0):.2f} | "
             f"{max(r[2] for r in alone)} |",
             f"| docpipe PDF, Typst engine | {med(typst, 1):.2f} | {min(r[1] for r in typst):.2f} | "
             f"{med(typst, 0):.2f} | {max(r[2] for r in typst)} |", "",
             f"Ratio docpipe (WeasyPrint engine)/WeasyPrint alone: **{cpu_ratio:.2f}** in CPU time, {wall_ratio:.2f} "
             f"in wall time (target <= 1.0: {'met' if cpu_ratio <= 1.0 else 'NOT met'}). Typst engine/WeasyPrint "
             f"alone: **{med(typst, 1) / med(alone, 1):.2f}** in CPU time, {med(typst, 0) / med(alone, 0):.2f} in "
             f"wall time (target <= 0.3). Load average during the run: "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.", "",
             "The PDF writer's parts, in process and warm (CPU ms, best of 3):", "", "| part | CPU ms |", "|---|---:|"]
    return [*lines, *(f"| {name} | {sec * 1000:.0f} |" for name, sec in pdf_stages(SAMPLE))]


# ---- batches, warm workers and the cluster ---------------------------------------------------------------------


def book_project(dest: Path, chapters: int = 40) -> Path:
    """A Markdown book of ``chapters`` chapters (each the sample's paragraphs), with its mdBook ``SUMMARY.md``:
    about 15 A4 pages a chapter."""
    src = dest / "src"
    src.mkdir(parents=True, exist_ok=True)
    paras = [ln.strip() for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if len(ln.strip()) > 40]
    summary = ["# Summary", ""]
    for c in range(1, chapters + 1):
        body = "\n\n".join(f"{p}（第{c}章）" for p in paras)
        (src / f"ch{c:02d}.md").write_text(f"# 第{c}章\n\n{body}\n", encoding="utf-8")
        summary.append(f"- [第{c}章](ch{c:02d}.md)")
    (src / "SUMMARY.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    return src / "SUMMARY.md"


def bench_book(tmp: Path, env: dict[str, str]) -> list[str]:
    """A book of about 600 pages to PDF: each engine in a fresh process (CPU, wall, peak memory, pages), and a
    build of two editions of it on one worker and on two."""
    summary = book_project(tmp / "book")
    lines = ["## A book of about 600 pages", "",
             "40 chapters of the sample's text from an mdBook `SUMMARY.md`, to PDF in a fresh process (`--pdf-engine "
             "auto` picks Typst for a book).", "", "| engine | CPU s | wall s | peak MiB | pages |",
             "|---|---:|---:|---:|---:|"]
    taskset = shutil.which("taskset")
    one_core: float | None = None
    for engine, label, pin in (("typst", "typst", []), ("typst", "typst, on one core", ["-c", "0"]),
                               ("weasyprint", "weasyprint", [])):
        if pin and not taskset:
            lines.append(f"| {label} | (no taskset on this machine) | | | |")
            continue
        out = tmp / f"book-{engine}"
        cmd = [sys.executable, "-m", "pipeline", "convert", str(summary), "-o", str(out / "book.pdf"), "-q",
               "--pdf-engine", engine]
        try:
            wall, cpu, peak = _run_cpu([taskset, *pin, *cmd] if pin and taskset else cmd, env)
        except RuntimeError as exc:
            lines.append(f"| {label} | failed: {str(exc)[:120]} | | | |")
            continue
        lines.append(f"| {label} | {cpu:.1f} | {wall:.1f} | {peak} | {_pages(out / 'book.pdf')} |")
        if pin:
            one_core = wall
    if one_core is not None:
        lines += ["", f"On one core (`taskset -c 0`), Typst: **{one_core:.1f} s** wall (target < 10: "
                  f"{'met' if one_core < 10 else 'NOT met'})."]
    project = tmp / "book" / "docpipe.toml"
    project.write_text('[book]\ntitle = "Bench"\nchapters = [' +
                       ", ".join(f'"src/ch{c:02d}.md"' for c in range(1, 41)) + ']\n'
                       '[project]\noutput = "out"\n[editions.hant]\nformats = ["pdf"]\n'
                       '[editions.hans]\nformats = ["pdf"]\nscript = "hans"\n', encoding="utf-8")
    lines += ["", "Two editions of the book (`docpipe build`, Typst), on one worker and on two:", "",
              "| workers | wall s | peak MiB (client) |", "|---:|---:|---:|"]
    walls: dict[int, float] = {}
    for workers in (1, 2):
        cmd = [sys.executable, "-m", "pipeline", "build", "--project", str(project), "-j", str(workers), "-q",
               "--force"]
        try:
            wall, _cpu, peak = _run_cpu(cmd, env)
        except RuntimeError as exc:
            lines.append(f"| {workers} | failed: {str(exc)[:120]} | |")
            continue
        walls[workers] = wall
        lines.append(f"| {workers} | {wall:.1f} | {peak} |")
    if len(walls) == 2:
        lines += ["", f"Two workers against one: **{walls[2] / walls[1]:.2f}×** wall time (target <= 0.65 on two "
                  f"cores; load average {os.getloadavg()[0]:.1f})."]
    return lines


def _variants(dest: Path, n: int, *, short: bool = False) -> Path:
    """``n`` distinct reports in ``dest`` (the sample, or its first chapter when ``short``), one line apart."""
    dest.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8")
    if short:
        lines = text.split("\n")
        second = next(i for i, ln in enumerate(lines) if ln.startswith("第二章"))
        text = "\n".join(lines[:second])
    for i in range(n):
        (dest / f"doc-{i:03d}.txt").write_text(text + f"\n\n（本文件第{i + 1}份。）\n", encoding="utf-8")
    return dest


def bench_batch(tmp: Path, env: dict[str, str], pandoc: str | None, n: int = 20, workers: int = 2) -> list[str]:
    """``docpipe batch`` of ``n`` documents x 4 formats on ``workers`` workers against pandoc, ``workers`` at a time."""
    from concurrent.futures import ThreadPoolExecutor

    src = _variants(tmp / "batch-src", n)
    times: list[float] = []
    for engine in ("auto", "typst"):
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "pipeline", "batch", str(src), "--to", ",".join(FORMATS),
                              "--out-dir", str(tmp / f"batch-out-{engine}"), "-j", str(workers), "-q", "--force",
                              "--pdf-engine", engine], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if run.returncode != 0:
            return ["## A batch", "", f"docpipe batch failed ({run.returncode}), so no figure: "
                    f"{(run.stdout + run.stderr).strip().splitlines()[-1:]}"]
    d_time, t_time = times
    lines = ["## A batch: docpipe's warm workers against pandoc's processes", "",
             f"{n} reports (the sample, each with one more line) x {len(FORMATS)} formats "
             f"({', '.join(FORMATS)}); `docpipe batch -j {workers}` (one process, {workers} workers, startup "
             f"included) against pandoc run {workers} at a time (one process per document and format, "
             "reading the Markdown export; PDF through `--pdf-engine=weasyprint`).", "",
             "| | s | documents/s |", "|---|---:|---:|",
             f"| docpipe batch -j {workers} | {d_time:.1f} | {n / d_time:.2f} |",
             f"| docpipe batch -j {workers}, PDF by Typst | {t_time:.1f} | {n / t_time:.2f} |"]
    if not pandoc:
        return [*lines, "", "(pandoc is missing: no peer figure.)"]
    md_dir = tmp / "batch-md"
    md_dir.mkdir()
    subprocess.run(_docpipe(src / "doc-000.txt", ["md"], md_dir) + ["--name", "doc"], check=True, env=env)
    for i in range(n):
        shutil.copy(md_dir / "doc.md", md_dir / f"doc-{i:03d}.md")
    out = tmp / "batch-pandoc"
    commands = []
    for i in range(n):
        (out / str(i)).mkdir(parents=True)
        commands += [_pandoc(pandoc, md_dir / f"doc-{i:03d}.md", fmt, out / str(i)) for fmt in FORMATS]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda cmd: _run(cmd, env), commands))
    p_time = time.perf_counter() - start
    ratio = d_time / p_time
    return [*lines, f"| pandoc, {workers} at a time | {p_time:.1f} | {n / p_time:.2f} |", "",
            f"Ratio docpipe/pandoc: **{ratio:.2f}** (target <= 0.8: {'met' if ratio <= 0.8 else 'NOT met'}; the "
            f"PDFs by WeasyPrint, what `auto` picks for a short report); with the PDFs by Typst: "
            f"**{t_time / p_time:.2f}**. Load average during the run: {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores."]


def bench_warm(runs: int) -> list[str]:
    """A warm worker's cost per document (4 formats) against WeasyPrint alone on the same print HTML."""
    from lxml import etree
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    import pipeline
    from pipeline import build as batch
    from pipeline.diagnostics import Diagnostics
    from pipeline.options import Options
    from pipeline.resources import STYLES_DIR
    from pipeline.writers import pdf

    edition = batch.EditionSpec(name="bench", formats=FORMATS)
    task = batch.Task(name=str(SAMPLE), data=SAMPLE.read_bytes(), stem=SAMPLE.stem, base_dir=str(SAMPLE.parent),
                      editions=(edition,), epoch=0, deps=batch.dep_shas(FORMATS))
    batch.render_task(task)  # warm: imports, fonts, dictionaries
    ours = []
    for _ in range(runs):
        t = time.perf_counter()
        result = batch.render_task(task)
        ours.append(time.perf_counter() - t)
        assert result.results[0].ok, result.results[0].error
    opts = Options(source_date_epoch=0, source_name=SAMPLE.name, base_dir=str(SAMPLE.parent))
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(SAMPLE, opts, diag), opts, diag)
    html = etree.tostring(pdf.build_html(doc, opts, diag), encoding="unicode", method="html")
    print_css = (STYLES_DIR / "print.css").read_text(encoding="utf-8")
    extra = pdf._page_css(opts) + pdf._font_css(doc, opts)
    base = SAMPLE.parent.as_uri() + "/"
    alone = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        fc = FontConfiguration()
        HTML(string=html, base_url=base).write_pdf(
            stylesheets=[CSS(string=print_css, font_config=fc), CSS(string=extra, font_config=fc)], font_config=fc)
        alone.append(time.perf_counter() - t)
    alone = alone[1:]  # the first run warms WeasyPrint as the warm-up task did for docpipe
    per_doc, weasy = min(ours), min(alone)  # best of N: the machine's other load only ever adds
    stages: dict[str, list[float]] = {}
    for _ in range(runs):  # the same work, stage by stage, warm
        t = time.perf_counter()
        d = pipeline.read(SAMPLE, opts, Diagnostics())
        stages.setdefault("read", []).append(time.perf_counter() - t)
        t = time.perf_counter()
        d = pipeline.transform(d, opts, Diagnostics())
        stages.setdefault("transform (all)", []).append(time.perf_counter() - t)
        for fmt in FORMATS:
            t = time.perf_counter()
            pipeline.write(d, fmt, opts, Diagnostics())
            stages.setdefault(f"write {fmt}", []).append(time.perf_counter() - t)
    medians = {name: min(v) for name, v in stages.items()}
    own = sum(medians.values()) - weasy
    manuscript = ROOT / "tests" / "fixtures" / "word" / "tek4010-manual.docx"
    docx_read = None
    if manuscript.exists():
        pipeline.read(manuscript, Options(source_date_epoch=0))
        docx_read = min(_timed(lambda: pipeline.read(manuscript, Options(source_date_epoch=0))) for _ in range(runs))
    lines = ["## A warm worker's cost per document", "",
             f"Best of {runs} runs in one warm process, the sample in {', '.join(FORMATS)}; WeasyPrint alone "
             "renders docpipe's own print HTML and CSS (font configuration, CSS parsing, layout, PDF).", "",
             "| | ms |", "|---|---:|",
             f"| docpipe, one document, 4 formats (as a worker runs it: read once, transform, 4 writers) | "
             f"{per_doc * 1000:.0f} |",
             f"| WeasyPrint alone, the same PDF | {weasy * 1000:.0f} |",
             f"| docpipe's own work (the stages below, less WeasyPrint) | {own * 1000:.0f} |", "",
             "| stage (warm) | ms |", "|---|---:|", *(f"| {n} | {v * 1000:.1f} |" for n, v in medians.items()),
             f"| of which the PDF writer's own, around WeasyPrint | {(medians['write pdf'] - weasy) * 1000:.1f} |",
             "", f"docpipe's own work is {own / per_doc:.0%} of a warm document; the rest is WeasyPrint."]
    if docx_read is not None:
        lines += ["", f"Reading a Word manuscript (`{manuscript.name}`, through pandoc) takes "
                  f"{docx_read * 1000:.0f} ms: "
                  "a build reads each document once and transforms it per edition, so a project of three editions "
                  f"saves {2 * docx_read * 1000:.0f} ms per such document."]
    return lines


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _spin(seconds: float) -> float:
    """CPU-bound pure Python for about ``seconds``; returns the loop's rate (iterations per second)."""
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        for _ in range(10_000):
            count += 1
    return count / seconds


def parallel_ceiling(seconds: float = 3.0) -> float:
    """What two processes get done together against one, right now (this machine's load included)."""
    import multiprocessing

    one = _spin(seconds)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        both = sum(pool.map(_spin, [seconds, seconds]))
    return both / one


def bench_dask(tmp: Path, env: dict[str, str], n: int = 100) -> list[str]:
    """``docpipe build --cluster`` of ``n`` short documents with 1 and with 2 Dask workers (one thread each)."""
    import json

    from pipeline import build as batch
    from pipeline.build.dask import stop_local_cluster

    dask = Path(sys.executable).parent / "dask"
    try:
        import distributed  # noqa: F401
    except ImportError:
        return ["## On a Dask cluster", "", "(dask[distributed] is not installed: no figures.)"]
    src = _variants(tmp / "dask-src", n, short=True)
    _variants(tmp / "dask-warm", 2, short=True)
    worker_env = {k: v for k, v in env.items() if k != "SOURCE_DATE_EPOCH"}
    times: dict[int, float] = {}
    for count in (1, 2):
        procs: list[subprocess.Popen[bytes]] = []
        home = tmp / f"dask-{count}"
        home.mkdir()
        try:
            procs.append(subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                           "--no-dashboard", "--scheduler-file", str(home / "s.json")],
                                          cwd=home, env=worker_env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            deadline = time.monotonic() + 60
            while not (home / "s.json").exists() or b"address" not in (home / "s.json").read_bytes():
                if time.monotonic() > deadline:
                    raise RuntimeError("the Dask scheduler did not start")
                time.sleep(0.1)
            address = json.loads((home / "s.json").read_text(encoding="utf-8"))["address"]
            for i in range(count):
                procs.append(subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                               "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                                               "--local-directory", str(home), "--name", f"w{i}"],
                                              cwd=home, env=worker_env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
            from distributed import Client

            with Client(address, timeout="30s", set_as_default=False) as client:  # type: ignore[no-untyped-call]
                client.wait_for_workers(count, timeout=120)
            edition = batch.EditionSpec(name="all", formats=FORMATS)
            warm = [batch.Job(batch.Source(p, p.stem), edition, home / "warm")
                    for p in sorted((tmp / "dask-warm").glob("*.txt"))]
            for _ in range(2):  # every worker warm before the clock starts (imports, fonts, dictionaries)
                batch.run_jobs(warm, home / "warm" / "manifest.json", force=True, cluster=address, quiet=True,
                               stream=io.StringIO())
            jobs = [batch.Job(batch.Source(p, p.stem), edition, home / "out") for p in sorted(src.glob("*.txt"))]
            start = time.perf_counter()
            outcomes = batch.run_jobs(jobs, home / "out" / "manifest.json", cluster=address, quiet=True,
                                      stream=io.StringIO())
            times[count] = time.perf_counter() - start
            failed = [o for o in outcomes if not o.ok]
            if failed:
                return ["## On a Dask cluster", "", f"{len(failed)} of {n} documents failed with {count} worker(s), "
                        f"so no figure: {failed[0].error}"]
        finally:
            stop_local_cluster(procs, timeout=20)
    ratio = times[1] / times[2]
    ceiling = parallel_ceiling()
    return ["## On a Dask cluster", "",
            f"`docpipe build --cluster` of {n} short reports (the sample's first chapter) x {len(FORMATS)} formats, "
            "a scheduler and warm workers (`--nthreads 1`) on this machine, the client writing every output and "
            f"the manifest ({os.cpu_count()} cores shared by the client, the scheduler and the workers).", "",
            "| workers | s | documents/s |", "|---:|---:|---:|",
            *(f"| {c} | {t:.1f} | {n / t:.2f} |" for c, t in times.items()), "",
            f"Throughput with 2 workers: **{ratio:.2f}x** one worker's (target >= 1.8: "
            f"{'met' if ratio >= 1.8 else 'NOT met'}). For scale, two CPU-bound Python processes do "
            f"{ceiling:.2f}x the work of one on this machine at the time of the run (its ceiling for any two "
            "workers, other load included)."]


def bench_compare(tmp: Path, env: dict[str, str], fmts: list[str], runs: int, md: Path | None,
                  pandoc: str | None) -> list[str]:
    """The sample, one fresh process per format, docpipe against pandoc."""
    lines = ["## The sample, docpipe against pandoc", "",
             "| format | docpipe s | docpipe MiB | pandoc s | pandoc MiB | ratio docpipe/pandoc |",
             "|---|---:|---:|---:|---:|---:|"]
    rows: list[tuple[str, list[str], list[str]]] = [(f, [f], []) for f in fmts]
    rows += [("all four, one process", list(fmts), []),
             ("all four, one process, PDF by Typst", list(fmts), ["--pdf-engine", "typst"])]
    for label, group, extra in rows:
        d_time, d_mem = _median(_docpipe(SAMPLE, group, tmp / "d") + extra, runs, env)
        p_cell = " — | — | —"
        if pandoc and md:
            if len(group) == 1:
                p_time, p_mem = _median(_pandoc(pandoc, md, group[0], tmp), runs, env)
            else:
                rounds = [[_run(_pandoc(pandoc, md, f, tmp), env) for f in group] for _ in range(runs)]
                p_time = statistics.median(sum(r[0] for r in one) for one in rounds)
                p_mem = max(r[1] for one in rounds for r in one)
            p_cell = f" {p_time:.2f} | {p_mem} | {d_time / p_time:.2f}"
        lines.append(f"| {label} | {d_time:.2f} | {d_mem} |{p_cell} |")
    if not (pandoc and md):
        lines.append("\n(pandoc or the Markdown writer is missing: no peer figures.)")
    return [*lines, "", "pandoc reads the Markdown export of the sample (`docpipe convert --to md`), so both do the "
            "same work; pandoc's PDF is `--pdf-engine=weasyprint`; pandoc's 'all four' is four processes; docpipe's "
            "PDF is WeasyPrint's (what `auto` picks for the sample) but in the last row."]


def bench_scale(tmp: Path, env: dict[str, str], fmts: list[str], runs: int, factors: list[int]) -> list[str]:
    """Synthetic reports 10x and 50x the sample: time, memory, time per PDF page."""
    lines = ["## Scale", "", "| size | paragraphs | format | s | MiB | PDF pages | s per PDF page |",
             "|---|---:|---|---:|---:|---:|---:|"]
    per_page: dict[int, float] = {}
    memory: dict[int, int] = {}
    for factor in [1, *factors]:
        src = SAMPLE if factor == 1 else synthetic(factor, tmp)
        n = runs if factor == 1 else max(1, runs // 5 if factor >= 50 else runs // 2)
        for fmt in fmts:
            out = tmp / f"s{factor}"
            t, mem = _median(_docpipe(src, [fmt], out), n, env)
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
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="fresh-process runs per figure (median)")
    parser.add_argument("--scale", default="10,50", help="synthetic sizes (multiples of the sample)")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench.md"))
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="which figures, comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--documents", type=int, default=100, help="documents in the Dask build")
    args = parser.parse_args(argv)
    sections = [x.strip() for x in args.sections.split(",") if x.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section {sorted(unknown)[0]!r}; choose among {', '.join(SECTIONS)}")
    from pipeline import registry

    fmts = [f for f in FORMATS if _available(registry, f)]
    lines: list[str] = ["# docpipe benchmark", "",
                        f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; fresh-process figures "
                        f"are the median of {args.runs} runs (wall time, peak RSS)."]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1724198400", PYTHONPATH=str(ROOT))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="docpipe-bench-") as tmp_name:
        tmp = Path(tmp_name)
        md: Path | None = None
        if _available(registry, "md"):
            subprocess.run(_docpipe(SAMPLE, ["md"], tmp) + ["--name", "sample"], check=True, env=env)
            md = tmp / "sample.md"
        pandoc = _pandoc_path()
        for section in sections:
            lines.append("")
            if section == "pdf":
                lines += bench_pdf(tmp, env, max(args.runs, 3))
            elif section == "compare":
                lines += bench_compare(tmp, env, fmts, args.runs, md, pandoc)
            elif section == "scale":
                lines += bench_scale(tmp, env, fmts, args.runs, [int(x) for x in args.scale.split(",") if x])
            elif section == "stages":
                stages, prof = stage_profile(SAMPLE, fmts)
                lines += ["## Cost of each stage on the sample (in process, warm imports excluded)", "",
                          "| stage | ms |", "|---|---:|", *(f"| {name} | {sec * 1000:.1f} |" for name, sec in stages),
                          "", "Top functions of the writers' profile (cumulative):", "", "```", prof.strip()[:6000],
                          "```"]
            elif section == "batch":
                lines += bench_batch(tmp, env, pandoc if md else None)
            elif section == "book":
                lines += bench_book(tmp, env)
            elif section == "warm":
                lines += bench_warm(max(args.runs, 3))
            elif section == "dask":
                lines += bench_dask(tmp, env, args.documents)
    return _report(lines, Path(args.out))


def _report(lines: list[str], out_path: Path) -> int:
    report = "\n".join(lines) + "\n"
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
