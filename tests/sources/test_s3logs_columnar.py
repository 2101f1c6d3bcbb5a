"""The column-wise decoder of load balancer logs gives exactly what the line reader gives.

The oracle is the line-by-line reader (``parse_elb_line`` + ``json.dumps``), tested against
AWS's documented entries in ``test_s3logs``; any file it would read differently (a line with
fewer or more fields, a stray quote, a bad time) must be handed back to it (``None``).
"""

from __future__ import annotations

import json

import pytest
from opsbook.backends import s3formats
from opsbook.backends.local import s3logs
from sources.test_s3logs import FIRST, STEP, _alb, _nlb


def _line_reader(text: str, name: str) -> list[tuple]:
    kind = s3formats.by_name(name)
    out = []
    for _, row in s3logs._ROWS[name](text, ""):
        stamp, record = row()
        out.append((stamp, json.dumps(record, separators=(",", ":"), ensure_ascii=False)))
    assert kind.fields
    return out


def _nlb_without_alpn_list(at):  # noqa: ANN001, ANN202
    return _nlb(at).replace('"h2","http/1.1"', "-")


@pytest.mark.parametrize(("name", "line"), [("alb", _alb), ("nlb", _nlb_without_alpn_list)])
def test_columnar_records_are_the_line_readers(name: str, line) -> None:  # noqa: ANN001
    text = "\n".join(line(FIRST + i * STEP) for i in range(5)) + "\n\n"
    table = s3logs._elb_columnar(text, s3formats.by_name(name))
    assert table is not None
    got = list(zip(table["timestamp"].to_pylist(), table["message"].to_pylist(), strict=True))
    assert got == _line_reader(text, name)


@pytest.mark.parametrize(
    "change",
    [
        lambda line: line.rsplit(" ", 1)[0],  # a field short
        lambda line: line + " extra",  # a field AWS added later
        lambda line: line.replace("https ", 'ht"tps ', 1),  # a stray quote
        lambda line: line.replace("2026-11-14T", "yesterday-", 1),  # a time that does not parse
        lambda line: line.replace('"curl/7.46.0"', '"curl "7" x"'),  # a quote inside quotes
    ],
)
def test_any_other_shape_goes_to_the_line_reader(change) -> None:  # noqa: ANN001
    text = _alb(FIRST) + "\n" + change(_alb(FIRST + STEP)) + "\n"
    assert s3logs._elb_columnar(text, s3formats.by_name("alb")) is None


def test_an_nlb_alpn_list_goes_to_the_line_reader() -> None:
    # '"h2","http/1.1"' is one field, quotes kept: the line reader's reading of it.
    assert s3logs._elb_columnar(_nlb(FIRST) + "\n", s3formats.by_name("nlb")) is None


def test_one_odd_object_among_many_is_read_line_by_line(tmp_path) -> None:  # noqa: ANN001
    import gzip

    folder = tmp_path / "s3" / "shop-logs" / "AWSLogs/123456789012/elasticloadbalancing/us-east-1"
    day = folder / f"{FIRST:%Y/%m/%d}"
    day.mkdir(parents=True)
    for i in range(3):
        end = FIRST + (i + 1) * STEP
        lines = [_alb(FIRST + i * STEP)] + ([_alb(FIRST + i * STEP) + " extra"] if i == 1 else [])
        key = (
            f"123456789012_elasticloadbalancing_us-east-1_app.shop-public.50dc6c495c0c9188_"
            f"{end:%Y%m%dT%H%MZ}_10.0.1.17_{i:08x}.log.gz"
        )
        (day / key).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    read = s3logs.read_source(tmp_path, "s3://shop-logs/AWSLogs/")
    assert read.events.num_rows == 4  # the extra field AWS may add is left out, not the line
    streams = read.events["log_stream"].to_pylist()
    assert len(set(streams)) == 3 and all(s.startswith("AWSLogs/") for s in streams)
