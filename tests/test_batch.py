"""docpipe build and docpipe batch: editions matrix, parallel workers, incremental manifest, isolated failures."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import pipeline
from pipeline import build as batch
from pipeline.cli import main
from pipeline.errors import InputError, UsageError
from pipeline.options import Edition, Options
from tests.clock import move_clock
from tests.conftest import ROOT, SAMPLE
from tests.waiting import running, wait_for, wait_gone

DOCPIPE = ROOT / ".venv" / "bin" / "docpipe"

PROJECT = """
[project]
source = "src"
output = "out"

[editions.web]
script = "tw"
formats = ["html", "tei"]

[editions.print]
script = "hans"
formats = ["pdf"]
page_size = "A5"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SAMPLE, src / "report.txt")
    (src / "notes.md").write_text("# 導言\n\n1. 第一段。\n", encoding="utf-8")
    pipeline.convert(src / "notes.md", ["docx"], src, Options(source_date_epoch=0), name="manuscript")
    (src / "broken.txt").write_bytes(b"\xff\xfe\x00\x00\x01")
    (tmp_path / "docpipe.toml").write_text(PROJECT, encoding="utf-8")
    return tmp_path


def run(project: Path, **kw: object) -> list[batch.Outcome]:
    return batch.build(batch.load_project(project / "docpipe.toml"), stream=io.StringIO(), **kw)  # type: ignore[arg-type]


def test_build_every_edition_and_isolate_failures(project: Path) -> None:
    outcomes = run(project, workers=2)
    failed = [o for o in outcomes if not o.ok]
    assert {o.label for o in failed} == {"web/broken", "print/broken"}
    assert all("broken.txt" in o.error for o in failed)
    good = [o for o in outcomes if o.ok]
    assert len(good) == 6
    assert (project / "out" / "web" / "report.html").exists() and (project / "out" / "print" / "report.pdf").exists()
    manifest = json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["jobs"]["print/report"]
    assert len(next(iter(entry["outputs"].values()))) == 64

    again = run(project, workers=2)
    assert [o.label for o in again if o.ok and not o.skipped] == []

    (project / "src" / "notes.md").write_text("# 導言\n\n1. 改過的第一段。\n", encoding="utf-8")
    third = run(project)
    assert sorted(o.label for o in third if o.ok and not o.skipped) == ["print/notes", "web/notes"]


def test_style_change_rebuilds_only_its_formats(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    css = project / "print.css"
    shutil.copy(ROOT / "styles" / "print.css", css)
    monkeypatch.setitem(batch.FORMAT_DEPS, "pdf", [str(css)])
    run(project)
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    rebuilt = sorted(o.label for o in run(project) if o.ok and not o.skipped)
    assert rebuilt == ["print/manuscript", "print/notes", "print/report"]


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path) -> None:
    run(project)
    first = {p.relative_to(project / "out"): p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()
             and p.name != "manifest.json"}
    shutil.rmtree(project / "out")
    run(project, force=True)
    second = {p.relative_to(project / "out"): p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()
              and p.name != "manifest.json"}
    assert first.keys() == second.keys() and all(first[k] == second[k] for k in first)


def test_cli_batch_and_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", str(project / "src"), "--to", "tei,html", "--out-dir", str(project / "b"), "-j", "2"])
    out = capsys.readouterr()
    assert code == 1
    assert "FAILED broken" in out.out and "3 built" in out.out and "1 failed" in out.out
    assert (project / "b" / "report.tei.xml").exists()
    assert "[" in out.err and "ok" in out.err  # progress lines when not a terminal


def test_cli_batch_pdf_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``batch --pdf-engine typst`` sets every document's PDF with Typst, as ``convert --pdf-engine`` does one's;
    without it, ``auto`` picks WeasyPrint for a short report."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SAMPLE, src / "report.txt")
    made = {}
    for engine in ("typst", "auto"):
        out = tmp_path / engine
        assert main(["batch", str(src), "--to", "pdf", "--out-dir", str(out), "-j", "1", "-q",
                     "--pdf-engine", engine]) == 0
        info = subprocess.run(["pdfinfo", str(out / "report.pdf")], capture_output=True, text=True).stdout
        made[engine] = " ".join(re.findall(r"^(?:Creator|Producer):\s+(\S+)", info, re.M))
    assert "Typst" in made["typst"] and "WeasyPrint" not in made["typst"], made
    assert "WeasyPrint" in made["auto"] and "Typst" not in made["auto"], made
    capsys.readouterr()


def test_cli_build_reports_bad_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docpipe.toml").write_text("[editions.x]\nformats = ['nope']\n", encoding="utf-8")
    assert main(["build", "--project", str(tmp_path / "docpipe.toml")]) == 2
    assert "unknown output format 'nope'" in capsys.readouterr().err
    with pytest.raises(UsageError, match="unknown key 'colour'"):
        (tmp_path / "p.toml").write_text("[editions.x]\nformats = ['tei']\ncolour = 'red'\n", encoding="utf-8")
        batch.load_project(tmp_path / "p.toml")


def test_repository_project_file_is_valid() -> None:
    proj = batch.load_project(ROOT / "docpipe.toml")
    assert {e.name for e in proj.editions} == {"tw", "hans", "archive"}
    assert any(e.edition.page_size == "A5" for e in proj.editions)


# ---- mistakes are one-line errors -----------------------------------------------------------------------------


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("docpipe: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_cli_mistakes_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "only.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "x.pdf").write_bytes(b"%PDF-1.7\n")
    out = str(tmp_path / "out")
    cases = [
        (["batch", str(tmp_path / "nosuch"), "--to", "tei", "--out-dir", out], 1, "nosuch: cannot read: No such file"),
        (["batch", str(tmp_path / "empty"), "--to", "tei", "--out-dir", out], 2, "nothing to convert"),
        (["batch", str(tmp_path / "pdfs"), "--to", "tei", "--out-dir", out], 2, "nothing to convert"),
        (["batch", str(tmp_path / "only.pdf"), "--to", "tei", "--out-dir", out], 2, "cannot tell the input format"),
        (["batch", str(tmp_path / "empty"), "--to", "nope", "--out-dir", out], 2, "unknown output format 'nope'"),
        (["batch", str(tmp_path / "empty"), "--to", "tei", "--out-dir", out, "-j", "0"], 2, "at least one worker"),
    ]
    for project_source in ("nosuch", "empty"):
        toml = tmp_path / f"{project_source}.toml"
        toml.write_text(f'[project]\nsource = "{project_source}"\n[editions.x]\nformats = ["tei"]\n', encoding="utf-8")
        cases.append((["build", "--project", str(toml)], 1 if project_source == "nosuch" else 2,
                      "source folder does not exist" if project_source == "nosuch" else "nothing to convert"))
    for argv, code, message in cases:
        assert main(argv) == code, argv
        assert message in one_error_line(capsys.readouterr().err), argv
    assert not (tmp_path / "out").exists()


def test_unreadable_files_fail_alone_and_leave_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.md").write_text("# 導言\n\n1. 第一段。\n", encoding="utf-8")
    (src / "dangling.txt").symlink_to(src / "nowhere.txt")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    os.mkfifo(src / "pipe.txt")  # reading it would block for ever
    unreadable = ["dangling", "loop"]
    if os.geteuid() != 0:  # root reads anything: the links above stand for unreadable files then
        (src / "secret.txt").write_text("1. 秘密。\n", encoding="utf-8")
        (src / "secret.txt").chmod(0)
        unreadable.append("secret")
    code = main(["batch", str(src), "--to", "tei", "--out-dir", str(tmp_path / "out"), "-j", "2"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    for name in unreadable:
        assert re.search(rf"^FAILED {name}: \S+{name}\.txt: cannot read: ", captured.out, re.MULTILINE), captured.out
        assert "FAILED: " in (tmp_path / "out" / f"{name}.log").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "good.tei.xml").exists()
    assert re.search(r"^FAILED pipe: \S+pipe\.txt: is not a regular file", captured.out, re.MULTILINE)
    assert "1 built" in captured.out and f"{len(unreadable) + 1} failed" in captured.out
    with pytest.raises(InputError, match="cannot read"):
        batch.collect([src / "dangling.txt"])


# ---- diagnostics: -v and a log per job ------------------------------------------------------------------------


def test_verbose_prints_each_jobs_diagnostics_and_every_job_leaves_a_log(project: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", "--project", str(project / "docpipe.toml"), "-j", "2", "-v"])
    captured = capsys.readouterr()
    assert code == 1
    # every job's diagnostics, each naming its job: the report's repairs, the notes' counts, the broken file
    assert re.search(r"^  web/report: \S*report\.txt.*\[removed-furniture\]", captured.err, re.MULTILINE), \
        captured.err[:3000]
    assert re.search(r"^  print/notes: .*\[transform-count\] script:", captured.err, re.MULTILINE)
    out = project / "out"
    for edition, formats in (("web", (".html", ".tei.xml")), ("print", (".pdf",))):
        for name in ("report", "notes", "manuscript"):
            log = (out / edition / f"{name}.log").read_text(encoding="utf-8")
            assert log.splitlines()[0].startswith(f"docpipe {pipeline.__version__}: ")
            assert log.splitlines()[-1] == "ok: " + " ".join(name + s for s in formats)
            assert "[transform-count]" in log
        broken = (out / edition / "broken.log").read_text(encoding="utf-8")
        assert broken.splitlines()[-1].startswith("FAILED: ") and "broken.txt" in broken
    report_log = (out / "web" / "report.log").read_text(encoding="utf-8")
    assert "[removed-furniture]" in report_log  # the reader's own diagnostics reach every edition's log
    assert "[removed-furniture]" in (out / "print" / "report.log").read_text(encoding="utf-8")
    quiet = main(["build", "--project", str(project / "docpipe.toml"), "-q"])
    captured = capsys.readouterr()
    assert quiet == 1 and "[" not in captured.err and "6 up to date" in captured.out


# ---- one stem, several sources --------------------------------------------------------------------------------


def test_sources_sharing_a_stem_never_overwrite_each_other(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for sub, text in (("a", "一"), ("b", "二")):
        (src / sub).mkdir(parents=True)
        (src / sub / "report.md").write_text(f"# 報告{text}\n\n1. 第{text}段。\n", encoding="utf-8")
    (src / "report.txt").write_text("1. 第三段。\n", encoding="utf-8")
    (src / "report.md").write_text("# 報告四\n\n1. 第四段。\n", encoding="utf-8")
    (src / "notes.md").write_text("# 筆記\n", encoding="utf-8")
    outcomes = batch.batch([src], ["tei"], tmp_path / "out", stream=io.StringIO())
    ok = {o.label for o in outcomes if o.ok}
    assert ok == {"a/report", "b/report", "notes"}
    assert "第一段" in (tmp_path / "out" / "a" / "report.tei.xml").read_text(encoding="utf-8")
    assert "第二段" in (tmp_path / "out" / "b" / "report.tei.xml").read_text(encoding="utf-8")
    failed = [o for o in outcomes if not o.ok]
    assert len(failed) == 2
    for o in failed:
        assert "report.md and " in o.error and "report.txt would both be written as" in o.error
    assert not (tmp_path / "out" / "report.tei.xml").exists()

    proj = tmp_path / "docpipe.toml"
    proj.write_text('[project]\nsource = "src/a"\noutput = "ed"\n[editions.x]\nformats = ["tei"]\n', encoding="utf-8")
    (src / "a" / "sub").mkdir()
    (src / "a" / "sub" / "report.md").write_text("# 子\n\n1. 子段。\n", encoding="utf-8")
    built = batch.build(batch.load_project(proj), stream=io.StringIO())
    assert sorted(o.label for o in built if o.ok) == ["x/report", "x/sub/report"]
    assert (tmp_path / "ed" / "x" / "sub" / "report.tei.xml").exists()


# ---- progress -------------------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_has_counts_and_eta_on_a_terminal_and_plain_lines_otherwise(project: Path) -> None:
    (project / "src" / "broken.txt").unlink()
    term = Terminal()
    batch.batch([project / "src"], ["tei"], project / "t", stream=term)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.getvalue())
    assert "3/3" in shown and "ETA" in shown and "0 failed" in shown
    plain = io.StringIO()
    batch.batch([project / "src"], ["tei"], project / "p", stream=plain)
    lines = plain.getvalue().splitlines()
    assert len(lines) == 3 and all(re.fullmatch(r"\[\d/3\] ok \S+ \(\d+\.\d s\)", ln) for ln in lines), lines
    assert "\x1b" not in plain.getvalue()


# ---- what a worker computes is what convert writes; one read per document --------------------------------------


def _same_bytes_as_convert(project: Path, tmp_path: Path, editions: tuple[batch.EditionSpec, ...],
                           between: Callable[[], None] = lambda: None) -> None:
    source = project / "src" / "report.txt"
    task = batch.Task(name=str(source), data=source.read_bytes(), stem="report", base_dir=str(source.parent),
                      editions=editions, epoch=1724198400, deps=batch.dep_shas(["tei", "pdf", "epub", "docx"]))
    result = batch.render_task(task)
    assert [r.ok for r in result.results] == [True] * len(editions)
    between()
    for edition, res in zip(editions, result.results, strict=True):
        converted = pipeline.convert(source, list(edition.formats), tmp_path / f"c-{edition.name}",
                                     edition.options(Options(source_date_epoch=1724198400)))
        for fmt, path in converted.outputs.items():
            assert res.files[fmt] == path.read_bytes(), (edition.name, fmt)


def test_an_edition_with_tei_and_pdf_is_reproducible(project: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Two builds straddle seconds and days: the second runs on a clock 400 days and 1.5 s later (explicit times,
    not a wait), and makes the same bytes (the PDF's attachment, dates and ids come from SOURCE_DATE_EPOCH)."""
    _same_bytes_as_convert(project, tmp_path, (batch.EditionSpec(name="a", formats=("tei", "pdf")),),
                           between=lambda: move_clock(monkeypatch, 400 * 86400 + 1.5))


def test_batch_bytes_equal_convert_and_a_document_is_read_once(project: Path, tmp_path: Path) -> None:
    editions = (batch.EditionSpec(name="a", formats=("pdf",), edition=Edition(script="hans", page_size="A5")),
                batch.EditionSpec(name="b", formats=("tei", "epub", "docx"), edition=Edition(script="tw")))
    source = project / "src" / "report.txt"
    jobs = [batch.Job(batch.Source(source, "report"), e, tmp_path / e.name) for e in editions]
    groups = batch._group(jobs, parallel=1)
    assert len(groups) == 1 and len(groups[0]) == 2  # one task: the document is read once for both editions
    task = batch.Task(name=str(source), data=source.read_bytes(), stem="report", base_dir=str(source.parent),
                      editions=editions, epoch=1724198400, deps=batch.dep_shas(["tei", "pdf", "epub", "docx"]))
    result = batch.render_task(task)
    assert [r.ok for r in result.results] == [True, True]
    for edition, res in zip(editions, result.results, strict=True):
        opts = edition.options(Options(source_date_epoch=1724198400))
        converted = pipeline.convert(source, list(edition.formats), tmp_path / f"c-{edition.name}", opts)
        for fmt, path in converted.outputs.items():
            assert res.files[fmt] == path.read_bytes(), (edition.name, fmt)
        assert sum("[removed-furniture]" in line for line in res.log) >= 1
    stale = batch.Task(**{**task.__dict__, "deps": (("styles/print.css", "0" * 64),)})
    refused = batch.render_task(stale)
    assert not any(r.ok for r in refused.results)
    assert "styles/print.css differs between the client and worker" in refused.results[0].error


# ---- the manifest survives interruptions ----------------------------------------------------------------------


def test_manifest_journal_replays_and_ignores_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    m = batch.Manifest(path)
    m._save_cost = 1e9  # never rewrite during the run: everything goes through the journal
    m._saved_at = time.monotonic()
    m.record("x/a", {"key": "k1", "outputs": {}})
    m.record("x/b", {"key": "k2", "outputs": {}})
    m.record("x/a", None)
    with open(m.journal_path, "a", encoding="utf-8") as fh:
        fh.write('{"label": "x/c", "entr')  # the process was killed mid-line
    again = batch.Manifest(path)
    assert set(again.entries) == {"x/b"}
    again.save()
    assert json.loads(path.read_text(encoding="utf-8"))["jobs"] == {"x/b": {"key": "k2", "outputs": {}}}
    assert not again.journal_path.exists()


def _copies(tmp_path: Path, n: int) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(n):
        (src / f"r{i}.txt").write_text(text + f"\n{i}\n", encoding="utf-8")
    # the Typst engine: jobs of about a second each, long enough to be interrupted between the first and the last
    (tmp_path / "docpipe.toml").write_text('[project]\nsource = "src"\noutput = "out"\n'
                                           '[editions.print]\nformats = ["pdf"]\npdf_engine = "typst"\n',
                                           encoding="utf-8")
    return tmp_path / "docpipe.toml"


def _start_build(toml: Path, *extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1724198400")
    return subprocess.Popen([str(DOCPIPE), "build", "--project", str(toml), "-j", "2", *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _done_jobs(out: Path) -> int:
    """Jobs the manifest (and its journal) record as finished."""
    return len(batch.Manifest(out / "manifest.json").entries)


def _check_consistent(out: Path, killed: int | None = None) -> dict[str, object]:
    """manifest.json is whole JSON, and every output it (with its journal) lists is there with its sha256; no
    temporary file is left, but those of a process ``killed`` with SIGKILL in the middle of a write (nothing of
    ours runs then: the next run removes them)."""
    json.loads((out / "manifest.json").read_text(encoding="utf-8")) if (out / "manifest.json").exists() else None
    entries = batch.Manifest(out / "manifest.json").entries
    for entry in entries.values():
        for rel, sha in entry["outputs"].items():
            assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha
    mine = f".{killed}.docpipe-tmp-"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") and not (killed and mine in p.name)]
    return entries


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _workers(pid: int) -> list[int]:
    return [k for k in _children(pid) if b"docpipe" not in Path(f"/proc/{k}/cmdline").read_bytes()
            and b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()
            and b"resource_tracker" not in Path(f"/proc/{k}/cmdline").read_bytes()]


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_an_interrupted_build_keeps_a_consistent_manifest_and_the_next_run_finishes(tmp_path: Path, how: str) -> None:
    toml = _copies(tmp_path, 6)
    out = tmp_path / "out"
    styles = batch.dep_shas(["pdf"])
    proc = _start_build(toml)
    try:
        wait_for(lambda: _done_jobs(out) >= 1, "a first finished job", proc)
        workers = _workers(proc.pid)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: the whole foreground group gets it
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
            assert not batch.Manifest(out / "manifest.json").journal_path.exists()  # folded in on the way out
        else:
            proc.kill()  # kill -9: nothing of ours runs; workers notice their client is gone and leave
            proc.communicate(timeout=60)
            wait_gone(workers, "the orphaned workers to exit", 60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    kept = _check_consistent(out, killed=proc.pid if how == "kill" else None)
    assert 1 <= len(kept) < 6
    if batch.dep_shas(["pdf"]) != styles:  # someone edited styles/print.css meanwhile: then all are out of date
        kept = {}
    again = _start_build(toml)
    stdout, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert f"{6 - len(kept)} built, {len(kept)} up to date, 0 failed" in stdout
    assert len(_check_consistent(out)) == 6
    assert not batch.Manifest(out / "manifest.json").journal_path.exists()


def test_a_dead_worker_is_a_failed_job_and_the_build_goes_on(tmp_path: Path) -> None:
    toml = _copies(tmp_path, 6)
    out = tmp_path / "out"
    proc = _start_build(toml)
    try:
        wait_for(lambda: _done_jobs(out) >= 1, "a first finished job", proc)
        workers = _workers(proc.pid)
        assert len(workers) == 2
        busy: list[int] = []

        def rendering() -> bool:
            busy[:] = running(workers)
            return bool(busy)

        wait_for(rendering, "a worker rendering a document", proc)
        os.kill(busy[0], signal.SIGKILL)  # the one rendering a document right now, as the OOM killer would
        stdout, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1 and "Traceback" not in err and "BrokenProcessPool" not in err, err
    assert "5 built, 0 up to date, 1 failed" in stdout, stdout
    failed = re.findall(r"^FAILED (print/r\d): (.*)$", stdout, re.MULTILINE)
    assert len(failed) == 1 and "the worker process died while building it: SIGKILL" in failed[0][1]
    assert "died" in (out / "print" / f"{failed[0][0].split('/')[1]}.log").read_text(encoding="utf-8")
    assert len(_check_consistent(out)) == 5


def test_pictures_travel_beside_html_and_tei_as_convert_puts_them(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "real" / "pandoc-docx-inline_images.docx", src / "pictures.docx")
    outcomes = batch.batch([src], ["html", "tei", "epub"], tmp_path / "out", stream=io.StringIO())
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    converted = pipeline.convert(src / "pictures.docx", ["html", "tei", "epub"], tmp_path / "conv",
                                 Options(source_date_epoch=1724198400))
    media = sorted(p.name for p in (tmp_path / "conv" / "pictures.media").iterdir())
    assert media and sorted(p.name for p in (tmp_path / "out" / "pictures.media").iterdir()) == media
    for fmt, path in converted.outputs.items():
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes(), fmt
    entry = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["jobs"]["pictures"]
    assert {f"pictures.media/{m}" for m in media} <= set(entry["outputs"])
    (tmp_path / "out" / "pictures.media" / media[0]).unlink()  # a lost picture is an out-of-date job
    again = batch.batch([src], ["html", "tei", "epub"], tmp_path / "out", stream=io.StringIO())
    assert [o.skipped for o in again] == [False] and (tmp_path / "out" / "pictures.media" / media[0]).exists()
