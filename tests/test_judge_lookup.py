"""``judges.get_judge_info`` imports only the judge's own module when that registers it (a run of one judge does not
import the others before its first request), and every module otherwise."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _imported_after(code: str) -> set[str]:
    """The judge modules imported after ``code`` runs in a fresh interpreter."""
    probe = code + "; import sys; print(' '.join(m for m in sys.modules if m.startswith('judgebench.judges.')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_a_judge_in_its_own_module_imports_no_other_judge() -> None:
    mods = _imported_after("from judgebench.judges import get_judge_info; assert get_judge_info('vanilla').name == 'vanilla'")
    assert "judgebench.judges.vanilla" in mods
    assert "judgebench.judges.arena_hard" not in mods and "judgebench.judges.pandalm" not in mods


def test_a_judge_registered_elsewhere_is_found_by_discovering_all() -> None:
    mods = _imported_after("from judgebench.judges import get_judge_info; assert get_judge_info('longer').backend == 'none'")
    assert {"judgebench.judges.baselines", "judgebench.judges.arena_hard"} <= mods  # no module named longer: all of them


def test_an_unknown_judge_lists_every_judge() -> None:
    from judgebench.errors import JudgebenchError
    from judgebench.judges import get_judge_info

    with pytest.raises(JudgebenchError, match=r"unknown judge 'nope'.*arena_hard.*vanilla"):
        get_judge_info("nope")
