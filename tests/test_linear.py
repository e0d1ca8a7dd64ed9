"""Linear everywhere. Adversarial sizes from the hardening audit (issue 20) end: each step made linear runs at the
audit's size in a child process. And (issue 25) every writer and every transform on every adversarial shape —
Latin runs, punctuation runs, footnotes, pictures, table rows, paragraphs — takes about ten times the CPU at 10·N
that it takes at N (``python -m pipeline.bench_linear --matrix`` prints the table)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.bench_linear import SHAPES, scaling, size_for, steps

ROOT = Path(__file__).resolve().parent.parent

#: bench_linear case -> the size the audit used
SIZES = {
    "latin_run": 200_000,
    "commas": 40_000,
    "duplicate_ids": 60_000,
    "unclosed_nav": 120_000,
    "boxes_to_docx": 40_000,
    "footnotes": 100_000,
    "adjacent_punctuation": 50_000,
}


@pytest.mark.parametrize("case", sorted(SIZES))
def test_adversarial_size_ends(case: str) -> None:
    code = (f"from pipeline.bench_linear import {case}, measure\n"
            f"print(round(measure({case}, {SIZES[case]}), 2))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-800:]
    assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------- every writer and transform at N, 10·N

#: How much more CPU 10·N may take than N (linear is 10; generous for caches, allocation and the noise of a
#: shared machine; a quadratic step shows 100).
MAX_RATIO = 25
#: Below this many CPU seconds at N a step's cost is noise: the ratio is taken against this floor.
FLOOR = 0.01
#: A step over the ratio that took less than this at N is tried again at 10·N (a quadratic step still shows
#: there; a linear one no longer has its ratio set by a few milliseconds of noise on a loaded machine).
SMALL = 0.03
#: Known super-linear steps in modules others own, each with the exact fix handed over (H4's report, issue 25).
KNOWN: dict[tuple[str, str], str] = {}  # ("latin", "write:pdf") went: the PDF writer makes long runs breakable
#: Measured over 25 but not clearly super-linear at sizes a test can afford (20 → 200 → 400 calls in one
#: paragraph: 0.4, 8.5, 21.8 s CPU, about n^1.35): reported, not asserted.
UNCLEAR = {
    ("footnotes", "write:pdf"): "WeasyPrint's footnote area: 200 calls in one paragraph 8.5 s, 400 take 21.8 s",
}


def _case(shape: str, step: str) -> object:
    if (shape, step) in KNOWN:
        return pytest.param(shape, step, marks=pytest.mark.xfail(strict=True, reason=KNOWN[(shape, step)]))
    if (shape, step) in UNCLEAR:
        return pytest.param(shape, step, marks=pytest.mark.xfail(strict=False, reason=UNCLEAR[(shape, step)]))
    return (shape, step)


@pytest.mark.slow  # about 3 minutes of CPU: a scale check (make test-slow, CI)
@pytest.mark.parametrize("shape, step", [_case(shape, step) for shape in SHAPES for step in steps()])
def test_linear_in_every_shape(shape: str, step: str) -> None:
    """CPU time at 10·N over N (less the time at size 1) stays under :data:`MAX_RATIO`; measured twice when
    the first try is over, the better try counts (a garbage collection can land in either)."""
    best = float("inf")
    n = size_for(shape, step)
    for _ in range(1 if (shape, step) in KNOWN or (shape, step) in UNCLEAR else 2):
        t0, t1, t10 = scaling(shape, step, n)
        best = min(best, (t10 - t0) / max(t1 - t0, FLOOR))
        if best < MAX_RATIO:
            break
        if t1 - t0 < SMALL and step != "write:pdf":  # a few ms at N are mostly noise: the second try at 10·N
            n *= 10
    assert best < MAX_RATIO, f"{shape} → {step}: 10·N took {best:.1f} times N (CPU {t1:.3f} s → {t10:.3f} s)"


# --------------------------------------------------------------------------- a long document's PDF in bounded memory

#: The resident memory a PDF of 10 000 or 100 000 paragraphs may take, docpipe and its children together (issue 25).
PDF_MEMORY_MB = 1536


def _tree_rss_mb(pid: int) -> float:
    """The resident memory of ``pid`` and every process under it, in MB."""
    psutil = pytest.importorskip("psutil")
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total / 1048576


@pytest.mark.slow  # about 70 s of CPU: the 100 000 paragraphs' 8 800 pages (make test-slow, CI)
@pytest.mark.parametrize("paragraphs", [10_000, 100_000])
def test_pdf_of_many_paragraphs_in_bounded_memory(paragraphs: int, tmp_path: Path) -> None:
    """Markdown of ``paragraphs`` Chinese paragraphs to PDF (laid out by Typst in parts past 1 200 000 characters,
    pipeline/writers/typst_parts.py): it ends, every paragraph is in it, and docpipe with its children never holds
    more than :data:`PDF_MEMORY_MB` (in one piece it passed 3 GB)."""
    import threading
    han = "天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽雲騰致雨露結為霜金生麗水玉出崑岡"
    src = tmp_path / "long.md"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(paragraphs):
            fh.write(f"P{i}" + "".join(han[(i + k * 7) % len(han)] for k in range(110)) + "。\n\n")
    out = tmp_path / "long.pdf"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "convert", str(src), "-o", str(out),
                             "--job-memory", "4096", "--job-timeout", "1200"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, stderr = proc.communicate(timeout=1500)
    finally:
        done.set()
        sampler.join()
    assert proc.returncode == 0, stderr[-800:]
    assert peak[0] < PDF_MEMORY_MB, f"{peak[0]:.0f} MB"
    fitz = pytest.importorskip("pymupdf")
    pdf = fitz.open(out)
    text = "".join("".join(page.get_text().split()) for page in pdf)
    missing = [i for i in (*range(0, paragraphs, 97), paragraphs - 1) if f"P{i}{han[i % len(han)]}" not in text]
    assert not missing, missing[:10]
    print(f"{paragraphs} paragraphs: {len(pdf)} pages, peak {peak[0]:.0f} MB")
