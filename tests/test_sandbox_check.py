"""The harness's boundary for values from a graded program, tested without a sandbox.

In the sandbox the tests run in the judge's process (``judgebench.sandbox._sandbox_check``) and the program in a process
it forks (``_sandbox_program``). Here ``Program.start`` forks that process from the test process itself, to check
that plain data crosses as builtin values without running the program's methods, that everything else arrives as
an ``Opaque`` refused where a test would compare or compute with it, and that the judge takes nothing from the
program's process but decoded values: no descriptor, no unpickling, no exception object of the program's.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from typing import Any

import pytest

from judgebench.sandbox._sandbox_program import MAX_DEPTH, Handles, NotPlain, encode
from judgebench.sandbox._sandbox_proxies import NotPlainData, Opaque, Program, ProgramEnded

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


def decoded(value: Any) -> Any:
    """``value`` as the judge receives it: encoded in the program's process, decoded by ``Program.decode``."""
    return Program(0, -1, -1).decode(json.loads(json.dumps(encode(value))))


# --------------------------------------------------------------------------- plain data (the program's side)


def test_encode_reads_subclass_storage_without_calling_their_methods() -> None:
    CALLS.clear()
    value = decoded([EvilInt(5), EvilStr("ok"), EvilList([1, 2]), EvilDict(a=1), (EvilInt(2),), {EvilInt(3)}])
    assert value == [5, "ok", [1, 2], {"a": 1}, (2,), {3}]
    assert [type(v) for v in value] == [int, str, list, dict, tuple, set]
    assert type(value[0]) is int and type(value[4][0]) is int
    assert CALLS == []


def test_encode_keeps_bool_none_and_turns_namedtuple_and_ordereddict_into_builtins() -> None:
    point = namedtuple("point", "x y")
    assert decoded(point(1, 2)) == (1, 2) and type(decoded(point(1, 2))) is tuple
    assert type(decoded(OrderedDict(a=1))) is dict
    assert decoded(True) is True and decoded(None) is None
    assert decoded({1: "a"}.keys()) == {1}


def test_encode_round_trips_exact_values() -> None:
    # 2**200 travels as hexadecimal (no 4300-digit limit), -0.0 and nan keep their bits, frozenset stays one
    values = [2**200, -(2**70), -0.0, float("inf"), b"\x00\xff", 1 + 2j, frozenset({1}), {(1, 2): [None]}, "\udc80"]
    out = decoded(values)
    assert out[:-1] == values[:-1] and out[-1] == "\udc80"
    assert str(decoded(-0.0)) == "-0.0" and decoded(float("nan")) != decoded(float("nan"))
    assert [type(v) for v in out] == [type(v) for v in values]


def test_encode_numpy_scalars_become_python_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert decoded(np.int64(3)) == 3 and type(decoded(np.int64(3))) is int
    assert type(decoded(np.bool_(True))) is bool and type(decoded(np.float32(2.5))) is float


def test_encode_refuses_what_is_not_plain_and_handles_give_it_a_number() -> None:
    nested: list[Any] = []
    for _ in range(MAX_DEPTH + 5):
        nested = [nested]
    handles = Handles()
    for value in (AlwaysEqual(), [1, AlwaysEqual()], nested, len, object()):
        with pytest.raises(NotPlain):
            encode(value)
        assert handles.export(value)[0] == "h"
    thing = object()
    assert handles.export(thing) == handles.export(thing)  # one handle per object


@pytest.mark.parametrize("message", [["h", -1, "x"], ["h", 0, 5], ["l", 3], ["s", [["l", []]]], ["d", [1]], ["q"], {"a": 1}])
def test_judge_decoding_anything_but_a_value_ends_the_exchange(message: Any) -> None:
    program = Program(0, -1, -1)  # no process: nothing to kill
    with pytest.raises(ProgramEnded, match="not a value"):
        program.decode(message)
    assert program.ended is not None


# --------------------------------------------------------------------------- a real program process


@pytest.fixture
def start() -> Iterator[Any]:
    started: list[Program] = []

    def start(code: str) -> Program:
        program = Program.start(code, "<program>")
        started.append(program)
        assert program.import_failure() is None
        return program

    yield start
    for program in started:
        program.stop()


PROGRAM = """
class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    def __contains__(self, item):
        return True

    def __len__(self):
        return 3


class EvilInt(int):
    def __eq__(self, other):
        return True


class Node:
    def __init__(self):
        self.value = EvilInt(7)
        self.children = [EvilInt(1), AlwaysEqual()]


class MyError(ValueError):
    pass


def pair(a, b):
    return (a, b, AlwaysEqual())


def fail(n):
    raise MyError('bad', n)


def stop(n):
    raise StopIteration


def fill(items):
    items[:] = [AlwaysEqual() for _ in items]


def sort(items):
    items.sort()


def apply(function, values):
    return [function(v) for v in values]


def first(values):
    return values[0].value


def descriptors():
    import os
    return sorted(int(n) for n in os.listdir('/proc/self/fd'))


def kind(value):
    return type(value).__name__, str(value)
"""


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
def test_opaque_refuses_comparisons_and_arithmetic(start: Any, use: Any) -> None:
    always = start(PROGRAM).globals(["AlwaysEqual"])["AlwaysEqual"]()
    with pytest.raises(NotPlainData, match="AlwaysEqual returned by the program"):
        use(always)


def test_opaque_forwards_calls_iteration_and_attributes_through_the_same_boundary(start: Any) -> None:
    names = start(PROGRAM).globals(["Node", "AlwaysEqual", "pair"])
    made = names["Node"]()
    assert type(made) is Opaque
    assert made.value == 7 and type(made.value) is int
    first, second = made.children
    assert first == 1 and type(second) is Opaque
    always = names["AlwaysEqual"]()
    assert len(always) == 3 and bool(always)
    assert names["pair"](2, 3)[:2] == (2, 3)


def test_program_values_passed_back_are_the_program_objects(start: Any) -> None:
    names = start(PROGRAM).globals(["Node", "first", "pair"])
    node = names["Node"]()
    assert names["first"]([node]) == 7  # the program receives its own Node, not a copy
    a, b, always = names["pair"](1, always_ := names["pair"](0, 0)[2])
    assert b is always_ and type(always) is Opaque  # one proxy per object of the program


def test_mutated_arguments_are_copied_back_through_the_boundary(start: Any) -> None:
    names = start(PROGRAM).globals(["fill", "sort"])
    data = [3, 1, 2]
    names["sort"](data)
    assert data == [1, 2, 3]
    names["fill"](data)
    assert all(type(v) is Opaque for v in data)
    with pytest.raises(NotPlainData):
        assert data == [1, 2, 3]


def test_stop_iteration_does_not_end_the_tests_loop(start: Any) -> None:
    stop = start(PROGRAM).globals(["stop"])["stop"]
    with pytest.raises(RuntimeError, match="StopIteration"):
        all(map(stop, [2, 4]))


def test_program_exceptions_arrive_as_builtin_classes_with_plain_arguments(start: Any) -> None:
    fail = start(PROGRAM).globals(["fail"])["fail"]
    with pytest.raises(ValueError) as caught:
        fail(3)
    assert type(caught.value) is ValueError and caught.value.args == ("bad", 3)
    assert caught.value._program_class == "MyError"  # type: ignore[attr-defined]
    notes = "".join(caught.value.__notes__)
    assert 'File "<program>", line 36, in fail' in notes and "_sandbox_program" not in notes


def test_program_calls_the_tests_functions_back(start: Any) -> None:
    apply = start(PROGRAM).globals(["apply"])["apply"]
    seen: list[int] = []

    def times_ten(v: int) -> int:
        seen.append(v)
        return v * 10

    assert apply(times_ten, [1, 2]) == [10, 20]
    assert seen == [1, 2]


def test_values_plain_data_cannot_say_cross_pickled_and_the_tests_own_classes_do_not(start: Any) -> None:
    from fractions import Fraction

    program = start(PROGRAM)
    kind = program.globals(["kind"])["kind"]
    assert kind(Fraction(1, 3)) == ("Fraction", "1/3")  # pickled here, unpickled in the program's process
    assert kind(range(3)) == ("range", "range(0, 3)")

    class Local:
        pass

    with pytest.raises(BaseException, match="cannot reach its process"):
        kind(Local())
    assert program.unsendable is not None  # the run is an error, whatever the tests catch


def test_program_process_holds_only_its_pipes(start: Any) -> None:
    # stdin, stdout, stderr, its two pipes (and the descriptor listing /proc/self/fd): nothing of the judge's
    assert len(start(PROGRAM).globals(["descriptors"])["descriptors"]()) == 6


def test_program_process_that_ends_during_a_call_ends_the_exchange(start: Any) -> None:
    program = start("import os\n\ndef quit():\n    os._exit(7)\n")
    with pytest.raises(ProgramEnded):
        program.globals(["quit"])["quit"]()
    assert program.status is not None and os.waitstatus_to_exitcode(program.status) == 7
    with pytest.raises(ProgramEnded):
        program.globals(["quit"])


def test_program_that_writes_garbage_to_its_pipe_ends_the_exchange(start: Any) -> None:
    # every descriptor the program's process holds (its pipe's number depends on how many the test process has open)
    lie = "import os\n\ndef lie():\n    for fd in sorted(int(n) for n in os.listdir('/proc/self/fd')):\n        if fd < 3:\n            continue\n        try:\n            os.write(fd, b'\\x00\\x00\\x00\\x05hello')\n        except OSError:\n            pass\n"
    program = start(lie)
    with pytest.raises(ProgramEnded, match="not an answer"):
        program.globals(["lie"])["lie"]()


def test_import_failure_is_reported_with_its_reason() -> None:
    program = Program.start("import sys\nsys.exit(0)\n", "<program>")
    try:
        assert program.import_failure() == "SystemExit: 0 while importing the program"
    finally:
        program.stop()
    program = Program.start("def f(:\n", "<program>")
    try:
        assert (program.import_failure() or "").startswith("SyntaxError: ")
    finally:
        program.stop()
