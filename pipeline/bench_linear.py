"""Adversarial sizes at N and 10·N for every step that was once super-linear; the ratio should stay near 10.

Run with ``python -m pipeline.bench_linear [--scale S]`` (``make bench`` runs it); prints a Markdown table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import ir
from .diagnostics import Diagnostics
from .options import Options


def _doc(blocks: tuple[ir.Block, ...], notes: tuple[ir.Note, ...] = ()) -> ir.Document:
    return ir.Document(metadata=ir.Metadata(title="t", language="zh-Hant"), blocks=blocks, notes=notes)


def _para(text: str) -> ir.Para:
    return ir.Para(children=(ir.Text(text=text),))


def latin_run(n: int) -> Callable[[], object]:
    import pipeline
    doc = _doc((_para("中" + "a" * n + "文"),))
    return lambda: pipeline.write(pipeline.transform(doc), "html")


def commas(n: int) -> Callable[[], object]:
    import pipeline
    doc = _doc((_para("中" + "," * n + "文" + '"' * n + "字"),))
    return lambda: pipeline.transform(doc)


def duplicate_ids(n: int) -> Callable[[], object]:
    import pipeline
    doc = _doc(tuple(ir.Heading(level=2, children=(ir.Text(text="同"),), id="same") for _ in range(n)))
    return lambda: pipeline.transform(doc)


def unclosed_nav(n: int) -> Callable[[], object]:
    import pipeline
    folder = Path(tempfile.mkdtemp(prefix="docpipe-bench-"))
    src = folder / "nav.html"
    src.write_text("<html><body>" + "<nav>x" * n + "<p>end</p></body></html>", encoding="utf-8")
    return lambda: pipeline.read(src, Options(tool_timeout=600))


def boxes_to_docx(n: int) -> Callable[[], object]:
    import pipeline
    doc = _doc(tuple(ir.Box(title=(ir.Text(text="框"),), blocks=(_para("內容。"),)) for _ in range(n)))
    return lambda: pipeline.write(doc, "docx")


def footnotes(n: int) -> Callable[[], object]:
    import pipeline
    calls = tuple(ir.NoteRef(note_id=f"fn-{i}", marker=str(i)) for i in range(1, n + 1))
    notes = tuple(ir.Note(id=f"fn-{i}", marker=str(i), blocks=(_para("註。"),)) for i in range(1, n + 1))
    doc = _doc((ir.Para(children=calls),), notes)
    return lambda: [pipeline.write(doc, fmt) for fmt in ("docx", "tei", "html")]


def adjacent_punctuation(n: int) -> Callable[[], object]:
    from .writers.pdf import build_html
    doc = _doc((_para("中" + "》、（「" * n + "文"),))
    return lambda: build_html(doc, Options(source_date_epoch=0), Diagnostics())


CASES: dict[str, tuple[Callable[[int], Callable[[], object]], int]] = {
    "Latin run (chars) → transforms + HTML": (latin_run, 20_000),
    "commas and quotes in a row → transforms": (commas, 4_000),
    "duplicate ids → ids transform": (duplicate_ids, 6_000),
    "unclosed <nav> → HTML reader": (unclosed_nav, 12_000),
    "boxes → DOCX": (boxes_to_docx, 4_000),
    "footnotes → DOCX, TEI, HTML": (footnotes, 10_000),
    "adjacent punctuation → PDF markup": (adjacent_punctuation, 5_000),
}


def measure(make: Callable[[int], Callable[[], object]], n: int) -> float:
    from .errors import DocpipeError
    fn = make(n)
    start = time.perf_counter()
    try:
        fn()
    except DocpipeError:
        pass  # a refusal (a limit reached) is an answer too: its time is what is measured
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N")
    parser.add_argument("--only", help="run only the cases whose name holds this text")
    args = parser.parse_args(argv)
    print("| step | N | time at N | time at 10·N | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, (make, n) in CASES.items():
        if args.only and args.only not in name:
            continue
        n = max(1, int(n * args.scale))
        t1 = measure(make, n)
        t10 = measure(make, n * 10)
        print(f"| {name} | {n:,} | {t1:.3f} s | {t10:.3f} s | {t10 / max(t1, 1e-6):.1f} |", flush=True)


if __name__ == "__main__":
    main()
