"""Two costs WeasyPrint 70 pays when it writes a PDF that docpipe does not need to pay, removed in this process.

- **Each font's whole file copied.** ``weasyprint.pdf.fonts.Font.__init__`` copies the font's file into a Python
  ``bytes`` (``file_content``) for every face used, although HarfBuzz subsets from the face it already holds and
  only the subset is embedded. A Noto CJK collection is 20–30 MB: the sample's five faces cost about 0.1 s of CPU
  and as many copies of memory. Here ``file_content`` is read from the face only if something asks for it (the
  fontTools fallback, a face left whole); the PDF is byte-identical.
- **Streams deflated at zlib's level 9.** pydyf compresses every stream at level 9; the embedded CJK subsets
  make that about 0.1 s per document. zlib's default level (6) takes half the time for a file about 0.3 % larger.

Installed once per process by :func:`install` (``pdf.load_weasyprint`` calls it), and only on the WeasyPrint
versions :mod:`.justify` is written for; a thread writing a PDF meanwhile sees either WeasyPrint's behaviour or
this, both correct."""

from __future__ import annotations

import threading
import zlib
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


def install() -> None:
    """Put both changes in place (once; a WeasyPrint or pydyf other than the expected leaves them out)."""
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
