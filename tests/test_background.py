"""``run.background.Background``: run.json's facts and warm imports in a thread while the judge's calls are in flight."""

from __future__ import annotations

import sys
import threading

import pytest

from judgebench.run.background import Background


def test_compute_runs_in_another_thread_once_and_result_joins_it() -> None:
    seen: list[str] = []

    def compute() -> int:
        seen.append(threading.current_thread().name)
        return 41 + 1

    bg = Background(compute)
    bg.start()
    bg.start()  # a second start does nothing
    assert bg.result() == 42
    assert bg.result() == 42
    assert seen == ["judgebench-background"]  # once, and not in the caller's thread


def test_result_starts_the_work_when_nothing_started_it() -> None:
    assert Background(lambda: "facts").result() == "facts"


def test_an_error_of_compute_is_raised_by_result_in_the_caller() -> None:
    def compute() -> None:
        raise OSError("git is gone")

    bg = Background(compute)
    bg.start()
    with pytest.raises(OSError, match="git is gone"):
        bg.result()


def test_warm_imports_modules_and_a_missing_one_is_not_an_error() -> None:
    name = "judgebench_tests_warm_probe"
    sys.modules.pop("colorsys", None)
    bg = Background(lambda: None, warm=(name, "colorsys"))
    assert bg.result() is None  # the missing module did not raise
    assert "colorsys" in sys.modules  # the module after it was still imported
    assert name not in sys.modules


def test_the_switch_interval_is_short_while_the_thread_works_and_restored_after() -> None:
    from judgebench.run import background

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.004)
    try:
        inside: list[float] = []
        gate = threading.Event()

        def compute() -> None:
            gate.wait(5)
            inside.append(sys.getswitchinterval())

        first, second = Background(compute), Background(lambda: inside.append(sys.getswitchinterval()))
        first.start()
        second.result()  # a second one that ends while the first still works keeps the short interval
        assert sys.getswitchinterval() == pytest.approx(background.SWITCH_INTERVAL_S)
        gate.set()
        first.result()
        assert inside == [pytest.approx(background.SWITCH_INTERVAL_S)] * 2
        assert sys.getswitchinterval() == pytest.approx(0.004)  # the caller's own value is back
        bad = Background(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            bad.result()
        assert sys.getswitchinterval() == pytest.approx(0.004)  # also after a failed compute
    finally:
        sys.setswitchinterval(before)


def test_a_thread_that_cannot_start_leaves_the_switch_interval_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    before = sys.getswitchinterval()

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        Background(lambda: None).start()
    assert sys.getswitchinterval() == before
