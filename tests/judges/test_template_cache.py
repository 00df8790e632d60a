"""The judges' templates are compiled once and rendered with flat globals, still in the sandbox."""

from __future__ import annotations

import jinja2
import pytest
from jinja2.sandbox import SecurityError

from judgebench.judges._prompted import TEMPLATE_DIR, _environment, _template, compiled, render_template


def test_a_template_is_loaded_once_and_renders_the_same_each_time() -> None:
    _template.cache_clear()
    first = render_template("vanilla", question="Q?", reference=None, rubric=None, response_a="one", response_b="two")
    again = render_template("vanilla", question="Q?", reference=None, rubric=None, response_a="one", response_b="two")
    assert first == again
    assert "[The Start of Response A]\none\n[The End of Response A]" in first
    assert _template.cache_info().misses == 1 and _template.cache_info().hits == 1
    assert _environment().auto_reload is False


def test_every_shipped_template_has_plain_dict_globals_with_the_sandbox_range() -> None:
    from jinja2.sandbox import safe_range

    for path in sorted(TEMPLATE_DIR.glob("*.jinja")):
        template = _template(path.stem)
        assert type(template.globals) is dict, path.name
        assert template.globals["range"] is safe_range, path.name


def test_compiled_templates_stay_sandboxed() -> None:
    env = _environment()
    with pytest.raises(SecurityError):
        compiled(env.from_string("{{ x.__class__.__mro__ }}")).render(x="")
    with pytest.raises(OverflowError):  # the sandbox's range refuses huge ranges; a flat copy keeps it
        compiled(env.from_string("{{ range(10 ** 9) | length }}")).render()
    with pytest.raises(jinja2.UndefinedError):
        compiled(env.from_string("{{ missing }}")).render()
    assert compiled(env.from_string("{% for i in range(3) %}{{ i }}{% endfor %}")).render() == "012"
