"""The files of a CUR export on disk, and the billing period each belongs to.

Three layouts are found: ``BILLING_PERIOD=YYYY-MM`` folders of a Data Export (CUR 2.0, FOCUS),
``year=YYYY/month=M`` folders of a legacy CUR, or none for a flat FOCUS file. The export is the
one ``cur_export`` names, or the only folder under ``data_dir/cur``.

Examples
--------
>>> from opsbook.settings import resolve
>>> find_cur_files(resolve()).periods[:1]  # doctest: +SKIP
['2026-08']
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from opsbook.backends import layout
from opsbook.backends.local import HINT, data_dir
from opsbook.backends.local._reading import Reading
from opsbook.errors import ConfigurationError, NoDataError
from opsbook.settings import Settings

__all__ = ["CurFiles", "find_cur_files"]

_DATA_SUFFIXES = (".parquet", ".csv", ".csv.gz")
_BILLING = re.compile(r"^(BILLING_PERIOD|billing_period)=(\d{4}-\d{2})$")
_YEAR = re.compile(r"^year=(\d{4})$")
_MONTH = re.compile(r"^month=(\d{1,2})$")


@dataclass
class CurFiles:
    """An export's data files, each with its billing period (``None`` for a flat layout)."""

    export: str
    folder: Path
    files: list[Path]
    periods: list[str | None]
    hive_key: str | None

    def select(self, periods: set[str] | None) -> list[Path]:
        """Return the files of ``periods`` (all files for ``None``)."""
        if periods is None:
            return list(self.files)
        return [f for f, p in zip(self.files, self.periods, strict=True) if p in periods]


def find_cur_files(settings: Settings, reading: Reading | None = None) -> CurFiles:
    """Return the CUR export's files (the export named in settings, or the only one).

    A folder that cannot be listed, and a ``BILLING_PERIOD=`` folder without data files, fail
    as ``reading`` says (an error naming the folder, or a skip note).

    Raises
    ------
    NoDataError
        When there is no data folder, no export or no data files in it;
        :class:`~opsbook.errors.UnreadableFileError` for a folder that cannot be read.
    ConfigurationError
        When several exports exist and none is chosen.
    """
    root = data_dir(settings) / layout.CUR
    exports = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if settings.cur_export:
        if settings.cur_export not in exports:
            raise NoDataError(
                f"no CUR export {settings.cur_export!r} under {root}; found: {', '.join(exports) or 'none'}"
            )
        export = settings.cur_export
    elif len(exports) == 1:
        export = exports[0]
    elif not exports:
        raise NoDataError(f"no CUR export under {root}: {HINT}")
    else:
        raise ConfigurationError(
            f"several CUR exports under {root} ({', '.join(exports)}): set cur_export to one of them"
        )
    folder = root / export
    reading = reading or Reading.of(settings)
    files, periods, keys = [], [], set()
    for path in reading.files(folder):
        if (
            not path.name.endswith(_DATA_SUFFIXES)
            or layout.CUR_METADATA in path.relative_to(folder).parts
        ):
            continue
        key, label = _partition_of(path.relative_to(folder).parts[:-1])
        files.append(path)
        periods.append(label)
        keys.add(key)
    _check_period_folders(folder / layout.CUR_DATA, set(periods), reading)
    if not files:
        raise NoDataError(
            f"CUR export {export!r} has no BILLING_PERIOD=YYYY-MM/*.parquet files in {folder / layout.CUR_DATA}"
        )
    if len(keys) > 1:
        raise ConfigurationError(
            f"CUR export {export!r} mixes partition layouts ({', '.join(map(str, keys))}); "
            "keep one export per folder under cur/"
        )
    return CurFiles(export, folder, files, periods, keys.pop())


def _check_period_folders(data: Path, found: set[str | None], reading: Reading) -> None:
    """Fail each ``BILLING_PERIOD=`` folder holding no data files: its month would read as $0."""
    if not data.is_dir():
        return
    with os.scandir(data) as entries:
        folders = sorted(e.path for e in entries if e.is_dir() and _BILLING.match(e.name))
    for path in folders:
        if _BILLING.match(Path(path).name).group(2) not in found:  # type: ignore[union-attr]
            reading.fail(
                path, "billing period folder holds no data files (its cost would read as 0)"
            )


def _partition_of(parts: tuple[str, ...]) -> tuple[str | None, str | None]:
    year = None
    for part in parts:
        if match := _BILLING.match(part):
            return match.group(1), match.group(2)
        if match := _YEAR.match(part):
            year = match.group(1)
        elif (match := _MONTH.match(part)) and year:
            return "year", f"{year}-{int(match.group(1)):02d}"
    return None, None
