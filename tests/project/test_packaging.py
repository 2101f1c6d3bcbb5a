"""The project's own files agree with each other: dependencies, ignores, notebook hygiene."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import papermill
import yaml

ROOT = Path(__file__).resolve().parents[2]
# conda-forge names that differ from PyPI's, and what a PyPI extra pulls in on conda.
CONDA_NAME = {"duckdb": "python-duckdb"}
EXTRAS = {"moto[server]": ["moto", "flask", "flask-cors"]}


def _split(requirement: str) -> tuple[str, str]:
    name, bound = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", requirement).groups()
    return name.lower(), bound.replace(" ", "")


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    conda = {}
    pip = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip += entry["pip"]
        else:
            name, bound = _split(entry)
            conda[name] = bound
    assert conda.pop("python") == "=3.11", "pin Python in environment.yml"
    conda.pop("pip")
    assert pip == ["-e ."], "environment.yml installs the project editable through pip"
    expected = {}
    for requirement in wanted:
        name, bound = _split(requirement)
        for conda_name in EXTRAS.get(name, [name]):
            expected[CONDA_NAME.get(conda_name, conda_name)] = (
                bound if conda_name == name.split("[")[0] else ""
            )
    assert conda == expected


def test_every_dependency_has_a_lower_bound() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert ">=" in requirement, f"{requirement} needs a lower bound"


def test_gitignore_does_not_hide_the_package() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", "lib/opsbook/__init__.py"], cwd=ROOT
    )
    assert result.returncode == 1, "lib/ must not be ignored"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", "data/sample/sample.json"], cwd=ROOT
    )
    assert ignored.returncode == 0, "generated sample data must stay out of git"


def _notebooks() -> list[Path]:
    return sorted([*ROOT.glob("notebooks/**/*.ipynb"), *ROOT.glob("runbooks/**/*.ipynb")])


def test_notebooks_are_thin_and_committed_without_outputs() -> None:
    assert _notebooks(), "no notebooks found"
    typed = re.compile(r"^\w+: [\w\[\], |]+ = .+  # .+$")
    for path in _notebooks():
        notebook = json.loads(path.read_text())
        assert notebook["metadata"]["kernelspec"]["name"] == "opsbook", path
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path
        tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1, f"{path}: exactly one cell tagged 'parameters'"
        for line in "".join(tagged[0]["source"]).splitlines():
            assert typed.match(line), (
                f"{path}: parameter line {line!r} is not 'name: type = value  # help'"
            )
        assert papermill.inspect_notebook(str(path)), path
        for cell in code:
            source = "".join(cell["source"])
            assert not re.search(r"^\s*(def |class |for |while |import boto3)", source, re.M), path
            # Explore notebooks are the analyst's desk: SQL in %%athena cells is their point.
            analyst_cell = "explore" in path.parts and source.startswith(("%%athena", "%%insights"))
            assert analyst_cell or not re.search(r"\bSELECT\b.+\bFROM\b", source, re.I | re.S), (
                f"{path}: SQL in a cell"
            )


def _lock() -> dict:
    return tomllib.loads((ROOT / "uv.lock").read_text())


def test_the_lock_was_made_from_this_pyproject() -> None:
    # `uv sync --locked` refuses a stale lock too; this says which requirement drifted.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_split(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    (opsbook,) = [p for p in _lock()["package"] if p["name"] == "opsbook"]
    locked = {
        (p["name"] + (f"[{','.join(p['extras'])}]" if p.get("extras") else ""), p["specifier"])
        for p in opsbook["metadata"]["requires-dist"]
    }
    assert locked == wanted, "run `make lock` after changing pyproject.toml"


def test_every_package_environment_yml_names_is_locked_within_its_bound() -> None:
    from packaging.specifiers import SpecifierSet

    versions: dict[str, list[str]] = {}
    for package in _lock()["package"]:
        versions.setdefault(package["name"], []).append(package["version"])
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pypi_name = {conda: pypi for pypi, conda in CONDA_NAME.items()}
    checked = 0
    for entry in environment["dependencies"]:
        if isinstance(entry, dict) or entry.split("=")[0] in ("python", "pip"):
            continue
        name, bound = _split(entry)
        name = pypi_name.get(name, name)
        assert name in versions, f"{name} (environment.yml) is not in uv.lock"
        for version in versions[name]:
            assert version in SpecifierSet(bound), f"uv.lock has {name} {version}, not {bound}"
        checked += 1
    assert checked >= 20
