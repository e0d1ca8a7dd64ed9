"""Four costs WeasyPrint 70 pays when it writes a PDF that docpipe does not need to pay, removed in this process.

- **fontTools' subsetter and variable-font instancer imported.** ``weasyprint.pdf.fonts`` imports
  ``fontTools.subset`` and ``fontTools.varLib.instancer`` (with ``fontTools.varLib``, the OpenType table classes
  and the feature compiler they bring: about 0.14 s of CPU in every fresh process). It calls them only without
  HarfBuzz's subsetter (``libharfbuzz-subset0``, which ``make install`` installs) or for a variable font;
  :func:`deferred_fonttools` makes both imports happen on first use.

- **Each font's whole file copied.** ``weasyprint.pdf.fonts.Font.__init__`` copies the font's file into a Python
  ``bytes`` (``file_content``) for every face used, although HarfBuzz subsets from the face it already holds and
  only the subset is embedded. A Noto CJK collection is 20–30 MB: the sample's five faces cost about 0.1 s of CPU
  and as many copies of memory. Here ``file_content`` is read from the face only if something asks for it (the
  fontTools fallback, a face left whole); the PDF is byte-identical.
- **Each font subset twice.** ``Font._harfbuzz_subset`` subsets a face keeping its glyph ids, then subsets the
  result again keeping glyphs ``0..max(used)`` to drop what the first pass kept beyond the last used glyph. That
  second pass reads every glyph slot up to the last used one (63 000 in a Noto CJK face: about 0.03 s each, most
  of the subsetting time of a CJK document) and, when the first pass kept nothing beyond, gives the same bytes.
  :func:`_one_pass_subset` skips it for a CFF face of the usual tables (:data:`_ONE_PASS`, as the Noto CJK
  faces are) when the first pass kept nothing past the last used glyph; the embedded fonts are byte-identical
  either way (``tests/test_weasy_fonts.py``).
- **Streams deflated at zlib's level 9.** pydyf compresses every stream at level 9; the embedded CJK subsets
  make that about 0.1 s per document. zlib's default level (6) takes half the time for a file about 0.3 % larger.

Installed once per process by :func:`install` (``pdf.load_weasyprint`` calls it), and only on the WeasyPrint
versions :mod:`.justify` is written for; a thread writing a PDF meanwhile sees either WeasyPrint's behaviour or
this, both correct."""

from __future__ import annotations

import importlib
import sys
import threading
import types
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: zlib's level for the PDF's streams: its own default, the usual trade of time for size.
DEFLATE_LEVEL = 6

_LOCAL = threading.local()
_INSTALLED: list[bool] = []
_LOCK = threading.Lock()


class _Deflate:
    """What pydyf reads of the ``zlib`` module, with the level fixed at :data:`DEFLATE_LEVEL`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = DEFLATE_LEVEL, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(DEFLATE_LEVEL, *args, **kwargs)


#: The modules ``weasyprint.pdf.fonts`` imports and uses only in a fallback, and the names it takes from each.
DEFERRED = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}


class _Deferred(types.ModuleType):
    """Stands for a module while WeasyPrint is imported; the module itself is imported when one of its names is
    first used. ``names`` are those WeasyPrint takes with ``from module import name``: they are forwarding
    functions, since taking a name must not import the module."""

    def __init__(self, name: str, names: tuple[str, ...]) -> None:
        super().__init__(name)
        for attr in names:
            setattr(self, attr, self._forward(attr))

    def _forward(self, attr: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._module(), attr)(*args, **kwargs)
        call.__name__ = attr
        return call

    def _module(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:  # used while still standing in (not by WeasyPrint 70)
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._module(), attr)


@contextmanager
def deferred_fonttools() -> Iterator[None]:
    """While WeasyPrint is imported inside this, the :data:`DEFERRED` modules not yet imported are stand-ins; they
    are taken out of ``sys.modules`` afterwards, so any later import gets the real module."""
    stand_ins = {name: _Deferred(name, names) for name, names in DEFERRED.items() if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def install() -> None:
    """Put the changes in place (once; a WeasyPrint or pydyf other than the expected leaves them out)."""
    with _LOCK:
        if _INSTALLED:
            return
        _INSTALLED.append(True)
        import pydyf  # type: ignore[import-untyped]
        import weasyprint
        from weasyprint.pdf import fonts

        from .justify import WEASYPRINT_VERSIONS

        if not str(weasyprint.__version__).startswith(WEASYPRINT_VERSIONS):
            return
        if getattr(pydyf, "zlib", None) is zlib:
            pydyf.zlib = _Deflate()
        if isinstance(getattr(fonts, "get_hb_object_data", None), type(install)) and \
                not isinstance(getattr(fonts.Font, "file_content", None), property):
            _lazy_file_content(fonts)
        if getattr(fonts, "harfbuzz_subset", None) is not None and \
                _params(getattr(fonts.Font, "_harfbuzz_subset", None)) == ("self", "to_unicode", "hinting"):
            fonts.Font._harfbuzz_subset = _one_pass_subset(fonts)


def _params(function: Any) -> tuple[str, ...]:
    import inspect
    try:
        return tuple(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return ()


#: The tables of a CFF face the first pass leaves as the second would: a face holding any other (FontForge's
#: ``FFTM``, say, which the second pass drops) gets both passes, as does every TrueType face.
_ONE_PASS = frozenset({"BASE", "CFF ", "DSIG", "GDEF", "GPOS", "GSUB", "OS/2", "VORG", "cmap", "head", "hhea",
                       "hmtx", "maxp", "name", "post", "vhea", "vmtx"})

#: The tables WeasyPrint 70's subsetting drops (``Font._harfbuzz_subset``).
_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def _one_pass_subset(fonts: Any) -> Any:
    """WeasyPrint's ``Font._harfbuzz_subset`` with its second pass made only when the first kept glyphs beyond the
    last one used. The first pass takes the second's flags too (no hinting unless asked for), which changes
    nothing the second pass would not have changed."""
    ffi, harfbuzz, hb_subset = fonts.ffi, fonts.harfbuzz, fonts.harfbuzz_subset
    original = fonts.Font._harfbuzz_subset

    def subset(face: Any, glyphs: Sequence[int], flags: int, drop: bool) -> Any:
        plan = hb_subset.hb_subset_input_create_or_fail()
        if plan == ffi.NULL:
            return ffi.NULL
        plan = ffi.gc(plan, hb_subset.hb_subset_input_destroy)
        harfbuzz.hb_set_add_sorted_array(hb_subset.hb_subset_input_glyph_set(plan),
                                         ffi.new(f"hb_codepoint_t[{len(glyphs)}]", list(glyphs)), len(glyphs))
        hb_subset.hb_subset_input_set_flags(plan, flags)
        if drop:
            tags = tuple(harfbuzz.hb_tag_from_string(name, -1) for name in _DROPPED)
            dropped = hb_subset.hb_subset_input_set(plan, hb_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
            harfbuzz.hb_set_add_sorted_array(dropped, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
        return ffi.gc(hb_subset.hb_subset_or_fail(face, plan), harfbuzz.hb_face_destroy)

    def _harfbuzz_subset(self: Any, to_unicode: Any, hinting: bool) -> None:
        flags = hb_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hb_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
        if not hinting:
            flags |= hb_subset.HB_SUBSET_FLAGS_NO_HINTING
        if self.missing:
            flags |= hb_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
        last = max(to_unicode)
        face = subset(self.hb_face, sorted(to_unicode), flags | hb_subset.HB_SUBSET_FLAGS_RETAIN_GIDS, True)
        if face and second_pass(self.tables, harfbuzz.hb_face_get_glyph_count(face), last):
            face = subset(face, range(last + 1), flags, False)  # WeasyPrint's second pass
        data = fonts.get_hb_object_data(face) if face else None
        if data:
            self.file_content = data
            return
        original(self, to_unicode, hinting)  # WeasyPrint's own, which warns when it too fails

    _harfbuzz_subset.weasyprint = original  # type: ignore[attr-defined]
    return _harfbuzz_subset


def second_pass(tables: Sequence[str], glyphs: int, last: int) -> bool:
    """Whether WeasyPrint's second subsetting pass can change a face whose first pass kept ``glyphs`` glyph slots,
    ``last`` being the last glyph used: unless it is a CFF face of the :data:`_ONE_PASS` tables with none kept
    past ``last``."""
    return "CFF " not in tables or not _ONE_PASS.issuperset(tables) or glyphs > last + 1


def _lazy_file_content(fonts: Any) -> None:
    """``Font.file_content`` read from the font's HarfBuzz face on first use instead of in ``Font.__init__``."""
    real = fonts.get_hb_object_data
    init = fonts.Font.__init__

    def get_hb_object_data(obj: Any, *args: Any) -> Any:
        if getattr(_LOCAL, "deferring", False):
            return None  # Font.__init__ of this thread: read when asked for
        return real(obj, *args)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        _LOCAL.deferring = True
        try:
            init(self, *args, **kwargs)
        finally:
            _LOCAL.deferring = False

    def content(self: Any) -> Any:
        data = self.__dict__.get("_docpipe_file_content")
        if data is None:
            data = self.__dict__["_docpipe_file_content"] = real(self.hb_face)
        return data

    def set_content(self: Any, data: Any) -> None:
        self.__dict__["_docpipe_file_content"] = data

    fonts.get_hb_object_data = get_hb_object_data
    fonts.Font.__init__ = __init__
    fonts.Font.file_content = property(content, set_content)
