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


# --------------------------------------------------------------------------- shapes × steps (issue 25)
# Every writer and every transform, on every adversarial shape, at N and 10·N: CPU time (``time.process_time``,
# which eight engineers sharing two cores do not disturb as much as wall time) after a warm-up at size 1.

def _png(i: int) -> bytes:
    """A distinct 1×1 PNG for each ``i`` (its pixel's colour), so no two pictures share a medium."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    pixel = bytes((0, i % 256, (i // 256) % 256, (i // 65536) % 256))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b""))


def shape_latin(n: int) -> ir.Document:
    """One paragraph: Han, a run of ``n`` Latin letters (with a URL-like and an address-like stretch), Han."""
    return _doc((_para("中文" + "a" * n + "文字 www.example" + "b" * (n // 10) + " x" * 3 + "c" * n + "@"),))


def shape_punctuation(n: int) -> ir.Document:
    """One paragraph of ``n`` mixed ASCII and full-width punctuation marks and quotes between Han characters."""
    return _doc((_para("中" + ('，,。"「」()（）:：' * (n // 12 + 1))[:n] + "文"),))


def shape_footnotes(n: int) -> ir.Document:
    """One paragraph calling ``n`` notes."""
    calls: list[ir.Inline] = []
    for i in range(1, n + 1):
        calls += [ir.Text(text="註"), ir.NoteRef(note_id=f"fn-{i}", marker=str(i))]
    notes = tuple(ir.Note(id=f"fn-{i}", marker=str(i), blocks=(_para(f"註{i}。"),)) for i in range(1, n + 1))
    return _doc((ir.Para(children=tuple(calls)),), notes)


def shape_pictures(n: int) -> ir.Document:
    """``n`` figures, each with a picture of its own."""
    import hashlib
    media = []
    blocks: list[ir.Block] = []
    for i in range(n):
        data = _png(i)
        digest = hashlib.sha256(data).hexdigest()
        media.append(ir.Media(name=f"{digest[:16]}.png", media_type="image/png", data=data, sha256=digest,
                              width=1, height=1))
        blocks.append(ir.Figure(images=(ir.Image(media=f"{digest[:16]}.png", alt=(ir.Text(text="圖"),)),),
                                caption=(ir.Text(text=f"圖{i}"),)))
    return ir.Document(metadata=ir.Metadata(title="t", language="zh-Hant"), blocks=tuple(blocks),
                       media=tuple(media))


def shape_table_rows(n: int) -> ir.Document:
    """One table of ``n`` rows of three cells, a header row first."""
    rows = tuple(tuple(ir.Cell(blocks=(_para(f"{r}-{c} 中文"),), header=r == 0) for c in range(3)) for r in range(n))
    return _doc((ir.Table(rows=rows, head_rows=1, caption=(ir.Text(text="表"),)),))


def shape_paragraphs(n: int) -> ir.Document:
    """``n`` numbered paragraphs under headings, mixed Han and Latin."""
    blocks: list[ir.Block] = []
    for i in range(1, n + 1):
        if i % 50 == 1:
            blocks.append(ir.Heading(level=2, children=(ir.Text(text=f"第{i}節"),)))
        blocks.append(ir.Para(children=(ir.Text(text=f"第{i}段 UN 2024年 5 000億, “引號”。"),), number=str(i)))
    return _doc(tuple(blocks))


SHAPES: dict[str, Callable[[int], ir.Document]] = {
    "latin": shape_latin, "punctuation": shape_punctuation, "footnotes": shape_footnotes,
    "pictures": shape_pictures, "table_rows": shape_table_rows, "paragraphs": shape_paragraphs,
}
#: N per shape (the size at which each step runs in well under a second); characters for the text shapes.
SHAPE_N: dict[str, int] = {"latin": 20_000, "punctuation": 4_000, "footnotes": 1_000, "pictures": 100,
                           "table_rows": 300, "paragraphs": 400}
#: Writers too slow for the shape's N run at N divided by this.
SLOW_WRITERS: dict[str, int] = {"docx": 2, "epub": 2}
#: The PDF's N per shape: WeasyPrint lays out a few pages a second, so each 10·N stays within a few seconds. A
#: table runs over pages at N already (60 rows), so both sizes pay for cutting it under 續表 and laying it out
#: again: at 30 rows only 10·N did, and its ratio (about 20) sat at the limit on a loaded machine.
PDF_N: dict[str, int] = {"latin": 1_000, "punctuation": 400, "footnotes": 15, "pictures": 30, "table_rows": 60,
                         "paragraphs": 40}


def steps() -> dict[str, Callable[[ir.Document], object]]:
    """Every transform (alone, on the document as read) and every writer (on the transformed document)."""
    import importlib

    import pipeline

    from . import registry
    from .transforms import ORDER

    out: dict[str, Callable[[ir.Document], object]] = {}
    opts = Options(source_date_epoch=0)
    for i, (name, spec) in enumerate(ORDER):
        module, _, func = spec.partition(":")
        fn = getattr(importlib.import_module(module), func)
        key = f"transform:{name}" if f"transform:{name}" not in out else f"transform:{name}-{i}"
        out[key] = (lambda f: lambda d: f(d, opts, Diagnostics()))(fn)
    for fmt in registry.WRITERS:
        out[f"write:{fmt}"] = (lambda f: lambda d: pipeline.write(d, f, opts.with_(output_name="x"),
                                                                  Diagnostics()))(fmt)
    return out


def size_for(shape: str, step: str) -> int:
    """N for one shape and step."""
    if step == "write:pdf":
        return PDF_N[shape]
    return max(1, SHAPE_N[shape] // SLOW_WRITERS.get(step.removeprefix("write:"), 1))


def _clear_memos() -> None:
    """Empty docpipe's bounded memo caches (``functools.lru_cache(maxsize=…)``: per text, per clause), so each size
    is timed cold: 10·N's paragraphs include N's, which a run before had left in them, and N timed warm against
    10·N mostly cold made a linear step look 26-45 times slower. Unbounded caches (dictionaries, font lists: made
    once per process) are kept."""
    import sys

    for name, module in list(sys.modules.items()):
        if name != "pipeline" and not name.startswith("pipeline."):
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if callable(info) and getattr(info(), "maxsize", None) is not None:
                value.cache_clear()


def scaling(shape: str, step: str, n: int | None = None) -> tuple[float, float, float]:
    """CPU seconds of ``step`` on ``shape`` at size 1 (after a warm-up), N and 10·N."""
    import pipeline
    n = n or size_for(shape, step)
    fn = steps()[step]
    times: list[float] = []
    for size in (1, 1, n, 10 * n):
        doc = SHAPES[shape](size)
        if step.startswith("write:"):
            doc = pipeline.transform(doc, Options(source_date_epoch=0), Diagnostics())
        _clear_memos()
        start = time.process_time()
        fn(doc)
        times.append(time.process_time() - start)
    return times[1], times[2], times[3]


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
    parser.add_argument("--matrix", action="store_true", help="every shape × every writer and transform")
    args = parser.parse_args(argv)
    if args.matrix:
        print("| shape | step | N | CPU at 1 | CPU at N | CPU at 10·N | ratio |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for shape in SHAPES:
            for step in steps():
                if args.only and args.only not in f"{shape} {step}":
                    continue
                n = max(1, int(size_for(shape, step) * args.scale))
                t0, t1, t10 = scaling(shape, step, n)
                print(f"| {shape} | {step} | {n:,} | {t0:.3f} | {t1:.3f} | {t10:.3f} | "
                      f"{(t10 - t0) / max(t1 - t0, 1e-3):.1f} |", flush=True)
        return
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
