"""Refresh the vendored OpenCC data from an OpenCC checkout: ``python -m pipeline.cjk.opencc_data.refresh SOURCE``.

SOURCE is an OpenCC work tree or a bare git repository (then ``--rev`` picks the commit, default ``HEAD``).
It copies the dictionaries and configurations of the Chinese conversions, generates the dictionaries that
upstream's build generates (``data/CMakeLists.txt``: ``TSCharactersExt`` by ``extract_tofu_risk.py``,
``TWVariantsRev`` and ``HKVariantsRev`` by ``reverse.py``, ``STPhrases_GeneratedFromRegionalPhrases`` by
``generate_st_phrases_from_regional_phrases.py``), copies the licence and ``test/testcases/testcases.json``
(into ``tests/fixtures/opencc/``), and writes ``README.md`` with the commit. ``corrections.tsv`` is ours and is
left alone; the script detection's derived tables (``script-evidence.json``) are written again;
``--check`` reports whether the vendored files already match SOURCE.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "opencc"

#: Japanese conversions are not a docpipe edition; everything else of ``data/`` is vendored.
SKIP_PREFIXES = ("JP", "jp2", "t2jp")
REVERSE_PREFERENCE = "# @reverse-prefer:"
TOFU_RISK = "# @tofu-risk:"


class Source:
    """An OpenCC checkout: a work tree, or a bare repository read at one commit."""

    def __init__(self, path: Path, rev: str) -> None:
        self.path = path
        self.bare = not (path / "data").is_dir()
        self.rev = rev

    def _git(self, *args: str) -> str:
        cmd = ["git", f"--git-dir={self.path}", *args] if self.bare else ["git", "-C", str(self.path), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def read(self, rel: str) -> str:
        """A text file of the checkout."""
        if self.bare:
            return self._git("show", f"{self.rev}:{rel}")
        return (self.path / rel).read_text(encoding="utf-8")

    def listing(self, folder: str) -> list[str]:
        """File names directly inside ``folder``."""
        if self.bare:
            return sorted(Path(p).name for p in self._git("ls-tree", "--name-only", self.rev, folder + "/").split())
        return sorted(p.name for p in (self.path / folder).iterdir() if p.is_file())

    def commit(self) -> tuple[str, str, str]:
        """(commit hash, ``git describe`` name, commit date)."""
        rev = self.rev if self.bare else "HEAD"
        line = self._git("log", "-1", "--format=%H %cs", rev).split()
        describe = self._git("describe", "--tags", rev).strip()
        return line[0], describe, line[1]


def _pairs(text: str) -> list[tuple[str, list[str]]]:
    """``(key, values)`` of a dictionary text, comments and blank lines skipped (upstream ``common.Dict``)."""
    out = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, value = line.split("\t", 1)
        out.append((key, value.split(" ")))
    return out


def reverse(text: str) -> str:
    """Upstream ``reverse.py``: swap keys and values, honouring ``# @reverse-prefer: KEY VALUE``, sort by key."""
    swapped: dict[str, list[str]] = {}
    for key, values in _pairs(text):
        for value in values:
            swapped.setdefault(value, []).append(key)
    for line in text.splitlines():
        if line.startswith(REVERSE_PREFERENCE):
            fields = line[len(REVERSE_PREFERENCE):].split()
            values = swapped[fields[0]]
            values.insert(0, values.pop(values.index(fields[-1])))
    return "".join(f"{k}\t{' '.join(v)}\n" for k, v in sorted(swapped.items(), key=lambda kv: kv[0]))


def extract_tofu_risk(text: str) -> str:
    """Upstream ``extract_tofu_risk.py``: the mapping after each ``# @tofu-risk:`` line, identity value dropped."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not line.startswith(TOFU_RISK):
            continue
        key, values_text = lines[i + 1].split("\t", 1)
        values = values_text.split()
        if values and values[0] == key:
            values = values[1:]
        out.append(f"{key}\t{' '.join(values)}\n")
    return "".join(out)


def st_phrases_from_regional(inputs: list[tuple[str, str]]) -> str:
    """Upstream ``generate_st_phrases_from_regional_phrases.py`` with ``t2s``: the Simplified projections (3
    characters or more) of the regional phrase keys, each mapped to its first Traditional key."""
    from pipeline.cjk.conversion import Converter

    t2s = Converter("t2s", corrected=False)  # upstream generates from its own data, without our corrections
    collisions: dict[str, list[str]] = defaultdict(list)
    for _, text in inputs:
        for key, _values in _pairs(text):
            converted = t2s.convert(key)
            if len(converted) >= 3:  # short keys would split longer Simplified words before STPhrases sees them
                collisions[converted].append(key)
    conflicts = {k: v for k, v in collisions.items() if len(set(v)) > 1}
    if conflicts:
        raise SystemExit(f"conflicting regional phrase projections: {sorted(conflicts)[:5]}")
    head = ["# Open Chinese Convert (OpenCC) Dictionary",
            "# File: STPhrases_GeneratedFromRegionalPhrases.txt",
            "# Format: key\tvalue(s) (values separated by spaces)",
            "# License: Apache-2.0 (see LICENSE)",
            "# Source: generated from " + ", ".join(name for name, _ in inputs) + " keys via t2s.json",
            "# Used in configs: s2hkp.json, s2twp.json",
            "#",
            "# This generated ST phrase dictionary preserves Simplified-input spans",
            "# before applying regional phrase vocabulary.",
            ""]
    body = [f"{k}\t{v[0]}" for k, v in sorted(collisions.items(), key=lambda kv: kv[0])]
    return "\n".join(head + body) + "\n"


def _wanted(name: str) -> bool:
    return not name.startswith(SKIP_PREFIXES) and name.endswith((".txt", ".json")) and "schema" not in name


README = """# OpenCC data, vendored

The dictionaries (`dictionary/*.txt`) and configurations (`config/*.json`) of
[OpenCC](https://github.com/BYVoid/OpenCC) that docpipe's script editions use, with
opencc-python-reimplemented (`pipeline/cjk/conversion.py`).

- Upstream: https://github.com/BYVoid/OpenCC, commit `{commit}` (`{describe}`, {date}).
- Licence: Apache License 2.0, copied in `LICENSE` (OpenCC's data and configurations are Apache-2.0).
- Raw files: `data/dictionary/*.txt` and `data/config/*.json` as upstream has them (Japanese ones left out).
- Generated here as upstream's `data/CMakeLists.txt` generates them at build time:
  `TSCharactersExt.txt` (`scripts/extract_tofu_risk.py` on `TSCharacters.txt`),
  `TWVariantsRev.txt` and `HKVariantsRev.txt` (`scripts/reverse.py`, honouring `# @reverse-prefer`),
  `STPhrases_GeneratedFromRegionalPhrases.txt` (`scripts/generate_st_phrases_from_regional_phrases.py`:
  the keys of `HKPhrases.txt` and `TWPhrases.txt` through `t2s`).
- The configurations name `.ocd2` files; docpipe reads the `.txt` of the same name. Dictionaries marked
  `may_output_tofu` (`TSCharactersExt`) are loaded, as OpenCC's C++ library loads them by default.
- Matching is OpenCC's: normalisation first, `mmseg` segmentation, then maximum forward matching with the
  `short_circuit`/`union` group policies (`pipeline/cjk/conversion.py`); with it every case of upstream's
  `test/testcases/testcases.json` for these configurations passes.
- docpipe adds one configuration in code, `t2twp` (`s2twp`'s Taiwan step for text already Traditional).
- `corrections.tsv` is docpipe's own reviewed list, applied on top; each line says what was wrong and where it
  was seen. A refresh names the lines upstream has since made redundant.
- Refresh: `python -m pipeline.cjk.opencc_data.refresh PATH-TO-OPENCC` (a work tree or a bare
  repository with `--rev`); it also refreshes `tests/fixtures/opencc/testcases.json`.
"""


def refresh(source: Source, out: Path, fixtures: Path) -> dict[Path, str]:
    """Every file the vendored copy should hold, with its content."""
    files: dict[Path, str] = {}
    for name in filter(_wanted, source.listing("data/dictionary")):
        files[out / "dictionary" / name] = source.read(f"data/dictionary/{name}")
    for name in filter(_wanted, source.listing("data/config")):
        files[out / "config" / name] = source.read(f"data/config/{name}")
    dic = out / "dictionary"
    files[dic / "TSCharactersExt.txt"] = extract_tofu_risk(files[dic / "TSCharacters.txt"])
    files[dic / "TWVariantsRev.txt"] = reverse(files[dic / "TWVariants.txt"])
    files[dic / "HKVariantsRev.txt"] = reverse(files[dic / "HKVariants.txt"])
    files[out / "LICENSE"] = source.read("LICENSE")
    commit, describe, date = source.commit()
    files[out / "README.md"] = README.format(commit=commit, describe=describe, date=date)
    files[fixtures / "testcases.json"] = source.read("test/testcases/testcases.json")
    return files


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the vendored files."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("source", type=Path, help="an OpenCC work tree or bare git repository")
    p.add_argument("--rev", default="HEAD", help="the commit to read from a bare repository")
    p.add_argument("--check", action="store_true", help="only report whether the vendored files are current")
    args = p.parse_args(argv)
    files = refresh(Source(args.source, args.rev), HERE, FIXTURES)
    generated = HERE / "dictionary" / "STPhrases_GeneratedFromRegionalPhrases.txt"
    regional = [(n, files[HERE / "dictionary" / n]) for n in ("HKPhrases.txt", "TWPhrases.txt")]
    if args.check:
        # the generated ST phrases are checked against the vendored dictionaries, which must then be current
        files[generated] = st_phrases_from_regional(regional)
        stale = [str(path.relative_to(ROOT)) for path, text in files.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        print("\n".join(stale) or "up to date")
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    # The generated ST phrases come from converting with the files just written.
    generated.write_text(st_phrases_from_regional(regional), encoding="utf-8", newline="\n")
    print(f"wrote {len(files) + 1} files")
    from pipeline.cjk.script import write_derived
    print(f"wrote {write_derived().relative_to(ROOT)} (the script detection's tables, derived from them)")
    _review_corrections()
    return 0


def _review_corrections() -> None:
    """Name the corrections upstream now agrees with, so that they can be dropped from ``corrections.tsv``."""
    from pipeline.cjk.conversion import corrections, dictionary

    dictionary.cache_clear()
    for c in corrections():
        if dictionary(c.dictionary, False).get(c.key) == c.value:
            print(f"corrections.tsv: upstream now has {c.dictionary} {c.key} -> {c.value}; the line can go")


if __name__ == "__main__":
    sys.exit(main())
