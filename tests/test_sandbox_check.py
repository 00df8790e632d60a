"""The harness's boundary for values from a graded program (``judgebench._sandbox_check``), tested in-process.

In the sandbox this module runs inside the program's process; here it is imported directly to check, without a
sandbox, that plain data is copied out without running the program's methods and that everything else is
refused where a test would compare or compute with it.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any

import pytest

from judgebench._sandbox_check import MAX_DEPTH, NotPlainData, Opaque, call_program, from_program, plain, to_program

CALLS: list[str] = []


class EvilInt(int):
    def __eq__(self, other: object) -> bool:
        CALLS.append("int.__eq__")
        return True

    def __int__(self) -> int:
        CALLS.append("__int__")
        return 999

    __hash__ = int.__hash__


class EvilStr(str):
    def __str__(self) -> str:
        CALLS.append("__str__")
        return "evil"


class EvilList(list):  # type: ignore[type-arg]
    def __iter__(self) -> Any:
        CALLS.append("__iter__")
        return iter([999])


class EvilDict(dict):  # type: ignore[type-arg]
    def keys(self) -> Any:
        CALLS.append("keys")
        return ["evil"]

    def items(self) -> Any:
        CALLS.append("items")
        return [("evil", 1)]

    def __iter__(self) -> Any:
        CALLS.append("dict.__iter__")
        return iter(["evil"])


class AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return True

    def __sub__(self, other: object) -> float:
        return 0.0

    def __contains__(self, item: object) -> bool:
        return True

    def __len__(self) -> int:
        return 3


def test_plain_reads_subclass_storage_without_calling_their_methods() -> None:
    CALLS.clear()
    value = plain([EvilInt(5), EvilStr("ok"), EvilList([1, 2]), EvilDict(a=1), (EvilInt(2),), {EvilInt(3)}])
    assert value == [5, "ok", [1, 2], {"a": 1}, (2,), {3}]
    assert [type(v) for v in value] == [int, str, list, dict, tuple, set]
    assert type(value[0]) is int and type(value[4][0]) is int
    assert CALLS == []


def test_plain_keeps_bool_none_and_turns_namedtuple_and_ordereddict_into_builtins() -> None:
    point = namedtuple("point", "x y")
    assert plain(point(1, 2)) == (1, 2) and type(plain(point(1, 2))) is tuple
    assert type(plain(OrderedDict(a=1))) is dict
    assert plain(True) is True and plain(None) is None
    assert plain({1: "a"}.keys()) == {1}


def test_plain_numpy_scalars_become_python_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert plain(np.int64(3)) == 3 and type(plain(np.int64(3))) is int
    assert type(plain(np.bool_(True))) is bool and type(plain(np.float32(2.5))) is float


def test_from_program_wraps_what_is_not_plain() -> None:
    nested: list[Any] = []
    for _ in range(MAX_DEPTH + 5):
        nested = [nested]
    for value in (AlwaysEqual(), [1, AlwaysEqual()], nested, len, object()):
        assert type(from_program(value)) is Opaque


@pytest.mark.parametrize(
    "use",
    [
        lambda v: v == 3,
        lambda v: 3 == v,
        lambda v: v != 3,
        lambda v: abs(v - 1.5) < 1e-6,
        lambda v: 1 in v,
        lambda v: float(v),
        lambda v: v < 2,
    ],
)
def test_opaque_refuses_comparisons_and_arithmetic(use: Any) -> None:
    with pytest.raises(NotPlainData, match="AlwaysEqual returned by the program"):
        use(Opaque(AlwaysEqual()))


def test_opaque_forwards_calls_iteration_and_attributes_through_the_same_boundary() -> None:
    class Node:
        def __init__(self) -> None:
            self.value = EvilInt(7)
            self.children = [EvilInt(1), AlwaysEqual()]

    made = call_program(Node, (), {})
    assert type(made) is Opaque
    assert made.value == 7 and type(made.value) is int
    first, second = made.children
    assert first == 1 and type(second) is Opaque
    assert len(Opaque(AlwaysEqual())) == 3 and bool(Opaque(AlwaysEqual()))
    assert list(Opaque(iter([EvilInt(4)]))) == [4]
    assert Opaque(lambda a, b: a + b)(2, 3) == 5


def test_call_program_unwraps_opaque_arguments_and_cleans_mutated_ones() -> None:
    pair = call_program(lambda a, b: (a, b, AlwaysEqual()), (1, 2), {})
    assert to_program([pair])[0] is pair._value
    assert call_program(lambda items: len(items[0]), ([pair],), {}) == 3
    data = [3, 1, 2]
    call_program(lambda items: items.__setitem__(slice(None), [AlwaysEqual()] * 3), (data,), {})
    assert all(type(v) is Opaque for v in data)
    with pytest.raises(NotPlainData):
        assert data == [1, 2, 3]


def test_call_program_stop_iteration_does_not_end_the_tests_loop() -> None:
    def stop(n: int) -> bool:
        raise StopIteration

    with pytest.raises(RuntimeError, match="StopIteration"):
        all(map(Opaque(stop), [2, 4]))
