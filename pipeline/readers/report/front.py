"""The title block of a report: title, document symbol, author, date and place, session, publisher, notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...diagnostics import Diagnostics
from .lines import Line

SYMBOL = re.compile(r"^[A-Z]{1,4}(?:/[A-Za-z0-9.\-]+){1,6}$")
AUTHOR = re.compile(r"^(?:作者|撰稿人?|起草人|Author|By)\s*[:：]\s*(.+)$", re.IGNORECASE)
PUBLISHER = re.compile(r"^(?:發布機關|发布机关|發佈機關|发布机构|發行|发行|出版者?|Publisher)\s*[:：]\s*(.+)$",
                       re.IGNORECASE)
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_PLACE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:於|于|在)?\s*(.*)$")
SESSION = re.compile(r"^[（(](.+)[）)]$")
REISSUE = re.compile(r"重發|重发|重印|更正|再版|修訂|修订|reissued|re-issued|corrigendum", re.IGNORECASE)
_TITLE_TAIL = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


@dataclass
class Front:
    """What the title block gave."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    place: str | None = None
    symbol: str | None = None
    session: str | None = None
    publisher: str | None = None
    edition_notes: list[str] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    removed: int = 0


def title_stem(title: str) -> str:
    """The title without a trailing bracketed part such as ``(2024年)``: what series navigation repeats."""
    return _TITLE_TAIL.sub("", title).strip()


def parse_front(lines: list[Line], diag: Diagnostics) -> Front:
    """Read the title block; the first line is the title; unrecognised lines are kept in ``extra``."""
    front = Front()
    content = [ln for ln in lines if not ln.blank]
    if not content:
        return front
    front.title = content[0].text
    diag.emit("metadata-found", f"title: {front.title}", line=content[0].no)
    stem = title_stem(front.title)
    for ln in content[1:]:
        text = ln.text
        if stem and len(stem) >= 4 and text.startswith(stem) and text != front.title:
            front.removed += 1
            diag.emit("removed-furniture", f"series navigation line removed: {text}", line=ln.no)
        elif SYMBOL.match(text) and front.symbol is None:
            front.symbol = text
            diag.emit("metadata-found", f"document symbol: {text}", line=ln.no)
        elif m := AUTHOR.match(text):
            front.authors.extend(a.strip() for a in re.split(r"[、;；]", m.group(1)) if a.strip())
            diag.emit("metadata-found", f"author: {m.group(1)}", line=ln.no)
        elif m := PUBLISHER.match(text):
            front.publisher = m.group(1).strip()
            diag.emit("metadata-found", f"publisher: {front.publisher}", line=ln.no)
        elif (m := DATE_PLACE.match(text)) and front.date is None and not REISSUE.search(text):
            y, mo, d, place = m.groups()
            front.date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
            front.place = place.strip() or None
            diag.emit("metadata-found", f"date {front.date}, place {front.place}", line=ln.no)
        elif (m := SESSION.match(text)) and front.session is None:
            front.session = m.group(1).strip()
            diag.emit("metadata-found", f"session: {front.session}", line=ln.no)
        elif REISSUE.search(text) or text.endswith(("。", ".")):
            front.edition_notes.append(text)
            diag.emit("metadata-found", f"edition note: {text}", line=ln.no)
        else:
            front.extra.append(("front-line", text))
            diag.emit("unrecognised-block", f"title-block line kept as metadata: {text}", line=ln.no)
    return front
