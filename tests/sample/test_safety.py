"""The sample generator never writes over, or deletes, anything it did not write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from opsbook.cli import main
from opsbook.errors import ConfigurationError
from opsbook.sample import generate

QUICK = {"parts": ("slos",)}  # the quickest part: these tests are about folders, not data


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_folder_of_the_users_own_data_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    (exports / "cur").mkdir(parents=True)
    (exports / "cur" / "part-0.parquet").write_bytes(b"PAR1 the user's CUR")
    (exports / "notes.txt").write_text("mine")
    before = _snapshot(exports)
    with pytest.raises(
        ConfigurationError,
        match=r"refusing .* it holds cur, notes.txt, which opsbook did not write",
    ):
        generate(exports, **QUICK)
    assert _snapshot(exports) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]  # no work folder left


def test_a_sample_it_wrote_is_replaced_and_marked_with_what_it_wrote(tmp_path: Path) -> None:
    dest = tmp_path / "sample"
    generate(dest, **QUICK)
    marker = json.loads((dest / ".opsbook-sample").read_text())
    assert marker["entries"] == ["README.md", "sample.json", "slos.yaml"]
    generate(dest, **QUICK)  # again: it is ours
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample"]


def test_a_file_the_user_added_to_a_sample_makes_it_theirs(tmp_path: Path) -> None:
    dest = tmp_path / "sample"
    generate(dest, **QUICK)
    (dest / "my-analysis.ipynb").write_text("{}")
    with pytest.raises(ConfigurationError, match="my-analysis.ipynb, which opsbook did not write"):
        generate(dest, **QUICK)
    assert (dest / "my-analysis.ipynb").read_text() == "{}"


def test_a_sample_from_before_the_marker_is_recognised_by_its_facts(tmp_path: Path) -> None:
    dest = tmp_path / "sample"
    generate(dest, **QUICK)
    (dest / ".opsbook-sample").unlink()
    generate(dest, **QUICK)
    assert (dest / ".opsbook-sample").is_file()


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "sample"
    dest.write_text("not a folder")
    with pytest.raises(ConfigurationError, match="it is a file, not a folder"):
        generate(dest, **QUICK)
    assert dest.read_text() == "not a folder"


def test_folders_beside_the_destination_are_never_touched(tmp_path: Path) -> None:
    # The generator used fixed names (.sample.tmp, .sample.old) and removed whatever had them.
    for name in (".sample.tmp", ".sample.old"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text(name)
    generate(tmp_path / "sample", **QUICK)
    assert (tmp_path / ".sample.tmp" / "keep.txt").read_text() == ".sample.tmp"
    assert (tmp_path / ".sample.old" / "keep.txt").read_text() == ".sample.old"


def test_the_cli_refuses_data_dir_pointing_at_the_users_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "invoice.csv").write_text("1,2,3")
    monkeypatch.setenv("OPSBOOK_DATA_DIR", str(exports))
    monkeypatch.chdir(tmp_path)
    assert main(["sample", "generate", "--only", "slos"]) == 2
    error = capsys.readouterr().err
    assert f"refusing to write the sample into {exports}" in error and "invoice.csv" in error
    assert os.listdir(exports) == ["invoice.csv"]
