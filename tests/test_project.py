"""The project file forgives nothing, damaged build state heals, sources stay inside their folder (issues 25, 27)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import build
from pipeline.build.plan import Manifest
from pipeline.build.project import load_project, schema
from pipeline.errors import UsageError
from tests.conftest import ROOT

DOC = "第一章 導言\n\n1. 這是第一段。\n"


def docpipe(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)


def project(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "r.txt").write_text(DOC, encoding="utf-8")
    path = tmp_path / "docpipe.toml"
    path.write_text('[project]\nsource = "src"\noutput = "out"\n' + toml, encoding="utf-8")
    return path


@pytest.mark.parametrize("toml, message", [
    ('[edition.print]\nformats = ["tei"]\n', "unknown table or key 'edition'; did you mean 'editions'?"),
    ('[editions.print]\nformats = ["tei"]\nsript = "hans"\n', "did you mean 'script'?"),
    ('[editions.print]\nformats = ["tei"]\nscript = "hnas"\n', "did you mean 'hans'?"),
    ('[editions.print]\nformats = ["tei"]\npage_size = 5\n', "page_size = 5 is not text"),
    ('[editions.print]\nformats = ["tei"]\nmarks = "yes"\n', "marks = 'yes' is not bool"),
    ('[editions.print]\nformats = ["tei", "xml"]\n', "asked for twice"),
    ('[editions."../x"]\nformats = ["tei"]\n', "is not a plain name"),
    ('[editions.".."]\nformats = ["tei"]\n', "is not a plain name"),
    ('[editions."a\\u0000b"]\nformats = ["tei"]\n', "is not a plain name"),
    ('[editions.print]\nformats = ["tei"]\nmax_depth = -1\n', "must not be negative"),
    ('[editions.print]\nformats = ["tei"]\n[defaults]\nlang = "not a tag!"\n', "is not a language tag"),
    # tomllib reads it where the stack allows (then a plain key error) or stops at its depth: one line either way
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "unknown key 'x'|not valid TOML: nested too deeply"),
])
def test_a_misspelt_project_is_a_one_line_error(tmp_path: Path, toml: str, message: str) -> None:
    path = project(tmp_path, toml)
    with pytest.raises(UsageError) as err:
        load_project(path)
    assert any(m in err.value.one_line() for m in message.split("|"))
    r = docpipe("build", "--project", str(path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr


def test_project_key_typo_names_the_nearest(tmp_path: Path) -> None:
    path = tmp_path / "docpipe.toml"
    path.write_text('[project]\nsourse = "."\n[editions.a]\nformats = ["tei"]\n', encoding="utf-8")
    with pytest.raises(UsageError, match="did you mean 'source'"):
        load_project(path)


def test_every_edition_option_is_an_edition_key(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(b"")
    path = project(tmp_path, '[defaults]\nscript = "hans"\nmax_depth = 50\n'
                   '[editions.print]\nformats = ["pdf", "epub"]\nisbn = "978-3-16-148410-0"\ndoi = "10.1/x"\n'
                   'cover = "cover.png"\nbleed = "3mm"\nmarks = true\ndiplomatic = true\npdf_variant = "pdf/x-4"\n'
                   'lang = "zh-Hans"\nmetadata = { title = "書名", author = ["甲", "乙"] }\n'
                   'font = "Noto Serif CJK SC"\n'
                   'job_timeout = 30\n[editions.web]\nformats = ["html"]\nscript = "tw"\n')
    proj = load_project(path)
    print_, web = proj.editions
    opts = print_.options(build.Options())
    assert (opts.script, opts.isbn, opts.doi, opts.bleed, opts.marks, opts.diplomatic) == \
        ("hans", "978-3-16-148410-0", "10.1/x", "3mm", True, True)
    assert opts.cover == str((tmp_path / "cover.png").resolve()) and opts.serif_font == "Noto Serif CJK SC"
    assert opts.metadata == (("title", "書名"), ("author", "甲"), ("author", "乙"))
    assert (opts.max_depth, opts.job_timeout) == (50, 30.0)
    assert web.options(build.Options()).script == "tw" and web.options(build.Options()).max_depth == 50


def test_the_shipped_schema_is_the_checked_one() -> None:
    shipped = json.loads((ROOT / "pipeline" / "schema" / "docpipe.schema.json").read_text(encoding="utf-8"))
    assert shipped == schema(), "run: python -c 'from pipeline.build.project import schema' … (see Makefile schema)"
    assert set(shipped["properties"]) == {"project", "defaults", "editions", "book"}


def test_convert_inside_a_project_uses_its_defaults(tmp_path: Path) -> None:
    project(tmp_path, '[defaults]\nscript = "hans"\n[editions.a]\nformats = ["tei"]\n')
    r = docpipe("convert", "src/r.txt", "--to", "ir", "--out-dir", "o", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "这是第一段" in (tmp_path / "o" / "r.ir.json").read_text(encoding="utf-8")
    r = docpipe("convert", "src/r.txt", "--to", "ir", "--out-dir", "o", "--script", "keep", cwd=tmp_path)
    assert "這是第一段" in (tmp_path / "o" / "r.ir.json").read_text(encoding="utf-8")  # the command line wins


# ---- damaged build state: reported in one line, set aside, rebuilt ------------------------------------------------


@pytest.mark.parametrize("content", [
    b"{not json", b"[]", b'{"jobs": []}', b'{"jobs": {"a/r": 5}}', b"[" * 100_000,
    b'{"jobs": {"a/r": {"key": 1, "outputs": []}}}',
])
def test_a_damaged_manifest_is_set_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    m = Manifest(path)
    assert m.entries == {}
    assert len(m.problems) == 1
    if content.startswith(b'{"jobs": {"a/r"'):
        assert "wrong shape" in m.problems[0] and path.exists()
    else:
        assert "set aside" in m.problems[0] and (tmp_path / "manifest.json.corrupt-1").read_bytes() == content


def test_a_damaged_journal_line_loses_only_that_job(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    entry = {"key": "k", "outputs": {"a.tei.xml": "0" * 64}, "stat": {}}
    lines = [json.dumps({"label": "a", "entry": entry}), "garbage{", json.dumps({"label": "b", "entry": entry}),
             '{"label": "c", "entry": 7}', json.dumps({"label": "d", "entry": entry})[:20]]
    (tmp_path / "manifest.json.journal").write_text("\n".join(lines), encoding="utf-8")
    m = Manifest(path)
    assert sorted(m.entries) == ["a", "b"]
    assert "2 damaged line(s)" in m.problems[0]


def test_a_build_heals_after_a_damaged_manifest(tmp_path: Path) -> None:
    path = project(tmp_path, '[editions.a]\nformats = ["tei"]\n')
    assert docpipe("build", "--project", str(path), "-q").returncode == 0
    (tmp_path / "out" / "manifest.json").write_bytes(b"[" * 100_000)
    r = docpipe("build", "--project", str(path), "-q")
    assert r.returncode == 0, r.stderr
    assert "set aside as manifest.json.corrupt-1" in r.stderr and "Traceback" not in r.stderr
    assert docpipe("build", "--project", str(path), "-q").returncode == 0
    assert json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["jobs"]


# ---- sources are regular files inside their folder; outputs stay in theirs ---------------------------------------


def test_a_link_in_a_source_folder_is_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("1. 機密內容不可外洩。\n", encoding="utf-8")
    path = project(tmp_path, '[editions.a]\nformats = ["tei"]\n')
    (tmp_path / "src" / "leak.txt").symlink_to(secret)
    (tmp_path / "src" / "proc.txt").symlink_to("/proc/version")
    r = docpipe("build", "--project", str(path))
    assert r.returncode == 1
    assert "leak.txt: is a symbolic link" in r.stdout and "proc.txt: is a symbolic link" in r.stdout
    for out in (tmp_path / "out").rglob("*"):
        if out.is_file():
            text = out.read_text(encoding="utf-8", errors="replace")
            assert "機密" not in text and "Linux version" not in text
    r = docpipe("batch", str(tmp_path / "src"), "--to", "tei", "--out-dir", str(tmp_path / "b"))
    assert r.returncode == 1 and "leak.txt: is a symbolic link" in r.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_build_into_a_read_only_folder_is_exit_4(tmp_path: Path) -> None:
    path = project(tmp_path, '[editions.a]\nformats = ["tei"]\n')
    (tmp_path / "out").mkdir()
    (tmp_path / "out").chmod(0o500)
    try:
        r = docpipe("build", "--project", str(path))
    finally:
        (tmp_path / "out").chmod(0o700)
    assert r.returncode == 4 and "out" in r.stderr and "Traceback" not in r.stderr


def test_output_naming_a_file_and_proc_as_source_are_refused(tmp_path: Path) -> None:
    path = project(tmp_path, '[editions.a]\nformats = ["tei"]\n')
    (tmp_path / "out").write_text("x", encoding="utf-8")
    r = docpipe("build", "--project", str(path))
    assert r.returncode == 2 and "is a file, not a folder" in r.stderr
    path.write_text('[project]\nsource = "/proc/self"\n[editions.a]\nformats = ["tei"]\n', encoding="utf-8")
    r = docpipe("build", "--project", str(path))
    assert r.returncode == 2 and "is not a folder of documents" in r.stderr


def test_a_file_name_that_is_not_utf8_is_shown_safely(tmp_path: Path) -> None:
    path = project(tmp_path, '[editions.a]\nformats = ["tei"]\n')
    bad = os.fsencode(tmp_path / "src") + b"/caf\xe9\x1b[31m.txt"
    with open(bad, "wb") as fh:
        fh.write(DOC.encode("utf-8"))
    r = docpipe("build", "--project", str(path))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_a_book_project_is_built_once_and_rebuilt_when_a_chapter_changes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 第一章\n\n第一段，見[下一章](b.md)。\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# 第二章\n\n第二段。\n", encoding="utf-8")
    (tmp_path / "docpipe.toml").write_text('[book]\ntitle = "書"\nchapters = ["a.md", "b.md"]\n'
                                           '[project]\noutput = "out"\n[editions.web]\nformats = ["html", "tei"]\n',
                                           encoding="utf-8")
    first = docpipe("build", "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "1 built" in first.stdout
    tei = (tmp_path / "out" / "web" / f"{tmp_path.name}.tei.xml").read_text(encoding="utf-8")
    assert "第一段" in tei and "第二段" in tei
    again = docpipe("build", "-q", cwd=tmp_path)
    assert "0 built, 1 up to date" in again.stdout, again.stdout
    (tmp_path / "b.md").write_text("# 第二章\n\n改過的第二段。\n", encoding="utf-8")
    third = docpipe("build", "-q", cwd=tmp_path)
    assert "1 built" in third.stdout
    assert "改過的第二段" in (tmp_path / "out" / "web" / f"{tmp_path.name}.tei.xml").read_text(encoding="utf-8")


def _png(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def test_a_book_rebuild_rereads_only_the_chapters_that_changed(tmp_path: Path) -> None:
    """Issue 24: each chapter's IR is kept beside the manifest; editing one chapter re-reads that chapter alone
    (the others' entries are not rewritten), the outputs are the bytes a build with no cache makes, and a picture
    changed under the book's folder is noticed (the book is rebuilt, every chapter read again)."""
    book = tmp_path / "book"
    (book / "img").mkdir(parents=True)
    (book / "img" / "p.png").write_bytes(_png((200, 0, 0)))
    for n, text in enumerate(["第一段。", "第二段，見![圖](img/p.png)。", "第三段。"], 1):
        (book / f"c{n}.md").write_text(f"# 第{n}章\n\n{text}\n", encoding="utf-8")
    (book / "docpipe.toml").write_text('[book]\ntitle = "書"\nchapters = ["c1.md", "c2.md", "c3.md"]\n'
                                       '[project]\noutput = "out"\n[editions.web]\nformats = ["html", "tei"]\n',
                                       encoding="utf-8")
    env_epoch = {"SOURCE_DATE_EPOCH": "1700000000"}

    def run(where: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", "build", "-q"], cwd=where, capture_output=True,
                              text=True, timeout=600, env={**os.environ, **env_epoch})

    def entries(kind: str = "chapter") -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in (book / "out" / "chapters.cache").rglob("*.json")
                if p.name.startswith("book-") == (kind == "book")}

    assert run(book).returncode == 0
    first = entries()
    assert len(first) == 3
    whole = entries("book")
    assert len(whole) == 1  # the whole book as the workers were sent it
    forced = subprocess.run([sys.executable, "-m", "pipeline", "build", "-q", "--force"], cwd=book,
                            capture_output=True, text=True, timeout=600, env={**os.environ, **env_epoch})
    assert forced.returncode == 0 and entries("book") == whole and entries() == first  # nothing read again
    (book / "c3.md").write_text("# 第3章\n\n改過的第三段。\n", encoding="utf-8")
    assert "1 built" in run(book).stdout
    second = entries()
    assert len(second) == 3 and len(set(second) & set(first)) == 2  # the old c3 entry pruned, one new
    assert len(entries("book")) == 1 and not set(entries("book")) & set(whole)  # the book kept anew
    assert all(second[name] == first[name] for name in set(second) & set(first))  # c1, c2 not read again
    outputs = sorted((book / "out" / "web").iterdir())
    kept = {p.name: p.read_bytes() for p in outputs if p.is_file()}
    assert "改過的第三段" in kept[f"{book.name}.tei.xml"].decode("utf-8")
    fresh = tmp_path / "fresh"  # the same book built with no cache at all
    shutil.copytree(book, fresh, ignore=shutil.ignore_patterns("out"))
    (fresh / "img" / "p.png").write_bytes((book / "img" / "p.png").read_bytes())
    assert run(fresh).returncode == 0
    made = {p.name.replace(fresh.name, book.name): p.read_bytes().replace(fresh.name.encode(), book.name.encode())
            for p in (fresh / "out" / "web").iterdir() if p.is_file()}
    assert made == kept
    (book / "img" / "p.png").write_bytes(_png((0, 0, 200)))
    assert "1 built" in run(book).stdout
    assert not set(entries()) & set(second)  # every chapter read again
