"""A fuzzing campaign over every way into docpipe: seeded, structure-aware mutation of DOCX, ODT, EPUB, TEI, HTML,
Markdown and ``.ir.json`` sources, each case read and rendered in every format, every output scanned for active
content (:func:`tests.active_content.scan_folder_files`).

A case ends in one of three ways: outputs that are inert (``ok``), a one-line :class:`DocpipeError` (``refused``),
or a **finding** — any other exception (a traceback, exit 70 on the command line), active content in an output,
an error message of more than one line, or a case over its CPU budget. Findings are written to
``tests/fixtures/fuzz/`` (the input and a ``.json`` note); ``tests/test_fuzz.py`` replays every one of them.

    python -m tests.fuzz_campaign --seconds 1800 --seed 1      # what ``make fuzz`` runs (FUZZ_SECONDS)
    python -m tests.fuzz_campaign --engine atheris --seconds 600  # coverage-guided, if atheris is installed

The same seed gives the same cases in the same order (``random.Random(seed)``); the case number is the key.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import io
import json
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FINDINGS = FIXTURES / "fuzz"
SEEDS = FINDINGS / "seeds"

#: Formats every case is rendered in (PDF every ``--pdf-every`` cases: WeasyPrint costs a second a case).
FORMATS = ("html", "md", "tei", "epub", "docx", "ir")
#: CPU seconds one case may take (read and every format) before it is a finding.
CASE_BUDGET = 120.0
#: Resident memory past which a case is a finding (the job budget's default is 2 GB).
MEMORY_BUDGET = 2 * 1024 ** 3

#: What an attacker or a careless tool writes: spliced into sources at random places.
HOSTILE: tuple[str, ...] = (
    "<script>alert(1)</script>", "javascript:alert(1)", " java\tscript:alert(1)", "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "data:image/svg+xml,<svg onload=alert(1)>",
    ' onload="alert(1)"', ' onclick="alert(1)"', "<img src=x onerror=alert(1)>", '<iframe src="//evil.example">',
    '<img src="https://tracker.example/p.gif">', "<svg onload=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
    '<set attributeName="href" to="javascript:alert(1)"/>', '<ptr target="javascript:alert(1)"/>',
    '<graphic url="https://tracker.example/p.gif"/>', '<graphic url="javascript:alert(1)"/>',
    "``", "```", "`", "](javascript:alert(1))", ") <script>alert(1)</script>", '{onclick="alert(1)"}',
    '" onmouseover="alert(1)', "$", "$$", "\\", "<", ">", "&", "&lt;script&gt;", "&#x6a;avascript:alert(1)",
    "<!ENTITY x \"y\">", "\x00", "\x01", "\x1b[31m", "\u202e", "\ufeff", "\ud7ff", "\U0010fffe", "\u2028",
    "中文English混排", "，。「」", "[" * 40, "(" * 40, "<div>" * 60, "</div>" * 60, "*" * 50, "_" * 50,
    "a" * 5000, "http://" + "a" * 3000, "<!--", "-->", "<![CDATA[", "]]>", "<?php ?>", "{#id .class}",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction></math>",
    "<object data=\"https://evil.example/x.swf\"></object>", "<link rel=stylesheet href=https://evil.example/s>",
    "<style>@import url(https://evil.example/s.css)</style>", "<meta http-equiv=refresh content=\"0;url=//e\">",
    "<base href=\"https://evil.example/\">", "![p](evil.svg)", "<img src=\"evil.svg\">", "![b](bomb.png)",
)

EVIL_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
            b'height="10" onload="alert(1)"><script>alert(2)</script><a xlink:href="#r"><set attributeName='
            b'"xlink:href" to="javascript:alert(3)"/><text>t</text></a><image href="https://tracker.example/p.gif"/>'
            b'<rect id="r" width="5" height="5" style="fill:url(https://e.example/x#g)"/></svg>')


# --------------------------------------------------------------------------- seeds
def _real(path: str) -> bytes | None:
    p = FIXTURES / path
    return p.read_bytes() if p.is_file() else None


def seeds() -> dict[str, list[tuple[str, bytes]]]:
    """Seed documents per source format: real files from the fixtures (their provenance beside them) and a few
    made here to reach the hostile shapes quickly."""
    real = {
        "docx": ["real/pandoc-docx-inline_images.docx", "real/kreuzberg-tablecell.docx", "word/textbox.docx",
                 "word/numbered-list.docx"],
        "odt": ["real/pandoc-odt-tableWithCaption.odt", "real/pandoc-odt-formula.odt", "word/manuscript.odt"],
        "epub": ["real/pandoc-epub-features.epub", "generality/python-markdown-colon-ids.epub"],
        "tei": ["tei/teic-stylesheets-testnotes1.xml", "tei/teic-stylesheets-testapp2.xml",
                "tei/docpipe-features.xml"],
        "html": ["fuzz/seeds/pandoc-html-reader.html"],
        "md": ["markdown/mkdocs-admonitions.md", "mixed/chinese-copywriting-guidelines.zh-Hant.md"],
    }
    out: dict[str, list[tuple[str, bytes]]] = {}
    for fmt, paths in real.items():
        for path in paths:
            data = _real(path)
            if data is not None:
                out.setdefault(fmt, []).append((path, data))
    out.setdefault("md", []).append(("made:hostile.md", (
        "---\ntitle: T\n---\n\n# 導言 {#h-1}\n\n文字 `code` [link](https://example.org \"t\") ![p](evil.svg)\n\n"
        "[s]{.x lang=zh-Hant}\n\n```\ncode\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n脚注[^1]\n\n"
        "[^1]: 註。\n").encode()))
    out.setdefault("html", []).append(("made:hostile.html", (
        "<html><body><h1>T</h1><p>中文 <a href='https://example.org'>x</a> <img src='evil.svg' alt='p'></p>"
        "<svg xmlns='http://www.w3.org/2000/svg'><rect width='2' height='2'/></svg>"
        "<table><tr><td>1</td></tr></table></body></html>").encode()))
    out.setdefault("tei", []).append(("made:hostile.tei.xml", (
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
        b"<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
        b'<text><body><div><head>H</head><p>a <ref target="https://example.org">r</ref> <graphic url="evil.svg"/>'
        b'<note n="1">n</note></p></div></body></text></TEI>')))
    out["ir"] = [("made:doc.ir.json", _ir_seed())]
    return out


def _ir_seed() -> bytes:
    from pipeline import ir, ir_json
    digest = hashlib.sha256(EVIL_SVG).hexdigest()
    media = ir.Media(name=f"{digest[:16]}.svg", media_type="image/svg+xml", data=EVIL_SVG, sha256=digest)
    doc = ir.Document(
        metadata=ir.Metadata(title="T", language="zh-Hant", authors=("A",)),
        blocks=(ir.Heading(level=1, children=(ir.Text(text="導言"),), id="h-1"),
                ir.Para(children=(ir.Text(text="文字"), ir.Code(text="x"),
                                  ir.Link(children=(ir.Text(text="l"),), target="https://example.org", title="t"),
                                  ir.Span(children=(ir.Text(text="s"),), attrs=(("n", "1"),)),
                                  ir.NoteRef(note_id="fn-1", marker="1"), ir.Math(tex="x^2")), number="1",
                        id="para-1"),
                ir.Figure(images=(ir.Image(media=media.name, alt=(ir.Text(text="p"),)),),
                          caption=(ir.Text(text="圖"),)),
                ir.Table(rows=((ir.Cell(blocks=(ir.Para(children=(ir.Text(text="1"),)),)),),)),
                ir.Div(blocks=(ir.CodeBlock(text="c"),), classes=("x",), attrs=(("type", "t"),))),
        notes=(ir.Note(id="fn-1", marker="1", blocks=(ir.Para(children=(ir.Text(text="註"),)),)),),
        media=(media,))
    return ir_json.dumps(doc).encode()


# --------------------------------------------------------------------------- mutation
def _mutate_text(rng: random.Random, text: str) -> str:
    """A few edits: hostile tokens spliced in, spans deleted, duplicated or swapped, characters flipped."""
    for _ in range(rng.randint(1, 6)):
        n = len(text)
        i, j = sorted((rng.randint(0, n), rng.randint(0, n)))
        j = min(j, i + rng.randint(0, 400))
        op = rng.random()
        if op < 0.45:
            text = text[:i] + rng.choice(HOSTILE) + text[i:]
        elif op < 0.6:
            text = text[:i] + text[j:]
        elif op < 0.75:
            text = text[:j] + text[i:j] + text[j:]
        elif op < 0.85 and n:
            k = rng.randint(0, max(n - 1, 0))
            text = text[:i] + text[k:k + rng.randint(1, 80)] + text[i:]
        elif n:
            k = rng.randrange(n)
            code = rng.choice((0x3c, 0x3e, 0x22, 0x27, 0x26, 0x60, 0x24, 0x5c, 0x0, 0x7f, rng.randint(1, 0x2FFFF)))
            if 0xD800 <= code <= 0xDFFF:  # a lone surrogate is no character: no file can hold it (seed 34 died on one)
                code += 0x800
            text = text[:k] + chr(code) + text[k + 1:]
    return text


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.85:
        return _mutate_text(rng, data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _mutate_zip(rng: random.Random, data: bytes) -> bytes:
    """One or two XML members of the package mutated as text; sometimes an evil SVG or script member added."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    xml = [k for k, (i, _) in enumerate(members) if i.filename.endswith((".xml", ".xhtml", ".html", ".opf",
                                                                         ".ncx", ".rels"))]
    for k in rng.sample(xml, min(len(xml), rng.randint(1, 2))):
        info, body = members[k]
        members[k] = (info, _mutate_bytes(rng, body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, body in members:
            z.writestr(info.filename, body, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype"
                       else zipfile.ZIP_DEFLATED)
        extra = rng.choice(["word/media/evil.svg", "EPUB/media/evil.svg", "Pictures/evil.svg"])
        if rng.random() < 0.2 and extra not in {i.filename for i, _ in members}:
            z.writestr(extra, EVIL_SVG)
    return out.getvalue()


_HOSTILE_JSON = ("<script>alert(1)</script>", "javascript:alert(1)", "onclick", "``", "</", "$", "\x00",
                 "data:text/html,<script>", "https://tracker.example/p.gif", "-1", "0", "999999")


def _mutate_json(rng: random.Random, data: bytes) -> bytes:
    """Strings and numbers of the IR replaced, nodes duplicated or dropped: shapes a hand-written file can have."""
    payload = json.loads(data)
    nodes: list[tuple[object, object]] = []

    def walk(v: object) -> None:
        if isinstance(v, dict):
            for k in list(v):
                nodes.append((v, k))
                walk(v[k])
        elif isinstance(v, list):
            for k in range(len(v)):
                nodes.append((v, k))
                walk(v[k])
    walk(payload)
    for _ in range(rng.randint(1, 5)):
        parent, key = rng.choice(nodes)
        value = parent[key]  # type: ignore[index]
        op = rng.random()
        if isinstance(value, str) and key not in ("t", "sha256", "data"):
            parent[key] = rng.choice((value + rng.choice(_HOSTILE_JSON), rng.choice(_HOSTILE_JSON),  # type: ignore[index]
                                      _mutate_text(rng, value)))
        elif isinstance(value, int) and not isinstance(value, bool):
            parent[key] = rng.choice((0, -1, 7, 10 ** 6, value + 1))  # type: ignore[index]
        elif isinstance(value, list) and value and op < 0.5:
            value.append(value[rng.randrange(len(value))])
        elif isinstance(value, list) and value:
            value.pop(rng.randrange(len(value)))
        elif key == "data" and isinstance(value, str):
            raw = base64.b64decode(value)
            parent[key] = base64.b64encode(_mutate_bytes(rng, raw)).decode()  # type: ignore[index]
            media = parent
            if isinstance(media, dict):
                media["sha256"] = hashlib.sha256(base64.b64decode(media[key])).hexdigest()
    return json.dumps(payload, ensure_ascii=False).encode()


NAMES = {"docx": "fz.docx", "odt": "fz.odt", "epub": "fz.epub", "tei": "fz.tei.xml", "html": "fz.html",
         "md": "fz.md", "ir": "fz.ir.json"}


def mutate(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """One mutant of a seed of format ``fmt``."""
    try:
        if fmt in ("docx", "odt", "epub"):
            return _mutate_zip(rng, data)
        if fmt == "ir":
            return _mutate_json(rng, data)
    except (zipfile.BadZipFile, ValueError, KeyError, IndexError, TypeError):
        pass
    return _mutate_bytes(rng, data)


# --------------------------------------------------------------------------- one case
class CaseTimeout(BaseException):
    """A case ran past :data:`CASE_BUDGET` CPU seconds (a BaseException: no ``except Exception`` swallows it)."""


def _on_budget(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout


@dataclasses.dataclass
class Outcome:
    """How one case ended."""

    kind: str
    """``ok``, ``refused`` or a finding: ``traceback``, ``active-content``, ``multi-line-error``, ``timeout``,
    ``memory``, ``unreadable`` (an output its own format's reader refuses: pandoc on our Markdown)."""
    detail: str = ""


def workspace() -> Path:
    """A folder with the local pictures the hostile sources name (``evil.svg``, ``bomb.png``)."""
    folder = Path(tempfile.mkdtemp(prefix="docpipe-fuzz-"))
    (folder / "evil.svg").write_bytes(EVIL_SVG)
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    (folder / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000,
                                                                                         8, 0, 0, 0, 0))
                                      + chunk(b"IDAT", zlib.compress(b"\0" * 61)) + chunk(b"IEND", b""))
    return folder


def run_case(fmt: str, data: bytes, folder: Path, *, pdf: bool = False, budget: float = CASE_BUDGET) -> Outcome:
    """Read ``data`` as format ``fmt`` and render every format; scan every output and picture for active content."""
    from pipeline import core
    from pipeline.diagnostics import Diagnostics
    from pipeline.errors import DocpipeError
    from pipeline.options import Options
    from tests.active_content import scan_folder_files

    options = Options(source_date_epoch=0, base_dir=str(folder), output_name="fz", tool_timeout=60.0)
    old = signal.signal(signal.SIGVTALRM, _on_budget)
    signal.setitimer(signal.ITIMER_VIRTUAL, budget)
    try:
        diag = Diagnostics()
        doc = core.read_bytes(data, NAMES[fmt], options, diag)
        formats = [*FORMATS, "pdf"] if pdf else list(FORMATS)
        rendered = core.render(doc, formats, options, diag)
    except DocpipeError as exc:
        line = exc.one_line()
        return Outcome("multi-line-error", line) if "\n" in line else Outcome("refused", line[:200])
    except CaseTimeout:
        return Outcome("timeout", f"over {budget} CPU seconds")
    except MemoryError:
        return Outcome("memory", "MemoryError")
    except RecursionError:
        return Outcome("traceback", "RecursionError\n" + traceback.format_exc(limit=-8))
    except Exception as exc:  # a finding: anything but the project's own errors
        return Outcome("traceback", f"{type(exc).__name__}: {exc}"[:300] + "\n" + traceback.format_exc(limit=-8))
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, old)
    ext = {"tei": "tei.xml", "ir": "ir.json"}
    files = {f"fz.{ext.get(f, f)}": b for f, b in rendered.files.items()}
    files.update({f"fz.media/{n}": b for n, b in rendered.media.items()})
    try:
        found = scan_folder_files(files)
    except subprocess.TimeoutExpired as exc:  # pandoc stuck on our Markdown (the 2026-12-02 campaign hung on one)
        return Outcome("timeout", f"{exc.cmd[0].rsplit('/', 1)[-1]} took over {exc.timeout} s to read an output")
    except subprocess.CalledProcessError as exc:  # pandoc could not read our Markdown (seed 34 stopped on one)
        err = (exc.stderr or b"").decode("utf-8", "replace").strip()[:300]
        return Outcome("unreadable", f"{exc.cmd[0].rsplit('/', 1)[-1]} exit {exc.returncode} reading an output: {err}")
    if found:
        return Outcome("active-content", "; ".join(found[:5]))
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 > MEMORY_BUDGET:
        return Outcome("memory", f"resident memory past {MEMORY_BUDGET >> 20} MB")
    return Outcome("ok")


FINDING_KINDS = frozenset({"traceback", "active-content", "multi-line-error", "timeout", "memory", "unreadable"})


def save_finding(fmt: str, data: bytes, outcome: Outcome, origin: str, dest: Path = FINDINGS) -> Path:
    """The input as a fixture named by its hash, and a note of what it showed and where it came from."""
    digest = hashlib.sha256(data).hexdigest()[:12]
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{outcome.kind}-{digest}.{NAMES[fmt].split('.', 1)[1]}"
    path.write_bytes(data)
    note = {"format": fmt, "kind": outcome.kind, "detail": outcome.detail.split("\n")[0][:500], "origin": origin}
    path.with_name(path.name + ".json").write_text(json.dumps(note, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the campaign
@dataclasses.dataclass
class Report:
    """Counts of a campaign."""

    cases: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)
    by_format: Counter[str] = dataclasses.field(default_factory=Counter)
    findings: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.cases} cases in {self.seconds:.0f} s: " + ", ".join(f"{k} {v}" for k, v in
                                                                                sorted(self.outcomes.items())),
                 "by source format: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_format.items()))]
        lines += [f"FINDING {p}: {d}" for p, d in self.findings]
        return "\n".join(lines)


def cases(seed: int) -> Iterator[tuple[int, str, str, bytes]]:
    """(number, format, origin, input) forever: a seed chosen round-robin by format, mutated 1–3 times."""
    rng = random.Random(seed)
    pool = seeds()
    fmts = sorted(pool)
    n = 0
    while True:
        fmt = fmts[n % len(fmts)]
        name, data = rng.choice(pool[fmt])
        for _ in range(rng.randint(1, 3)):
            data = mutate(rng, fmt, data)
        yield n, fmt, f"seed {seed} case {n} from {name}", data
        n += 1


def campaign(seconds: float, seed: int = 1, *, pdf_every: int = 10, save: bool = True,
             max_cases: int | None = None, log: Callable[[str], None] | None = None) -> Report:
    """Run cases until ``seconds`` of wall time have passed (or ``max_cases``); findings saved as fixtures."""
    report = Report()
    folder = workspace()
    start = time.monotonic()
    for n, fmt, origin, data in cases(seed):
        if time.monotonic() - start >= seconds or (max_cases is not None and n >= max_cases):
            break
        outcome = run_case(fmt, data, folder, pdf=pdf_every > 0 and n % pdf_every == 0)
        report.cases += 1
        report.outcomes[outcome.kind] += 1
        report.by_format[fmt] += 1
        if outcome.kind in FINDING_KINDS:
            path = save_finding(fmt, data, outcome, origin) if save else Path(origin)
            report.findings.append((str(path), outcome.detail.split("\n")[0][:300]))
            if log:
                log(f"FINDING {path}: {outcome.detail[:2000]}")
        if log and report.cases % 50 == 0:
            log(f"{report.cases} cases, {time.monotonic() - start:.0f} s: {dict(report.outcomes)}")
    report.seconds = time.monotonic() - start
    return report


def atheris_main(seconds: float, seed: int) -> None:
    """Coverage-guided: libFuzzer picks the format, the seed and the mutation's random stream; a finding stops
    the run with the input saved by libFuzzer (``crash-…``) and as a fixture here."""
    import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]

    with atheris.instrument_imports():
        import pipeline.core
        import pipeline.guard
        import pipeline.media
        import pipeline.writers.markdown  # noqa: F401
    pool = seeds()
    fmts = sorted(pool)
    folder = workspace()

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        fmt = fmts[fdp.ConsumeIntInRange(0, len(fmts) - 1)]
        name, source = pool[fmt][fdp.ConsumeIntInRange(0, len(pool[fmt]) - 1)]
        rng = random.Random(fdp.ConsumeBytes(16))
        mutant = mutate(rng, fmt, source)
        outcome = run_case(fmt, mutant, folder, pdf=False)
        if outcome.kind in FINDING_KINDS:
            save_finding(fmt, mutant, outcome, f"atheris from {name}")
            raise RuntimeError(f"{outcome.kind}: {outcome.detail[:500]}")

    atheris.Setup([sys.argv[0], f"-max_total_time={int(seconds)}", f"-seed={seed}", "-rss_limit_mb=4096",
                   "-timeout=300"], one)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pdf-every", type=int, default=10, help="render PDF every N cases (0: never)")
    parser.add_argument("--engine", choices=("mutate", "atheris"), default="mutate")
    parser.add_argument("--no-save", action="store_true", help="do not write findings as fixtures")
    args = parser.parse_args(argv)
    if args.engine == "atheris":
        atheris_main(args.seconds, args.seed)
        return 0
    report = campaign(args.seconds, args.seed, pdf_every=args.pdf_every, save=not args.no_save,
                      log=lambda s: print(s, flush=True))
    print(report.summary(), flush=True)
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
