"""docpipe as a package: a wheel built from the repository, installed into a fresh virtual environment outside the
checkout, converts the sample to every format with the same bytes as the checkout."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment

FORMATS = "ir,html,epub,docx,pdf,tei,md"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                        str(out), str(ROOT)], capture_output=True, text=True, timeout=600, cwd=out)
    assert r.returncode == 0, r.stderr[-3000:]
    wheels = list(out.glob("docpipe-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_the_wheel_carries_its_run_time_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("pipeline/styles/print.css", "pipeline/styles/epub.css", "pipeline/styles/html.css",
                 "pipeline/styles/print.typ", "pipeline/fonts/fonts.toml", "pipeline/py.typed",
                 "pipeline/schema/docpipe.schema.json", "pipeline/cjk/opencc_data/config/s2t.json"):
        assert data in names, data
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "samples/")) for n in names)


def _fresh_venv(where: Path, wheel: Path) -> Path:
    """A new virtual environment with only the wheel installed; the dependencies come from this test's
    environment through a plain path entry (a .pth line), which — unlike a site folder — runs no other .pth file,
    so the checkout's editable install is not visible there."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (Path(purelib) / "docpipe-test-deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    return venv


def test_an_installed_wheel_makes_the_checkouts_bytes(wheel: Path, tmp_path: Path) -> None:
    venv = _fresh_venv(tmp_path, wheel)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    source = outside / SAMPLE.name
    source.write_bytes(SAMPLE.read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["SOURCE_DATE_EPOCH"] = "1724198400"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
                           capture_output=True, text=True, cwd=outside, env=env, check=True).stdout.strip()
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout
    r = subprocess.run([str(venv / "bin" / "docpipe"), "convert", str(source), "--to", FORMATS, "--out-dir",
                        str(outside / "installed"), "-q"], capture_output=True, text=True, cwd=outside, env=env,
                       timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([sys.executable, "-m", "pipeline", "convert", str(source), "--to", FORMATS, "--out-dir",
                        str(outside / "checkout"), "-q"], capture_output=True, text=True, cwd=ROOT,
                       env={**env, "PYTHONPATH": str(ROOT)}, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    installed = sorted(p.name for p in (outside / "installed").iterdir())
    assert installed == sorted(p.name for p in (outside / "checkout").iterdir())
    assert len(installed) == len(FORMATS.split(","))
    for name in installed:
        a, b = (outside / "installed" / name).read_bytes(), (outside / "checkout" / name).read_bytes()
        assert a == b, f"{name} differs between the wheel and the checkout"
    html = (outside / "installed" / f"{SAMPLE.name[:-4]}.html").read_text(encoding="utf-8")
    assert "<style" in html or "stylesheet" in html  # the stylesheet came from inside the package
