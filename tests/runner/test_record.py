from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output
from opsbook.runner._record import MIME_TYPE, payloads, read_kinds, read_records


def test_records_are_read_back_by_name_last_one_winning() -> None:
    def shown(name: str, value: object) -> dict:
        return new_output("display_data", data={MIME_TYPE: {"name": name, "value": value}})

    cell = new_code_cell("record(...)")
    cell.outputs = [shown("periods", ["2026-10"]), shown("total", 1.5), shown("total", 2.5)]
    other = new_code_cell("1")
    other.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    records = read_records(new_notebook(cells=[cell, other]))
    assert records == {"periods": ["2026-10"], "total": 2.5}


def test_each_value_carries_its_kind_from_its_name_or_as_given() -> None:
    found = {p["name"]: p["kind"] for p in payloads(month_total=90892.31, log_groups=4,
                                                     coverage=0.2857, kinds={"month_total": "money"})}  # fmt: skip
    assert found == {"month_total": "money", "log_groups": "count", "coverage": "percent"}


def test_a_report_is_recorded_with_its_findings_status_and_kinds() -> None:
    class Review:
        kinds = {"month_total": "money"}

        def figures(self) -> dict:
            return {"month_total": 90892.31, "month": "2026-11"}

        def findings(self) -> list[str]:
            return ["2026-11 amortized cost $90,892"]

        def status(self) -> str:
            return "PASS"

    shown = payloads(Review(), forecast={"low": 1.0})
    assert [p["name"] for p in shown] == ["month_total", "month", "findings", "status", "forecast"]
    assert shown[0]["kind"] == "money" and shown[-1]["kind"] == "money"
    cell = new_code_cell("record(review)")
    cell.outputs = [new_output("display_data", data={MIME_TYPE: p}) for p in shown]
    notebook = new_notebook(cells=[cell])
    assert read_records(notebook)["status"] == "PASS"
    assert read_kinds(notebook)["month_total"] == "money"
