"""The parts of `bench eval` that need no Docker: grading, predictions, journal, executors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from bench_world import GOLD, make_world, pred, write_preds
from typer.testing import CliRunner

from env_setup import harness_test_command, parse_test_log
from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate
from swe_agent.bench.executors import LocalExecutor, drive
from swe_agent.bench.failures import ErrorKind, Failure
from swe_agent.bench.grading import grade, instance_report
from swe_agent.bench.images import parse_size
from swe_agent.bench.journal import Event, Journal, append_line, read_lines
from swe_agent.bench.predictions import load_predictions
from swe_agent.bench.workdirs import prepare_workdir
from swe_agent.errors import BadInput

OUTPUT = """\
tests/test_a.py ..F
=========================== short test summary info ============================
PASSED tests/test_a.py::test_one
PASSED tests/test_a.py::test_param[select a; select b-1]
XFAIL tests/test_a.py::test_known - reason
FAILED tests/test_a.py::test_two - AssertionError: assert 1 == 2
"""


def test_grading_follows_swebench_rules() -> None:
    status = grade(
        parse_test_log("pytest", OUTPUT),
        fail_to_pass=["tests/test_a.py::test_two", "tests/test_a.py::test_known"],
        pass_to_pass=["tests/test_a.py::test_one", "tests/test_a.py::test_param[select",
                      "tests/test_a.py::test_gone"],
    )  # fmt: skip
    assert status.f2p_success == ("tests/test_a.py::test_known",)  # XFAIL counts as a pass
    assert status.f2p_failure == ("tests/test_a.py::test_two",)
    # An id cut at its first space (as SWE-bench stores them) matches the summary line.
    assert "tests/test_a.py::test_param[select" in status.p2p_success
    assert status.p2p_failure == ("tests/test_a.py::test_gone",)  # missing from the output
    report = instance_report("x", model_patch=GOLD, applied=True, status=status)
    assert report["x"]["resolved"] is False and report["x"]["patch_exists"] is True
    assert report["x"]["tests_status"]["PASS_TO_PASS"]["failure"] == ["tests/test_a.py::test_gone"]
    empty = instance_report("y", model_patch="", applied=False, status=None)["y"]
    assert empty == {"patch_is_None": False, "patch_exists": False,
                     "patch_successfully_applied": False, "resolved": False}  # fmt: skip


def test_the_generic_command_runs_the_named_tests_files_with_pytest_ra() -> None:
    tests = ["t.py::test_p[a b", "t.py::test_p[c]", "t.py::C::test_m", "u.py::test_p[d]", "[100%]"]
    command = harness_test_command("octo/unknown", None, named=tests, venv="/v")
    assert command.directives == ("t.py", "u.py") and command.parser == "pytest"
    assert command.command == (
        "export PATH=/v/bin:$PATH; python -m pytest -rA -p no:cacheprovider t.py u.py"
    )


def test_predictions_skip_corrupt_and_unknown_lines(tmp_path: Path) -> None:
    world = make_world(tmp_path, ("octo__tinycalc-1", "octo__tinycalc-2"))
    instances = load_instances(world.dataset)
    path = write_preds(
        tmp_path / "preds.jsonl",
        [
            pred("octo__tinycalc-1", GOLD),
            '{"instance_id": "octo__tinycalc-2", "model_patch": "diff',
            pred("nobody__nothing-1", GOLD),
            '["not", "an", "object"]',
            pred("octo__tinycalc-2", None),
        ],
    )
    found, problems = load_predictions(str(path), instances=instances)
    assert set(found) == {"octo__tinycalc-1", "octo__tinycalc-2"}
    assert found["octo__tinycalc-2"].model_patch is None
    assert [p.line for p in problems] == [2, 3, 4]
    assert "preds.jsonl:2: not JSON" in problems[0].message
    assert "not in the dataset" in problems[1].message
    gold, none = load_predictions("gold", instances=instances)
    assert gold["octo__tinycalc-1"].model_patch == GOLD and none == []


def test_predictions_as_a_json_object_keyed_by_id(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    path = tmp_path / "preds.json"
    path.write_text(json.dumps({"octo__tinycalc-1": {"model_patch": GOLD}}))
    found, _ = load_predictions(str(path), instances=load_instances(world.dataset))
    assert found["octo__tinycalc-1"].model_patch == GOLD


def test_work_folder_shares_objects_and_commits_the_test_patch(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    inst = load_instances(world.dataset)[0]
    workdir = prepare_workdir(repo=inst.repo, commit=inst.base_commit, test_patch=inst.test_patch,
                              mirrors=world.mirrors, dest=tmp_path / "w")  # fmt: skip
    assert workdir.base == world.base and workdir.with_tests != world.base
    assert not (tmp_path / "w" / "tests").exists()  # nothing checked out
    again = prepare_workdir(repo=inst.repo, commit=inst.base_commit, test_patch=inst.test_patch,
                            mirrors=world.mirrors, dest=tmp_path / "w")  # fmt: skip
    assert again == workdir  # the derived commits are the same every time


def test_journal_survives_a_torn_last_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("a", Event.STARTED)
    journal.record("a", Event.FINISHED, cost_usd=0.5)
    journal.record("b", Event.STARTED)
    with open(journal.path, "a") as handle:
        handle.write('{"instance_id": "c", "ev')  # the process died mid-write
    append_line(journal.path, {"instance_id": "d", "event": "started"})
    assert journal.finished() == {"a"}
    assert journal.interrupted() == {"b", "d"}
    assert len(list(read_lines(journal.path))) == 4


def _square(value: int) -> int:
    return value * value


def test_drive_keeps_workers_busy_and_stops_starting_when_told() -> None:
    executor = LocalExecutor(workers=2)
    results: dict[int, int | BaseException] = {}
    started: list[int] = []
    try:
        drive(executor, _square, range(10), workers=2,
              may_start=lambda: len(started) < 5, on_start=started.append,
              on_done=lambda task, result: results.__setitem__(task, result))  # fmt: skip
    finally:
        executor.close()
    assert started == [0, 1, 2, 3, 4] and results == {i: i * i for i in range(5)}


def test_sizes() -> None:
    assert parse_size("20G") == 20 * 1024**3
    assert parse_size("1.5t") == int(1.5 * 1024**4)
    assert parse_size("500MiB") == 500 * 1024**2
    with pytest.raises(BadInput):
        parse_size("lots")


def _app():  # type: ignore[no-untyped-def]
    import typer

    from swe_agent.cli.bench_batch import eval_command, run_command

    app = typer.Typer()
    app.command("run")(run_command)
    app.command("eval")(eval_command)
    return app


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--predictions", "missing.jsonl"], "does not exist"),
        (["--predictions", "gold", "--executor", "spark"], "'spark' is not one of"),
        (["--predictions", "gold", "--disk-budget", "lots"], "is not a size"),
        (["--predictions", "gold", "--workers", "0"], "at least 1"),
    ],
)
def test_eval_command_refuses_bad_input(tmp_path: Path, extra: list[str], message: str) -> None:
    world = make_world(tmp_path)
    args = ["eval", str(world.dataset), "--out", str(tmp_path / "o"), "--repos", str(world.mirrors)]
    result = CliRunner().invoke(_app(), [*args, *extra], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_run_command_refuses_an_unknown_search(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    args = ["run", str(world.dataset), "-m", "replay:nowhere", "--out", str(tmp_path / "o"),
            "--repos", str(world.mirrors), "--search", "bfs"]  # fmt: skip
    result = CliRunner().invoke(_app(), args, env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "'bfs' is not one of 'mcts', 'linear'" in result.output


def test_a_collection_failure_is_recognised_and_an_attempt_forgotten(tmp_path: Path) -> None:
    from sandbox import start_sandbox
    from swe_agent.bench.eval_instance import Outcome
    from swe_agent.bench.testrun import collect_probe, missing_module

    (tmp_path / "some" / "long" / "folder" / "of" / "tests").mkdir(parents=True)
    lacking = "some/long/folder/of/tests/test_with_a_long_name_that_pytest_cuts.py"
    (tmp_path / lacking).write_text("import a_module_nobody_installed\n")
    (tmp_path / "test_code.py").write_text("from os import a_name_the_code_lacks\n")
    with start_sandbox(tmp_path, backend="local", allow_unsandboxed=True) as box:
        venv = str(Path(sys.executable).parent.parent)
        for target, expected in ((lacking, True), ("test_code.py", False)):
            command = harness_test_command("octo/x", None, named=[target], venv=venv)
            obs = box.run(command.command, timeout=120)
            probe = collect_probe(command)
            assert probe is not None and "--collect-only" in probe
            assert missing_module(box, probe, obs.stdout + obs.stderr, obs.exit_code) is expected
        passing = "1 passed in 0.01s"
        assert not missing_module(box, "unused", passing, 0)  # no probe without a stop
    failure = Failure(ErrorKind.TIMEOUT, "e")
    outcome = Outcome("x", applied=True, exit_code=2, collection_failed=True, failure=failure)
    outcome.timings["tests_s"] = 1.0
    outcome.reset(note="again")
    assert (outcome.applied, outcome.exit_code, outcome.failure) == (False, None, None)
    assert not outcome.collection_failed and outcome.notes == ["again"]
    assert outcome.timings == {"tests_s": 1.0}  # the time of the first attempt still counts


def test_environments_are_shared_per_repository_version_and_quarter() -> None:
    from swe_agent.bench.envs import environment_key

    inst = {"repo": "pvlib/pvlib-python", "version": "0.8"}
    early = environment_key(inst, committed="2021-01-28T13:36:31-07:00")
    late = environment_key(inst, committed="2022-12-02T10:00:00+00:00")
    assert early == "pvlib+pvlib-python@0.8@2021Q1" and late.endswith("@2022Q4")
    assert environment_key(inst, committed="2021-03-31T23:00:00Z") == early


def test_summary_names_incomplete_checkouts_reuse_and_env_setup_s_share(tmp_path: Path) -> None:
    from swe_agent.bench.evaluate import EvalOptions, summarize

    timings = {"total_s": 5.0, "tests_s": 2.0, "env_s": 1.0, "modules_s": 1.5}
    rows = [
        {"instance_id": "a", "resolved": True, "patch_exists": True, "cached": True},
        {"instance_id": "b", "patch_exists": True, "missing_files": ["d.csv"], "timings": timings},
    ]
    summary = summarize(rows, [], EvalOptions(out=tmp_path, mirrors=tmp_path))
    assert summary["incomplete_checkout"] == ["b"] and summary["reused"] == 1
    assert summary["resolved"] == ["a"] and summary["unresolved"] == ["b"]
    assert summary["overhead_s_mean"] == 3.0  # the cached row has no overhead of this run
    assert summary["overhead_without_env_setup_s_mean"] == 0.5  # nor look-up, nor installs


def test_an_empty_or_absent_patch_is_unresolved_without_running_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_container(*args: object, **kwargs: object) -> None:
        raise AssertionError("an empty patch started a sandbox")

    import sandbox

    monkeypatch.setattr(sandbox, "start_sandbox", no_container)  # nor an environment: it needs one
    world = make_world(tmp_path, ("octo__tinycalc-1", "octo__tinycalc-2"))
    preds = tmp_path / "preds.jsonl"
    write_preds(preds, [pred("octo__tinycalc-1", ""), pred("octo__tinycalc-2", None)])
    out = tmp_path / "eval"
    summary = evaluate(
        load_instances(world.dataset), str(preds), EvalOptions(out=out, mirrors=world.mirrors)
    )
    assert (
        summary["unresolved"] == ["octo__tinycalc-1", "octo__tinycalc-2"] and not summary["errors"]
    )
    report = json.loads((out / "octo__tinycalc-2" / "report.json").read_text())["octo__tinycalc-2"]
    assert report["patch_is_None"] and not report["resolved"] and "tests_status" not in report
    assert not (out / "octo__tinycalc-1" / "test_output.txt").exists()


def test_failed_tests_that_lacked_network_or_files_are_not_a_verdict() -> None:
    from swe_agent.bench.failures import unjudgeable

    log = (
        "FAILED t.py::test_get - requests.exceptions.ConnectionError: HTTPConnectionPool(host="
        "'httpbin.org', port=80): Max retries exceeded with url: /get (Caused by NewConnection"
        "Error(': Failed to establish a new connection: [Errno -3] Temporary failure in name "
        "resolution'))\n"
    )
    failure = unjudgeable(log, network=False, missing_files=())
    assert failure is not None and failure.kind is ErrorKind.NO_NETWORK
    assert "without network (--network allows it)" in failure.message
    assert "FAILED t.py::test_get" in failure.message  # the line that says so
    local = "E   ConnectionRefusedError: [Errno 111] Connection refused\n"
    assert unjudgeable(local, network=False, missing_files=()) is None  # a loopback server
    missing = "E   FileNotFoundError: [Errno 2] No such file: '/workspace/pvlib/data/big.csv'\n"
    failure = unjudgeable(missing, network=False, missing_files=("pvlib/data/big.csv", "x.h5"))
    assert failure is not None and failure.kind is ErrorKind.CHECKOUT
    assert "pvlib/data/big.csv" in failure.message and "x.h5" not in failure.message


def test_run_command_refuses_an_unknown_solve_option(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    args = ["run", str(world.dataset), "-m", "replay:nowhere", "--out", str(tmp_path / "o"),
            "--repos", str(world.mirrors), "-c", "agent.rewrit=false"]  # fmt: skip
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 2 and "rewrit" in result.output
    assert not (tmp_path / "o").exists()


def test_exceptions_that_stop_an_evaluation_have_their_kind() -> None:
    import docker
    import requests

    from env_setup import EnvSetupError, NoBaseImage
    from sandbox import SandboxGone
    from swe_agent.bench.errors import CommitNotAvailable
    from swe_agent.bench.eval_instance import _failure_of

    kinds = [
        _failure_of(exc).kind
        for exc in (
            SandboxGone("removed underneath"),
            CommitNotAvailable("no such commit"),
            NoBaseImage("no image for 3.99"),
            docker.errors.ImageNotFound("pruned"),
            ValueError("a bug of ours"),
            requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"),
            _raised_from(EnvSetupError("set-up stopped"), requests.ConnectionError("reset")),
            _raised_from(ValueError("a bug of ours"), requests.ConnectionError("handled")),
        )
    ]
    expected = ["container_gone", "checkout", "environment", "sandbox", "crash", "sandbox"]
    assert kinds == [*expected, "sandbox", "crash"]
    failure = _failure_of(requests.exceptions.ReadTimeout("Read timed out."))
    assert failure.message == "the Docker daemon did not answer: ReadTimeout: Read timed out."


def _raised_from(exc: Exception, cause: Exception) -> Exception:
    """``exc`` raised while handling ``cause``: ``from`` it when it is EnvSetupError's."""
    from env_setup import EnvSetupError

    try:
        try:
            raise cause
        except Exception as handled:
            if isinstance(exc, EnvSetupError):
                raise exc from handled
            raise exc  # noqa: B904 - an error of its own, raised while handling another
    except Exception as raised:
        return raised


def test_the_projects_install_is_redone_offline() -> None:
    from swe_agent.bench.envs import offline_install

    recorded = (
        "SETUPTOOLS_SCM_PRETEND_VERSION=5.4.1 /opt/swe-venv/bin/python -m pip install "
        "--uploaded-prior-to=2019-05-01T00:00:00Z -e .[testing]"
    )
    # Isolated as at set-up: the build requirements come from the tooling folder (pip.conf).
    assert offline_install(recorded) == (
        "SETUPTOOLS_SCM_PRETEND_VERSION=5.4.1 /opt/swe-venv/bin/python -m pip install "
        "-e .[testing] --no-deps --no-index --disable-pip-version-check -q"
    )
    dated = offline_install(f"{recorded} --no-build-isolation")
    assert dated is not None and " --no-build-isolation " in dated  # the venv's own tools
    assert "--check-build-dependencies" not in dated  # pip 21.3 (Python 3.6) has no such option
    assert offline_install("/opt/swe-venv/bin/python -m pip install .") is None  # not editable
    assert offline_install(None) is None


def test_a_repaired_install_of_the_project_is_the_one_redone() -> None:
    from swe_agent.bench.envs import _environment

    project = (
        "/opt/swe-venv/bin/python -m pip install --uploaded-prior-to=2021-06-02T00:00:00Z -e ."
    )
    develop = "pip install -r /tmp/r.txt && /opt/swe-venv/bin/python setup.py develop --no-deps"
    commands: list[dict[str, Any]] = [
        {"kind": "project", "ok": False, "command": project},
        {
            "kind": "repair",
            "ok": True,
            "command": "/opt/swe-venv/bin/python -m pip install numpy",
        },
        {"kind": "repair", "ok": False, "command": f"{project} --no-build-isolation"},
        {"kind": "repair", "ok": True, "command": develop},
    ]
    data: dict[str, Any] = {"image": "swe-agent/env:x", "commands": commands}
    assert _environment(data).install == "/opt/swe-venv/bin/python setup.py -q develop --no-deps"
    data["commands"] = commands[:2] + [{**commands[2], "ok": True}]
    install = _environment(data).install
    assert install is not None and install.startswith(
        "/opt/swe-venv/bin/python -m pip install -e ."
    )
    assert " --no-build-isolation " in install


def test_the_reinstall_runs_in_the_workspace_and_a_failure_is_a_note(tmp_path: Path) -> None:
    from sandbox import start_sandbox
    from swe_agent.bench.testrun import reinstall

    stage = str(tmp_path / "stage")
    with start_sandbox(tmp_path, backend="local", allow_unsandboxed=True) as box:
        assert reinstall(box, None, stage=stage, venv=str(tmp_path)) is None
        assert reinstall(box, "echo v = 1 > _version.py", stage=stage, venv=str(tmp_path)) is None
        assert box.run("cat _version.py", timeout=30).stdout == "v = 1\n"  # the install's file
        note = reinstall(box, "echo 'no matching distribution'; exit 1", stage=stage, venv=".")
    assert note is not None and "did not run again offline: no matching distribution" in note


def test_a_read_only_venv_gets_the_install_in_a_prefix_beside_it(tmp_path: Path) -> None:
    """The command only (the Docker test runs it where the venv is read-only: root may write
    any folder here, so ``test -w`` cannot fail on this host but on a read-only mount)."""
    import sys

    from sandbox import start_sandbox
    from swe_agent.bench.testrun import scratch_install

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    prefix = str(tmp_path / "stage" / "reinstall")
    record = "X=1 sh -c 'echo \"$PYTHONPATH $X $*\" > args.txt' sh"  # stands in for pip
    with start_sandbox(tmp_path, backend="local", allow_unsandboxed=True) as box:
        done = box.run(scratch_install(record, prefix=prefix, venv=str(venv)), timeout=60)
        args = box.run("cat args.txt", timeout=30).stdout
    assert done.exit_code == 0, done.stderr
    site, rest = args.split(" ", 1)
    assert site.startswith(f"{prefix}/lib/") and site.endswith("-packages")
    assert (tmp_path / site.removeprefix(str(tmp_path) + "/")).is_dir()  # made for it
    assert rest.strip() == f"1 --prefix {prefix} --ignore-installed"  # the record's own variable


def test_a_set_up_failure_names_what_failed_last() -> None:
    from types import SimpleNamespace as NS

    from swe_agent.bench.envs import _failure

    build = NS(command="pip install -e .", exit_code=1, ok=False, optional=False, output_tail="gcc")
    repair = NS(command="apt-get install gcc", exit_code=0, ok=True, optional=False, output_tail="")
    again = NS(**{**vars(build), "exit_code": 0, "ok": True})
    verify = NS(output_tail="URLError: Name or service not known")
    # A repair redid the build: the verification is what failed, not the build.
    redone = NS(commands=[build, repair, again], verify=verify, python="3.11")
    assert _failure(redone) == "verification failed (python 3.11): " + verify.output_tail
    stopped = NS(commands=[build, repair, build], verify=None, python="3.11")
    assert _failure(stopped) == "`pip install -e .` exited 1: gcc"
