"""Connecting to a Ray cluster (issue 16): the package travels to the workers, and a token in ~/.ray/auth_token
turns on Ray's token authentication instead of failing with a bare ConnectionError. No cluster is started here."""

from __future__ import annotations

from pathlib import Path

from judgebench.run.ray import cluster_init_options


def test_the_package_travels_to_the_workers_unless_told_not_to(tmp_path: Path) -> None:
    import judgebench

    options, env = cluster_init_options("ray://head:10001", environ={}, home_token=tmp_path / "none")
    assert options["address"] == "ray://head:10001" and env == {}
    assert options["runtime_env"] == {"py_modules": [str(Path(judgebench.__file__).resolve().parent)]}
    options, _ = cluster_init_options("ray://head:10001", environ={"JUDGEBENCH_RAY_SHIP_PACKAGE": "0"}, home_token=tmp_path / "none")
    assert "runtime_env" not in options


def test_a_token_file_sets_ray_auth_mode_unless_the_user_chose_one(tmp_path: Path) -> None:
    token = tmp_path / "auth_token"
    token.write_text("secret-token", encoding="utf-8")
    assert cluster_init_options("head:6379", environ={}, home_token=token)[1] == {"RAY_AUTH_MODE": "token"}
    assert cluster_init_options("head:6379", environ={"RAY_AUTH_MODE": "disabled"}, home_token=token)[1] == {}
    assert cluster_init_options("head:6379", environ={}, home_token=tmp_path / "missing")[1] == {}
