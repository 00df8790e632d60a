"""Reading a local pair file twice in one run (issue 17, target 3): the first complete read validates every row and
fingerprints each line, the next compares each line with its fingerprint instead of validating it again, and a file
that changed between the two reads is refused, never trusted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from judgebench.benchmarks import local, stream_items
from judgebench.errors import InputError
from judgebench.run import runner
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Item


def _row(i: int, **kw: object) -> str:
    row = {"pair_id": f"p{i:03d}", "question": f"q{i} ✓", "response_A": "a" * (i % 7 + 1), "response_B": "b" * (i % 5 + 1), "label": ("A>B", "B>A", "A=B")[i % 3], "source": "s", "extra_col": i} | kw
    return json.dumps(row, ensure_ascii=False) + "\n"


def _write(path: Path, rows: list[str]) -> Path:
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress("".join(rows).encode()))
    else:
        path.write_text("".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the rows validated (``validate_pair_dict`` calls)."""
    calls: list[int] = []
    real = local.validate_pair_dict

    def counting(d: dict, **kw: object) -> object:
        calls.append(1)
        return real(d, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(local, "validate_pair_dict", counting)
    return calls


@pytest.mark.parametrize("name", ["p.jsonl", "p.jsonl.gz"])
def test_a_second_read_gives_the_same_items_without_validating_again(tmp_path: Path, validations: list[int], name: str) -> None:
    path = _write(tmp_path / name, [_row(i) for i in range(1, 31)] + ["\n", "   \n"])
    read = stream_items(path)
    assert read is not None
    first = list(read())
    assert len(validations) == 30
    second, third = list(read()), list(read())
    assert len(validations) == 30  # later reads only compare fingerprints
    assert first == second == third
    assert first[0] == Item.from_pair(local.validate_pair_dict(json.loads(_row(1)), path=path, line=1))
    assert first[4].metadata == {"extra_col": 5}


def test_a_folder_and_a_json_file(tmp_path: Path, validations: list[int]) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    _write(folder / "a.jsonl", [_row(i) for i in range(1, 6)])
    _write(folder / "b.jsonl", [_row(i) for i in range(6, 9)])
    read = stream_items(folder)
    assert read is not None
    assert [i.id for i in read()] == [i.id for i in read()] == [f"p{i:03d}" for i in range(1, 9)]
    assert len(validations) == 8
    (tmp_path / "l.json").write_text(json.dumps([json.loads(_row(i)) for i in range(1, 4)]), encoding="utf-8")
    validations.clear()
    as_list = stream_items(tmp_path / "l.json")
    assert as_list is not None and list(as_list()) == list(as_list())
    assert len(validations) == 6  # a .json list has no lines to fingerprint: validated on every read


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (lambda rows: rows[:4] + [_row(5, label="B>A" if json.loads(_row(5))["label"] != "B>A" else "A>B")] + rows[5:], "this line changed", 5),
        (lambda rows: rows[:2] + [_row(3, label="nonsense")] + rows[3:], "this line changed", 3),
        (lambda rows: [*rows, _row(99)], "this line changed", 11),
        (lambda rows: rows[:-2], "2 row\\(s\\) fewer", None),
    ],
)
def test_a_file_changed_between_reads_is_refused(tmp_path: Path, change: object, message: str, line: int | None) -> None:
    rows = [_row(i) for i in range(1, 11)]
    path = _write(tmp_path / "p.jsonl", rows)
    read = stream_items(path)
    assert read is not None
    list(read())
    _write(path, change(rows))  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as e:
        list(read())
    assert e.value.path == str(path) and e.value.line == line


def test_an_incomplete_first_read_records_nothing(tmp_path: Path, validations: list[int]) -> None:
    path = _write(tmp_path / "p.jsonl", [_row(i) for i in range(1, 11)])
    read = stream_items(path)
    assert read is not None
    it = read()
    next(it), next(it)
    del it
    assert len(list(read())) == 10 and len(validations) == 12  # the second read validated everything again


def test_a_run_refuses_a_file_changed_after_its_identity_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_row(i) for i in range(1, 21)]
    path = _write(tmp_path / "p.jsonl", rows)
    real = runner.stream_identity

    def then_change(*args: object, **kw: object) -> object:
        found = real(*args, **kw)  # type: ignore[arg-type]
        _write(path, rows[:7] + [_row(8, response_A="changed")] + rows[8:])
        return found

    monkeypatch.setattr(runner, "stream_identity", then_change)
    with pytest.raises(InputError, match="this line changed") as e:
        run(RunSpec(judge="longer", data=str(path), results_dir=str(tmp_path / "r"), progress=False))
    assert e.value.line == 8
    (out,) = (tmp_path / "r").glob("*/longer/none")
    assert not (out / "judgments.jsonl").exists() and not (out / "metrics.json").exists()
    monkeypatch.setattr(runner, "stream_identity", real)
    again = run(RunSpec(judge="longer", data=str(path), results_dir=str(tmp_path / "r"), progress=False))
    assert [r.item.responses[0].text for r in again.results][7] == "changed"


@pytest.mark.parametrize("shuffled", [False, True])
def test_the_identity_pass_over_pairs_equals_the_one_over_items(tmp_path: Path, shuffled: bool) -> None:
    from operator import attrgetter

    from judgebench.run.identity import item_set_sha256, pair_line, stream_identity

    order = list(range(1, 41))
    if shuffled:
        order = order[::-1]
    rows = [_row(i, response_model=("m1", "", "m2")[i % 3]) for i in order]
    path = _write(tmp_path / "p.jsonl", rows)
    read = stream_items(path)
    assert isinstance(read, local.PairStream)
    by_items, by_pairs = runner._Scan({}, set()), runner._Scan({}, set())
    a = stream_identity(path, read, 25, on_item=lambda i, item: by_items.add(item) if i < 25 else None)
    b = stream_identity(path, read.pairs, 25, on_item=lambda i, pair: by_pairs.add_pair(pair) if i < 25 else None, line=pair_line, id_of=attrgetter("pair_id"))
    assert a == b and a.set_sha256 == item_set_sha256(read())
    assert (by_pairs.n, by_pairs.models, by_pairs.all_pairs) == (by_items.n, by_items.models, by_items.all_pairs) == (25, {"m1", "m2"}, True)
    assert {k: (v[0], v[1]) for k, v in by_pairs.shapes.items()} == {k: (v[0], v[1]) for k, v in by_items.shapes.items()}
    assert len(by_pairs.shapes) == 2  # ties and not
