"""Which steps the shared layers hold (the venv and tooling, a known spec's apt installs), and
when the project builds in the venv instead of an isolated build environment."""

from __future__ import annotations

from dataclasses import replace

import pytest

from env_setup import Detection, StepKind, make_plan
from env_setup.layers import split_layers, split_tooling, system_install
from env_setup.model import Step

IMAGES = {"3.9": "swe-agent/python:3.9"}


def _pre(command: str) -> Step:
    return Step(command, "the spec says so", StepKind.PRE_INSTALL, optional=True)


@pytest.mark.parametrize(
    ("command", "system"),
    [
        ("apt-get update && apt-get install -y graphviz", True),
        ("apt-get update && apt-get install -y libenchant-2-dev hunspell-en-us", True),
        (
            "apt-get -y update && apt-get -y upgrade && DEBIAN_FRONTEND=noninteractive "
            "apt-get install -y imagemagick ffmpeg libfreetype6-dev pkg-config",
            True,
        ),
        # matplotlib's spec has an empty part: it fails where it always ran, not in a layer
        ("apt-get -y update && apt-get -y upgrade && && apt-get install -y imagemagick", False),
        ("sed -i 's/pytest/pytest -rA/' tox.ini", False),  # edits the checkout
        ("apt-get update; pip install x", False),
        ("apt-get install -y $(cat packages.txt)", False),  # reads the checkout
        ("locale-gen en_US.UTF-8", False),
    ],
)
def test_only_apt_get_calls_are_system_installs(command: str, system: bool) -> None:
    assert system_install(_pre(command)) is system
    # The same command as another kind of step is never moved.
    assert not system_install(replace(_pre(command), kind=StepKind.DEPENDENCIES))


def test_system_installs_form_a_second_layer_after_the_tooling() -> None:
    plan = make_plan(Detection(installable=True), IMAGES, python="3.9")
    sed, apt = _pre("sed -i 's/a/b/' tox.ini"), _pre("apt-get update && apt-get install -y tree")
    project = plan.steps[2:]
    plan = replace(plan, steps=(*plan.steps[:2], sed, apt, *project))
    groups, rest = split_layers(plan)
    assert [[s.kind for s in g] for g in groups] == [
        [StepKind.VENV, StepKind.TOOLING],
        [StepKind.PRE_INSTALL],
    ]
    assert groups[1] == (apt,)
    assert rest == (sed, *project)  # the checkout's edit still runs before the project install
    layered, after = split_tooling(plan)
    assert layered == (*groups[0], apt) and after == rest


def test_no_system_layer_without_a_tooling_layer() -> None:
    apt = _pre("apt-get update && apt-get install -y tree")
    plan = make_plan(Detection(installable=True), IMAGES, python="3.9")
    plan = replace(plan, steps=(apt, *plan.steps))
    groups, rest = split_layers(plan)
    assert groups == () and rest == plan.steps


@pytest.mark.parametrize(
    ("installed", "in_venv"),
    [
        ({"setuptools": "69.5.1", "wheel": "0.43.0"}, True),
        ({"setuptools": "70.0.0", "wheel": "0.43.0"}, True),  # flask 2.3's spec pins it
        ({"setuptools": "75.1.0", "wheel": "0.42.0"}, True),  # a 2024 commit's date
        ({"setuptools": "59.6.0", "wheel": "0.43.0"}, False),  # no editable hook: isolated
        ({"setuptools": "69.5.1", "wheel": "0.30.0"}, False),  # no wheel.wheelfile
        ({"setuptools": "69.5.1", "wheel": "0.45.0"}, False),
    ],
)
def test_the_venv_builds_when_its_setuptools_has_the_editable_hook(
    installed: dict[str, str],
    in_venv: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib.metadata
    from types import SimpleNamespace

    from env_setup.tooling import no_isolation_when_unchanged

    word = no_isolation_when_unchanged("/opt/swe-venv")
    script = word[word.index('-c "') + 4 : -2]
    dists = [SimpleNamespace(metadata={"Name": n}, version=v) for n, v in installed.items()]
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: dists)
    exec(script, {})
    assert (capsys.readouterr().out.strip() == "--no-build-isolation") is in_venv
