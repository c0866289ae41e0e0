"""Repositories without a mirror: cloned once (bare) from a URL template into the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_world import make_world
from typer.testing import CliRunner

from swe_agent.bench import RepoNotAvailable
from swe_agent.bench.repos import ensure_mirror, materialize, repo_url
from swe_agent.bench.workdirs import prepare_workdir


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private $SWE_AGENT_CACHE (the mirror cache is its mirrors/ folder)."""
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _template(source_mirrors: Path) -> str:
    return f"file://{source_mirrors}/{{owner}}+{{name}}/repo"


def test_url_template_fields() -> None:
    assert repo_url("https://github.com/{repo}.git", "psf/requests") == (
        "https://github.com/psf/requests.git"
    )
    assert repo_url("git@host:{owner}/{name}", "a/b") == "git@host:a/b"


def test_a_missing_repository_is_cloned_once_and_shared(tmp_path: Path, cache: Path) -> None:
    world = make_world(tmp_path / "remote")
    empty = tmp_path / "mirrors"
    empty.mkdir()
    template = _template(world.mirrors)
    git_dir = ensure_mirror(empty, "octo/tinycalc", url_template=template)
    assert git_dir == cache / "mirrors" / "octo+tinycalc" / "repo"
    assert (git_dir / "HEAD").is_file() and not (git_dir / ".git").exists()  # bare
    assert [p.name for p in (cache / "mirrors" / "octo+tinycalc").iterdir()] == ["repo"]
    # The remote is gone: later instances use the clone in the cache, no network needed.
    (world.mirrors / "octo+tinycalc" / "repo").rename(tmp_path / "moved")
    workdir = prepare_workdir(
        repo="octo/tinycalc",
        commit=world.base,
        test_patch="",
        mirrors=empty,
        dest=tmp_path / "w1",
        url_template=template,
    )
    assert workdir.base == world.base
    alternates = (tmp_path / "w1" / ".git" / "objects" / "info" / "alternates").read_text()
    assert alternates.strip() == str(git_dir.resolve() / "objects")  # objects shared, not copied
    checkout = materialize("octo/tinycalc", world.base, mirrors=empty,
                           cache_dir=tmp_path / "checkouts", url_template=None)  # fmt: skip
    assert (checkout.root / "tinycalc" / "stats.py").is_file()


def test_no_mirror_and_no_network_is_a_clear_error(tmp_path: Path, cache: Path) -> None:
    empty = tmp_path / "mirrors"
    empty.mkdir()
    nowhere = f"file://{tmp_path}/nowhere/{{repo}}.git"
    with pytest.raises(RepoNotAvailable, match=r"no git mirror of octo/gone .*cloning") as caught:
        ensure_mirror(empty, "octo/gone", url_template=nowhere)
    assert "--repo-url-template" in str(caught.value.hint)
    assert not list((cache / "mirrors" / "octo+gone").iterdir())  # no half-made clone left
    with pytest.raises(RepoNotAvailable, match="no git mirror of octo/gone under"):
        ensure_mirror(empty, "octo/gone", url_template=None)


def test_eval_refuses_a_template_without_a_placeholder(tmp_path: Path) -> None:
    import typer

    from swe_agent.cli.bench_batch import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("other")(lambda: None)
    world = make_world(tmp_path)
    args = ["eval", str(world.dataset), "-p", "gold", "--out", str(tmp_path / "o"),
            "--repos", str(world.mirrors), "--repo-url-template", "https://h/x.git"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "names no repository" in result.output


def test_bench_localize_clones_a_repository_without_a_mirror(tmp_path: Path, cache: Path) -> None:
    import json

    from swe_agent.cli import app

    world = make_world(tmp_path / "remote")
    empty = tmp_path / "mirrors"
    empty.mkdir()
    args = ["bench", "localize", str(world.dataset), "--repos", str(empty), "--json",
            "--repo-url-template", _template(world.mirrors),
            "--cache-dir", str(tmp_path / "checkouts")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert rows and {row["status"] for row in rows} == {"ok"}
    assert (cache / "mirrors" / "octo+tinycalc" / "repo" / "HEAD").is_file()
    never = CliRunner().invoke(app, [*args[:5], "--repo-url-template", "", "--json",
                                     "--cache-dir", str(tmp_path / "c2")])  # fmt: skip
    assert never.exit_code == 0  # the clone is in the cache now: no network needed
