"""Bytes -> text for plain-text reports: BOMs, UTF-8, UTF-16 without BOM, GB18030 and Big5, detected."""

from __future__ import annotations

import codecs

from ...cjk.chars import UNIFIED_RANGES, in_ranges
from ...diagnostics import Diagnostics
from ...errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Characters frequent in running Chinese text in either script: a right decoding is full of them,
# a wrong one (Big5 bytes read as GB18030 or the reverse) has almost none.
_COMMON = set("的一是在不了有和人這这中大為为上個个國国我以要他時时來来用們们生到作地於于出就分對对成會会可主發发年動动"
              "同工也能下過过子說说產产種种面而方後后多定行學学法所民得經经十三之進进著着等部度家電电力裡里如水化高自"
              "二理起小物現现實实加量都兩两體体制機机當当使點点從从業业本去把性好應应開开它合還还因由其些然前外天政四日"
              "那社義义事平形相全表間间樣样與与關关各重新線线內内數数正心反你明看原又麼么利比或但質质氣气第向道命此變变"
              "條条只沒没結结解問问意建月公無无系軍军很情者最立代想已通並并提直題题黨党程展五果料象員员革位入常文總总次"
              "品式活設设及管特件長长求老頭头基資资邊边流路級级少圖图山統统接知較较將将組组見见計计別别她手角期根論论運运"
              "農农指幾几九區区強强放決决西被幹干做必戰战先回則则任取據据處处隊队南給给色光門门即保治北造百規规熱热領领七"
              "海口東东導导器壓压志世金增爭争濟济階阶油思術术極极交受聯联什認认六共權权收證证改清美再採采轉转更單单風风切"
              "打白教速花帶带安場场身車车例真務务具萬万每目至達达走積积示議议聲声報报鬥斗完類类八離离華华名確确才科張张信"
              "馬马節节話话米整空元況况今集溫温傳传土許许步群廣广石記记需段研界拉林律叫且究觀观越織织裝装影算低持音眾众書"
              "书布复容兒儿須须際际商非驗验連连斷断深難难近礦矿千週周委素技備备半辦办青省列習习響响約约支般史感勞劳便團团"
              "往酸歷历市克何除消構构府稱称太準准精值號号率族維维劃划選选標标寫写存候毛親亲快效斯院查江型眼王按格養养易置"
              "派層层片始卻却專专狀状育廠厂京識识適适屬属圓圆包火住調调滿满縣县局照參参紅红細细引聽听該该鐵铁價价嚴严")


def _han_score(text: str) -> float:
    sample = text[:20000]
    han = sum(1 for ch in sample if in_ranges(ch, UNIFIED_RANGES))
    if han == 0:
        return 0.0
    return sum(1 for ch in sample if ch in _COMMON) / han


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: many NULs, all on even (BE) or odd (LE) positions for ASCII-heavy text,
    or a decoding whose text is recognisably Chinese."""
    if len(data) < 4 or len(data) % 2:
        return None
    head = data[:20000]
    even_nul = head[0::2].count(0)
    odd_nul = head[1::2].count(0)
    half = len(head) // 2
    if odd_nul > half * 0.2 and even_nul < half * 0.02:
        return "utf-16-le"
    if even_nul > half * 0.2 and odd_nul < half * 0.02:
        return "utf-16-be"
    best: tuple[float, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _han_score(text)
        if score > 0.25 and (best is None or score > best[0]):
            best = (score, enc)
    return best[1] if best else None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes (a corrupted file) rather than text in another encoding."""
    text = data[:200000].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good >= 4 and bad <= max(2, good // 20)


def _decode16(data: bytes, enc: str, name: str) -> str:
    """UTF-16 that looked right at its start but may break further on (a lone surrogate, an odd length)."""
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputError(f"looks like {enc} but cannot be decoded as it", file=name, offset=exc.start,
                         expected=f"valid {enc} text (or name the encoding with --encoding)") from exc


def decode(data: bytes, *, name: str, encoding: str | None, diag: Diagnostics) -> str:
    """Decode a report; ``encoding`` forces a codec. Undecodable input raises InputError with the byte offset."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(f"unknown encoding {encoding!r}", file=name,
                             expected="a codec name such as utf-8, gb18030, big5, utf-16") from exc
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot be decoded as {encoding}", file=name, offset=exc.start,
                             expected=f"valid {encoding} bytes") from exc
        return text.removeprefix("\ufeff")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(f"cannot be decoded as {enc} (it starts with a {enc} byte-order mark)", file=name,
                                 offset=exc.start + len(bom), expected=f"valid {enc} bytes") from exc
            diag.emit("encoding-detected", f"{enc} (byte-order mark)")
            return text
    if b"\x00" in data and not _looks_utf16(data):
        raise InputError("holds NUL bytes: this is a binary file, not a text report", file=name,
                         offset=data.index(b"\x00"), expected="a plain-text report")
    utf8_offset = 0
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_offset = exc.start
    else:
        if "\x00" in text:
            enc16 = _looks_utf16(data)
            if enc16:
                diag.emit("encoding-detected", f"{enc16} (no byte-order mark)")
                return _decode16(data, enc16, name)
            raise InputError("holds NUL bytes: this is a binary file, not a text report", file=name,
                             offset=data.index(b"\x00"), expected="a plain-text report")
        return text
    enc16 = _looks_utf16(data)
    if enc16:
        diag.emit("encoding-detected", f"{enc16} (no byte-order mark)")
        return _decode16(data, enc16, name)
    if _mostly_utf8(data):
        raise InputError("is UTF-8 with invalid bytes in it", file=name, offset=utf8_offset,
                         expected="valid UTF-8 (or name the encoding with --encoding)")
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5hkscs"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_han_score(text), enc, text))
    candidates.sort(key=lambda c: -c[0])
    if candidates and candidates[0][0] > 0.15 and "\x00" not in candidates[0][2]:
        score, enc, text = candidates[0]
        diag.emit("encoding-detected", f"{enc} (not UTF-8; Chinese text scored {score:.2f})")
        return text
    raise InputError("is not valid UTF-8, and no other encoding (UTF-16, GB18030, Big5) fits it", file=name,
                     offset=utf8_offset, expected="a text report; name its encoding with --encoding")
