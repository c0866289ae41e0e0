"""Layered run options: the order of the sources, where each value came from, what a project
file may set, and errors that name their file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app
from swe_agent.errors import BadInput
from swe_agent.solve.layers import Layer, Source, gather, user_config_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A user config folder, a project with its own .swe-agent/config.yaml, a -C file."""
    xdg, project = tmp_path / "xdg", tmp_path / "project"
    user = _write(xdg / "swe-agent" / "config.yaml", "iterations: 60\nseed: 1\nexpansions: 4\n")
    _write(project / ".swe-agent" / "config.yaml", "iterations: 30\nseed: 2\nmax_steps: 9\n")
    run_file = _write(tmp_path / "run.yaml", "seed: 3\nmax_steps: 8\nagent:\n  rewrite: false\n")
    return {"xdg": xdg, "project": project, "user": user, "file": run_file}


def test_each_source_overrides_the_ones_before_and_says_so(world: dict[str, Path]) -> None:
    flags = [
        Source(Layer.FLAG, "--seed", {"seed": 4}),
        Source(Layer.FLAG, "--search", {"search": "linear"}),
    ]
    effective = gather(
        project=world["project"],
        config_file=world["file"],
        flags=flags,
        overrides=["seed=5", "agent.max_format_errors=7"],
        environ={"XDG_CONFIG_HOME": str(world["xdg"]), "SWE_AGENT_MODEL": "openai/gpt-4o"},
    )
    got = {key: (s.value, s.where) for key, s in effective.settings.items()}
    project_file = str(world["project"] / ".swe-agent" / "config.yaml")
    assert got["model"] == ("openai/gpt-4o", "SWE_AGENT_MODEL")
    assert got["expansions"] == (4, str(world["user"]))
    assert got["iterations"] == (30, project_file)  # a project may lower a cap
    assert got["max_steps"] == (8, str(world["file"]))
    assert got["agent.rewrite"] == (False, str(world["file"]))
    assert got["search"] == ("linear", "--search")
    assert got["seed"] == (5, "-c seed=5")
    assert got["agent.max_format_errors"] == (7, "-c agent.max_format_errors=7")
    assert got["budget_usd"] == (None, "default")
    assert [(f.layer, f.found) for f in effective.files] == [
        (Layer.USER, True), (Layer.PROJECT, True), (Layer.FILE, True)
    ]  # fmt: skip
    values = effective.values()
    assert values["agent"]["rewrite"] is False and values["seed"] == 5


def test_the_user_file_follows_xdg_config_home_else_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert user_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/swe-agent/config.yaml")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_config_path({}) == tmp_path / ".config" / "swe-agent" / "config.yaml"


def test_swe_agent_model_is_the_default_model_under_every_file(world: dict[str, Path]) -> None:
    env = {"XDG_CONFIG_HOME": str(world["xdg"]), "SWE_AGENT_MODEL": "openai/gpt-4o"}
    assert gather(project=None, environ=env).settings["model"].value == "openai/gpt-4o"
    _write(world["user"], "model: anthropic/claude-sonnet-4-20250514\n")
    mine = gather(project=None, environ=env).settings["model"]
    assert (mine.value, mine.layer) == ("anthropic/claude-sonnet-4-20250514", Layer.USER)
    assert gather(project=None, environ={}).settings["model"].value is None


def test_a_project_file_may_not_choose_the_model_widen_the_sandbox_or_raise_caps(
    tmp_path: Path,
) -> None:
    project = tmp_path / "repo"
    _write(
        project / ".swe-agent" / "config.yaml",
        "model: openai/gpt-4o\napi_base: http://evil.example/v1\nsandbox: local\n"
        "allow_unsandboxed: true\njudge: 'on'\napply: true\niterations: 500\n"
        "budget_usd: 100\nwall_time_s: null\nmax_calls: 12\n"
        "test_command: python -m pytest -x tests\nagent:\n  system_template: instance.j2\n"
        "  rewrite: false\n",
    )
    _write(tmp_path / "xdg" / "swe-agent" / "config.yaml", "budget_usd: 2\n")
    effective = gather(project=project, environ={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    got = {key: s.value for key, s in effective.settings.items()}
    assert got["model"] is None and got["api_base"] is None and got["sandbox"] == "docker"
    assert got["allow_unsandboxed"] is False and got["judge"] == "auto" and got["apply"] is False
    assert got["iterations"] == 40 and got["budget_usd"] == 2 and got["wall_time_s"] == 3600
    assert got["agent.system_template"] == "system.j2"
    assert got["max_calls"] == 12  # no cap below it: lowering
    assert got["test_command"] == "python -m pytest -x tests" and got["agent.rewrite"] is False
    ignored = {item.key for item in effective.ignored}
    assert ignored == {
        "model", "api_base", "sandbox", "allow_unsandboxed", "judge", "apply", "iterations",
        "budget_usd", "wall_time_s", "agent.system_template",
    }  # fmt: skip
    notes = "\n".join(effective.notes())
    assert "config.yaml:sandbox: only your user file" in notes
    assert "lower iterations, not raise it (40 -> 500)" in notes


def test_the_same_keys_from_a_user_file_are_taken(tmp_path: Path) -> None:
    _write(
        tmp_path / "swe-agent" / "config.yaml", "model: openai/gpt-4o\nsandbox: local\njudge: on\n"
    )
    effective = gather(project=None, environ={"XDG_CONFIG_HOME": str(tmp_path)})
    assert effective.settings["sandbox"].value == "local" and not effective.ignored
    assert effective.settings["judge"].value == "on"  # YAML's `on` is a boolean, meant as on


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "iteratons: 5\n",
            "config.yaml:iteratons: unknown option iteratons (did you mean iterations?)",
        ),
        ("iterations: 0\n", "config.yaml:iterations: Input should be greater than or equal to 1"),
        (
            "agent:\n  max_format_errors: many\n",
            "config.yaml:agent.max_format_errors: Input should",
        ),
        ("search: bfs\n", "config.yaml:search: Input should be 'mcts' or 'linear'"),
        ("commit: HEAD~1\n", "config.yaml:commit: commit is given per run"),
        ("- iterations\n", "must hold a mapping of option names to values"),
        ("iterations: [\n", "is not valid YAML"),
        ("!!python/object/apply:os.system ['touch pwned']\n", "is not valid YAML"),
    ],
)
def test_a_bad_file_names_its_path_and_key(tmp_path: Path, text: str, message: str) -> None:
    project = tmp_path / "repo"
    _write(project / ".swe-agent" / "config.yaml", text)
    with pytest.raises(BadInput) as raised:
        gather(project=project, environ={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert message in str(raised.value)
    assert str(project / ".swe-agent" / "config.yaml") in str(raised.value)
    assert not (Path.cwd() / "pwned").exists()


def test_a_bad_override_or_missing_c_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"-c seed=x: Input should be a valid integer"):
        gather(project=None, overrides=["seed=x"], environ={})
    with pytest.raises(BadInput, match="is not key.path=value"):
        gather(project=None, overrides=["seed"], environ={})
    with pytest.raises(BadInput, match="cannot read the config file"):
        gather(project=None, config_file=tmp_path / "absent.yaml", environ={})


def test_config_show_prints_every_value_and_its_source(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(world["xdg"]))
    _write(world["project"] / ".swe-agent" / "config.yaml", "sandbox: local\nmax_steps: 9\n")
    args = ["config", "show", "--repo", str(world["project"]), "-C", str(world["file"])]
    more = ["-c", "judge=off", "--judge", "on", "--max-calls", "9"]
    shown = CliRunner().invoke(app, [*args, *more], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line.split()[1:] for line in shown.output.splitlines() if line}
    assert lines["expansions"] == ["4", "user", "file"]
    assert lines["max_steps"] == ["8", "-C", "file"]
    assert lines["judge"] == ["off", "-c", "judge=off"]  # -c over the flag
    assert lines["max_calls"] == ["9", "--max-calls"]
    assert lines["sandbox"] == ["docker", "default"]
    assert "ignored" in shown.output and "sandbox" in shown.output
    as_json = CliRunner().invoke(app, [*args, "--json"])
    data = json.loads(as_json.output)
    assert data["options"]["expansions"] == {
        "value": 4,
        "layer": "user",
        "from": str(world["user"]),
    }
    assert data["options"]["search"]["value"] == "mcts"
    assert [item["key"] for item in data["ignored"]] == ["sandbox"]


def test_config_show_with_a_bad_file_exits_2_with_one_json_object(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.yaml", "iterations: -3\n")
    result = CliRunner().invoke(
        app, ["config", "show", "--repo", str(tmp_path), "-C", str(bad), "--json"]
    )
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["message"].startswith(f"{bad}:iterations: ")
