"""EPUB for a publisher (issue 17): a cover (given or drawn), identifiers and series in the package metadata,
dcterms:modified from SOURCE_DATE_EPOCH or the document's date (never 1980), a house stylesheet."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.errors import UsageError
from pipeline.options import Options
from pipeline.writers.epub import isbn13
from tests.conftest import SAMPLE
from tests.epubcheck_run import epubcheck as run_epubcheck

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
ISBN = "978-92-1-101467-9"


def members(path: Path | bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(path if isinstance(path, Path) else io.BytesIO(path)) as z:
        return {n: z.read(n) for n in z.namelist()}


def opf(files: dict[str, bytes]) -> etree._Element:
    return etree.fromstring(files["EPUB/content.opf"])


def epubcheck(path: Path) -> str:
    r = run_epubcheck(path)
    assert r.returncode == 0, r.stdout[-3000:]
    return r.stdout


def test_generated_cover_passes_epubcheck(tmp_path: Path) -> None:
    options = Options(source_date_epoch=1724198400, isbn=ISBN, doi="https://doi.org/10.18356/9789210000001")
    path = pipeline.convert(SAMPLE, ["epub"], tmp_path, options).outputs["epub"]
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in epubcheck(path)
    files = members(path)
    package = opf(files)
    item = package.find(".//opf:item[@properties='cover-image']", NS)
    assert item is not None and item.get("media-type") == "image/png"
    from PIL import Image
    with Image.open(io.BytesIO(files["EPUB/" + (item.get("href") or "")])) as im:
        assert im.size == (1600, 2400)
        # the title is drawn (white text on the blue ground), not an empty picture
        assert im.convert("L").point(lambda v: 255 if v > 200 else 0).getbbox() is not None
    spine = [r.get("idref") for r in package.findall(".//opf:itemref", NS)]
    assert spine[:2] == ["cover", "title"]
    cover = etree.fromstring(files["EPUB/text/cover.xhtml"])
    img = cover.find(".//x:img", NS)
    assert img is not None and "聯合國秘書長" in (img.get("alt") or "")
    assert cover.find("x:body", NS).get(f"{{{NS['epub']}}}type") == "cover"
    assert landmark_names(files) == ("導覽", ["封面", "目錄"])  # named in the document's language


def landmark_names(files: dict[str, bytes]) -> tuple[str, list[str]]:
    """The landmarks list's heading and the names of its first two entries (cover and contents)."""
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    assert landmarks is not None
    return (landmarks.findtext("x:h2", namespaces=NS) or "",
            ["".join(a.itertext()) for a in landmarks.iterfind(".//x:a", NS)][:2])


def test_landmarks_are_named_in_the_documents_language(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("# A guide\n\nSome text.\n\n## More\n\nMore text.\n", encoding="utf-8")
    for lang, heading, contents in (("en", "Landmarks", "Contents"), ("fr-CA", "Repères", "Table des matières")):
        options = Options(source_date_epoch=0, lang=lang)
        files = members(pipeline.convert(guide, ["epub"], tmp_path / lang, options).outputs["epub"])
        assert landmark_names(files)[0] == heading
        assert contents in landmark_names(files)[1]


def test_given_cover_is_used_and_checked(tmp_path: Path) -> None:
    from PIL import Image
    picture = tmp_path / "cover.jpg"
    Image.new("RGB", (600, 900), (200, 30, 30)).save(picture, format="JPEG")
    options = Options(source_date_epoch=1724198400, cover=str(picture), script="hans")
    path = pipeline.convert(SAMPLE, ["epub"], tmp_path / "out", options).outputs["epub"]
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in epubcheck(path)
    files = members(path)
    item = opf(files).find(".//opf:item[@properties='cover-image']", NS)
    assert item is not None and item.get("media-type") == "image/jpeg"
    assert files["EPUB/" + (item.get("href") or "")] == picture.read_bytes()
    assert landmark_names(files) == ("导览", ["封面", "目录"])  # the Simplified edition's names


def test_bad_covers_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    with pytest.raises(UsageError, match="--cover"):
        pipeline.convert(SAMPLE, ["epub"], tmp_path / "a", Options(cover=str(broken)))
    from PIL import Image
    big = tmp_path / "big.png"
    Image.new("L", (3000, 3000)).save(big)
    with pytest.raises(UsageError, match=r"decompression bomb|max-image-pixels"):
        pipeline.convert(SAMPLE, ["epub"], tmp_path / "b", Options(cover=str(big), max_image_pixels=1_000_000))
    with pytest.raises(UsageError, match="--cover"):
        pipeline.convert(SAMPLE, ["epub"], tmp_path / "c", Options(cover=str(tmp_path / "missing.png")))
    assert not (tmp_path / "a").exists() or not list((tmp_path / "a").iterdir())


def test_identifiers_and_series(tmp_path: Path) -> None:
    doc = ir.Document(metadata=ir.Metadata(title="報告", symbol="A/79/1", language="zh-Hant", date="2024-08-21",
                                           series=("聯合國秘書長報告",)),
                      blocks=(ir.Para(children=(ir.Text(text="正文。"),)),))
    data = pipeline.write(doc, "epub", Options(source_date_epoch=0, isbn="92-1-101467-0", doi="10.18356/abc"),
                          Diagnostics())
    package = opf(members(data))
    ids = {i.get("id"): i.text for i in package.findall(".//dc:identifier", NS)}
    assert ids["isbn"] == "urn:isbn:9789211014679" and ids["doi"] == "doi:10.18356/abc" and ids["symbol"] == "A/79/1"
    types = {m.get("refines"): m.text for m in package.findall(".//opf:meta[@property='identifier-type']", NS)}
    assert types == {"#isbn": "15", "#doi": "06", "#symbol": "UN document symbol"}
    collection = package.find(".//opf:meta[@property='belongs-to-collection']", NS)
    assert collection is not None and collection.text == "聯合國秘書長報告"
    kind = package.find(f".//opf:meta[@refines='#{collection.get('id')}']", NS)
    assert kind is not None and kind.get("property") == "collection-type" and kind.text == "series"


def test_invalid_identifiers_are_refused() -> None:
    assert isbn13("978-92-1-101467-9") == "9789211014679"
    with pytest.raises(UsageError, match="check digit"):
        isbn13("978-92-1-101467-2")
    with pytest.raises(UsageError, match="not an ISBN"):
        isbn13("12345")
    doc = ir.Document(metadata=ir.Metadata(title="t", language="en"), blocks=())
    with pytest.raises(UsageError, match="not a DOI"):
        pipeline.write(doc, "epub", Options(source_date_epoch=0, doi="doi.org/x"), Diagnostics())


@pytest.mark.parametrize("epoch, date, expected", [
    (1724198400, "2020-01-02", "2024-08-21T00:00:00Z"),  # SOURCE_DATE_EPOCH first
    (None, "2020-01-02", "2020-01-02T00:00:00Z"),  # else the document's own date
    (None, None, "2000-01-01T00:00:00Z"),  # else a fixed date, reported
])
def test_modified_is_never_1980(epoch: int | None, date: str | None, expected: str) -> None:
    doc = ir.Document(metadata=ir.Metadata(title="t", language="en", date=date), blocks=())
    diag = Diagnostics()
    data = pipeline.write(doc, "epub", Options(source_date_epoch=epoch), diag)
    modified = opf(members(data)).find(".//opf:meta[@property='dcterms:modified']", NS)
    assert modified is not None and modified.text == expected
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time[0] for i in z.infolist()} == {int(expected[:4])}
    assert (date is None and epoch is None) == any("no date" in d.message for d in diag.items)


def test_house_css_is_packaged_after_ours(tmp_path: Path) -> None:
    css = tmp_path / "house.css"
    css.write_text("p { color: #203040; }\n", encoding="utf-8")
    path = pipeline.convert(SAMPLE, ["epub"], tmp_path / "out", Options(source_date_epoch=0, css=str(css))
                            ).outputs["epub"]
    files = members(path)
    assert files["EPUB/styles/house.css"] == css.read_bytes()
    chapter = etree.fromstring(files["EPUB/text/chapter-01.xhtml"])
    links = [ln.get("href") for ln in chapter.findall(".//x:link", NS)]
    assert links == ["../styles/epub.css", "../styles/house.css"]
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in epubcheck(path)
