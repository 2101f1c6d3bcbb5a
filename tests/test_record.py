from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output
from opsbook.runner._record import MIME_TYPE, read_records


def test_records_are_read_back_by_name_last_one_winning() -> None:
    def shown(name: str, value: object) -> dict:
        return new_output("display_data", data={MIME_TYPE: {"name": name, "value": value}})

    cell = new_code_cell("record(...)")
    cell.outputs = [shown("periods", ["2026-10"]), shown("total", 1.5), shown("total", 2.5)]
    other = new_code_cell("1")
    other.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    records = read_records(new_notebook(cells=[cell, other]))
    assert records == {"periods": ["2026-10"], "total": 2.5}
