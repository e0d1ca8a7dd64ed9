"""docpipe build --cluster: a real Dask scheduler and two workers on 127.0.0.1, against a local build, byte for byte."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import build as batch
from pipeline.build.dask import stop_local_cluster
from tests.conftest import SAMPLE, require
from tests.waiting import running, wait_for

BIN = Path(sys.executable).parent
DOCPIPE = BIN / "docpipe"
PROJECT = """
[project]
source = "src"
output = "{output}"

[editions.hans]
script = "hans"
formats = ["epub", "pdf", "tei"]
page_size = "A5"
pdf_variant = "pdf/a-3b"

[editions.archive]
script = "keep"
formats = ["tei", "docx"]
"""


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]
    log: Path

    def scheduler_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    require(importlib.util.find_spec("distributed") is not None and (BIN / "dask").exists(), "dask[distributed]")
    home = tmp_path / "cluster"
    home.mkdir()
    # The workers run without SOURCE_DATE_EPOCH (the client's travels with each task) and in their own folder.
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    procs: list[subprocess.Popen[bytes]] = []
    log = home / "scheduler.log"
    try:
        with open(log, "wb") as fh:
            scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                          "--no-dashboard", "--scheduler-file", str(home / "scheduler.json")],
                                         cwd=home, env=env, stdout=fh, stderr=subprocess.STDOUT)
        procs.append(scheduler)
        wait_for(lambda: (home / "scheduler.json").exists() and b"address" in (home / "scheduler.json").read_bytes(),
                 "the scheduler", scheduler, 60)
        address = json.loads((home / "scheduler.json").read_text(encoding="utf-8"))["address"]
        workers = []
        for name in ("w1", "w2"):
            with open(home / f"{name}.log", "wb") as fh:
                workers.append(subprocess.Popen(
                    [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-nanny",
                     "--no-dashboard", "--host", "127.0.0.1", "--name", name, "--local-directory", str(home)],
                    cwd=home, env=env, stdout=fh, stderr=subprocess.STDOUT))
        procs.extend(workers)
        wait_for(lambda: log.read_text(errors="replace").count("Register worker") >= 2, "two workers to register",
                 scheduler, 60)
        yield Cluster(address, scheduler, workers, log)
    finally:
        stop_local_cluster(procs)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SAMPLE, src / "un-sg-report-2024.zh-Hant.txt")
    text = SAMPLE.read_text(encoding="utf-8")
    (src / "second-copy.txt").write_text(text.replace("2024", "2025", 3), encoding="utf-8")
    (src / "notes.md").write_text("---\ntitle: 筆記\n---\n\n# 第一章 導言\n\n1. 聯合國的第一段[^1]。\n\n"
                                  "[^1]: 注。\n", encoding="utf-8")
    for name, output in (("cluster.toml", "on-cluster"), ("local.toml", "local")):
        (tmp_path / name).write_text(PROJECT.format(output=output), encoding="utf-8")
    return tmp_path


def build(project: Path, toml: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1724198400")
    return subprocess.Popen([str(DOCPIPE), "build", "--project", str(project / toml), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen[str]) -> str:
    try:
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    return out


def tree(folder: Path) -> dict[str, bytes]:
    """Every output and log (the manifest names absolute sources and times, so it is left out)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("manifest.json")}


def assert_same_build(project: Path) -> None:
    local = finish(build(project, "local.toml", "-j", "2"))
    assert "6 built, 0 up to date, 0 failed" in local
    cluster, here = tree(project / "on-cluster"), tree(project / "local")
    assert sorted(cluster) == sorted(here)
    assert len([n for n in cluster if not n.endswith(".log")]) == 15  # 3 documents x (3 + 2 formats)
    differ = [name for name in here if cluster[name] != here[name]]
    assert not differ, differ
    # and each edition is itself: the workers really ran the editions' options
    assert "聯合國的第一段" in (project / "on-cluster" / "archive" / "notes.tei.xml").read_text(encoding="utf-8")
    with zipfile.ZipFile(project / "on-cluster" / "hans" / "notes.epub") as epub:
        text = "".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
    assert "联合国的第一段" in text and "聯合國" not in text
    manifest = json.loads((project / "on-cluster" / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert len(manifest) == 6
    for entry in manifest.values():
        for rel, sha in entry["outputs"].items():
            assert batch.plan.file_sha(project / "on-cluster" / rel) == sha


def test_cluster_build_equals_local_build_byte_for_byte(cluster: Cluster, project: Path) -> None:
    styles = batch.dep_shas(["epub", "pdf", "tei", "docx"])
    out = finish(build(project, "cluster.toml", "--cluster", cluster.address))
    assert "6 built, 0 up to date, 0 failed" in out, out
    assert_same_build(project)
    again = finish(build(project, "cluster.toml", "--cluster", cluster.address))
    if batch.dep_shas(["epub", "pdf", "tei", "docx"]) == styles:  # (unless someone edited a style meanwhile)
        assert "0 built, 6 up to date, 0 failed" in again
    assert all(w.poll() is None for w in cluster.workers)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_worker_killed_mid_job_is_retried_elsewhere_with_the_same_bytes(cluster: Cluster, project: Path) -> None:
    idle = {w.pid: _cpu(w.pid) for w in cluster.workers}
    proc = build(project, "cluster.toml", "--cluster", cluster.address, "-v")
    busy: list[int] = []

    def working() -> bool:
        """A worker at work now (a thread of it running) that has worked since it was idle (0.3 s of CPU)."""
        busy[:] = [pid for pid in running(idle) if _cpu(pid) - idle[pid] > 0.3]
        return bool(busy)

    try:
        wait_for(working, "a worker to be rendering a document", proc, 120)
        done_before = len(batch.Manifest(project / "on-cluster" / "manifest.json").entries)
        victim = next(w for w in cluster.workers if w.pid == busy[0])
        victim.send_signal(signal.SIGKILL)  # as the OOM killer would: no goodbye to the scheduler
        victim.wait(timeout=30)
        assert proc.poll() is None  # the build was still running when its worker died
    finally:
        out = finish(proc)
    assert done_before < 6
    assert victim.returncode == -signal.SIGKILL
    assert "6 built, 0 up to date, 0 failed" in out, out
    log = cluster.scheduler_log()
    name = f"w{cluster.workers.index(victim) + 1}"
    removed = re.search(rf"Remove worker addr: \S+ name: {name}\b", log)
    assert removed and log.find("Remove client") > removed.start(), log[-3000:]  # died while the build ran
    assert_same_build(project)


def test_an_unreachable_scheduler_is_a_one_line_error(project: Path) -> None:
    require(importlib.util.find_spec("distributed") is not None, "dask[distributed]")
    proc = build(project, "cluster.toml", "--cluster", "tcp://127.0.0.1:9", "-q")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    lines = [ln for ln in err.splitlines() if ln.startswith("docpipe:")]
    assert lines and lines[0].startswith("docpipe: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "connection refused" in lines[0], lines[0]
    assert "Traceback" not in err
    assert not (project / "on-cluster" / "hans").exists()
