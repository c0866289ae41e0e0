"""The Sandbox protocol, the same tests against the Docker and the local backend."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import BadSource, Limits, Sandbox, SandboxError, start_sandbox

BACKENDS = [
    pytest.param("local", id="local"),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]

UNSTAGED = "git diff-files --name-only && git ls-files -o --exclude-standard"


def _fail(message: str) -> None:
    raise ValueError(message)


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def start(backend: str, source: Path, request: pytest.FixtureRequest, **kwargs: Any) -> Sandbox:
    """Start a sandbox of ``backend`` (Docker tests use the session's image)."""
    if backend == "docker":
        kwargs.setdefault("image", request.getfixturevalue("docker_image"))
    return start_sandbox(source, backend=backend, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=BACKENDS)
def box(request: pytest.FixtureRequest, module_repo: Path) -> Iterator[Sandbox]:
    """One sandbox per backend for the module, on the shared repository, with host tools."""
    before = _tree_digest(module_repo)
    tools = {"add": lambda a, b: a + b, "fail": _fail}
    sandbox = start(request.param, module_repo, request, tools=tools, limits=Limits(grace_s=1.0))
    yield sandbox
    sandbox.close()
    assert _tree_digest(module_repo) == before, "the user's source tree was modified"


def test_namespace_persists_and_last_expression_is_the_value(box: Sandbox) -> None:
    assert box.execute("counter = 40").value is None
    obs = box.execute("counter += 1\ncounter + 1")
    assert obs.ok and obs.value == "42" and obs.exit_code is None
    assert box.execute("None").value is None
    assert box.execute("'text'").value == "'text'"


def test_exception_comes_back_with_its_traceback(box: Sandbox) -> None:
    obs = box.execute("def g():\n    return 1 / 0\n\ng()")
    assert not obs.ok and obs.error == "ZeroDivisionError: division by zero"
    assert obs.traceback is not None and "line 2, in g" in obs.traceback
    assert "runner.py" not in obs.traceback
    assert box.execute("g").value is not None  # the definition survived the error


def test_syntax_error_is_reported_not_run(box: Sandbox) -> None:
    obs = box.execute("marker = 1\ndef broken(:\n")
    assert obs.error is not None and obs.error.startswith("SyntaxError")
    assert obs.traceback is not None and "line 2" in obs.traceback
    assert box.execute("'marker' in dir()").value == "False"


def test_stdout_and_stderr_are_captured_per_action(box: Sandbox) -> None:
    code = "import os, sys\nprint('out')\nprint('err', file=sys.stderr)\nos.system('echo child')"
    obs = box.execute(code)
    assert obs.stdout == "out\nchild\n" and obs.stderr == "err\n"
    assert box.execute("1").stdout == ""


def test_run_reports_exit_codes_and_output(box: Sandbox) -> None:
    obs = box.run("echo hello; echo oops >&2; exit 3")
    assert obs.exit_code == 3 and not obs.ok
    assert obs.stdout == "hello\n" and obs.stderr == "oops\n"
    assert box.run("true").ok


def test_run_is_killed_at_its_timeout(box: Sandbox) -> None:
    obs = box.run("sleep 30", timeout=1)
    assert obs.timed_out and obs.exit_code == 137 and obs.elapsed_s < 10
    assert box.run("echo alive").stdout == "alive\n"


def test_workspace_is_the_committed_tree_of_the_source(
    box: Sandbox, module_repo: Path, run_git: Any
) -> None:
    assert box.base_state == run_git(module_repo, "rev-parse", "HEAD^{tree}")
    assert box.read_file("pkg/mod.py") == "def f():\n    return 2\n"  # not the dirty edit
    assert box.run("test -e untracked.py").exit_code == 1
    assert box.run("test -x run.sh && test -L link.py").ok
    assert box.run("test -d .git/info").ok  # where tools add excludes (no template copied)


def test_snapshot_restore_diff_and_content_addressing(box: Sandbox) -> None:
    base = box.snapshot()
    assert base == box.base_state
    box.write_file("new/file.txt", "hello\n")
    box.execute("open('pkg/mod.py', 'a').write('# edited\\n')")
    edited = box.snapshot()
    patch = box.diff(base, edited)
    assert "+hello" in patch and "+# edited" in patch and "new/file.txt" in patch
    box.restore(base)
    assert box.snapshot() == base
    assert box.run("test -e new/file.txt").exit_code == 1
    box.write_file("new/file.txt", "hello\n")
    box.execute("open('pkg/mod.py', 'a').write('# edited\\n')")
    assert box.snapshot() == edited  # same files, same id
    assert box.diff(base) == patch
    box.restore(base)


def test_restore_reverts_edits_made_after_the_last_snapshot(box: Sandbox) -> None:
    box.write_file("pkg/mod.py", "changed without a snapshot\n")
    box.write_file("pkg/new.py", "new\n")
    box.restore(box.base_state)
    assert box.read_file("pkg/mod.py") == "def f():\n    return 2\n"
    assert box.run("test -e pkg/new.py").exit_code == 1
    assert box.snapshot() == box.base_state


def test_restore_between_states_swaps_files_folders_modes_and_links(box: Sandbox) -> None:
    base = box.snapshot()
    script = (
        "rm -r pkg && echo file > pkg && mkdir -p run.sh.d/deep && echo x > run.sh.d/deep/f"
        " && chmod -x run.sh && rm link.py && ln -s run.sh link.py && echo ignored > out.log"
    )
    assert box.run(script).ok
    other = box.snapshot()
    box.restore(base)
    assert box.run("test -d pkg && test -x run.sh && test ! -e run.sh.d").ok
    assert box.run("readlink link.py").stdout == "pkg/mod.py\n"
    assert box.read_file("out.log") == "ignored\n"  # ignored files are kept, as by git clean
    assert box.snapshot() == base
    box.restore(other)
    assert box.read_file("pkg") == "file\n" and box.read_file("run.sh.d/deep/f") == "x\n"
    assert box.run("test ! -x run.sh && readlink link.py").stdout == "run.sh\n"
    box.write_file("stray.py", "made after the snapshot\n")
    box.restore(other)  # not a known state any more: untracked files go
    assert box.run("test -e stray.py").exit_code == 1
    assert box.run(UNSTAGED).stdout == ""  # the files are those of the index, nothing else
    box.restore(base)
    assert box.run(f"rm out.log && {UNSTAGED}").stdout == ""
    assert box.snapshot() == base


def test_restore_across_a_gitignore_change_cleans_what_is_no_longer_ignored(
    box: Sandbox,
) -> None:
    base = box.snapshot()
    assert box.run("echo '*.tmp' >> .gitignore && echo scratch > a.tmp").ok
    ignoring = box.snapshot()
    box.restore(base)
    assert box.run("test -e a.tmp").exit_code == 1  # untracked under base's rules: cleaned
    box.restore(ignoring)
    assert box.snapshot() == ignoring
    box.restore(base)


def test_restore_refuses_what_is_not_a_state(box: Sandbox) -> None:
    with pytest.raises(BadSource):
        box.restore("HEAD; rm -rf /")
    with pytest.raises(SandboxError):
        box.restore("0" * 40)


def test_read_and_write_files(box: Sandbox) -> None:
    box.write_file("notes/ünï.txt", "ünïcode ✓\n")
    assert box.read_file("notes/ünï.txt") == "ünïcode ✓\n"
    with pytest.raises(SandboxError, match="cannot read"):
        box.read_file("missing.txt")
    box.restore(box.base_state)


def test_host_tools_are_called_back(box: Sandbox) -> None:
    assert box.execute("add(2, b=3)").value == "5"
    obs = box.execute("fail('no graph')")
    assert obs.error is not None and "ValueError: no graph" in obs.error
    assert box.execute("add('a', 'b')").value == "'ab'"


def test_an_infinite_loop_times_out_and_the_sandbox_answers_next(box: Sandbox) -> None:
    box.execute("survivor = 7")
    obs = box.execute("while True:\n    pass", timeout=1)
    assert obs.timed_out and obs.error is not None and not obs.reset
    after = box.execute("survivor")
    assert after.value == "7" and not after.reset


def test_output_is_truncated_head_and_tail_with_bounded_memory(box: Sandbox) -> None:
    code = "for i in range(10_000):\n    print(str(i).zfill(9_999))"  # 100 MB
    obs = box.execute(code, timeout=120)
    assert obs.ok and obs.truncated
    assert len(obs.stdout) <= 10_100
    assert obs.stdout.startswith("0" * 5000) and obs.stdout.rstrip().endswith("09999")
    assert "truncated" in obs.stdout
    # VmHWM is this process's own peak (ru_maxrss would inherit the parent's across exec)
    peak = "[int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')][0]"
    rss = box.execute(peak)
    assert rss.value is not None and int(rss.value) < 100_000  # KiB: far below 100 MB
    assert box.execute("'x' * 50_000").value is not None
    assert len(box.execute("'x' * 50_000").value or "") <= 10_100


def test_a_hung_runner_is_restarted_and_says_so(box: Sandbox) -> None:
    box.execute("lost = 1")
    code = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"
    obs = box.execute(code, timeout=1)
    assert obs.timed_out and obs.reset
    after = box.execute("'lost' in dir()")
    assert after.value == "False" and not after.reset
    assert box.execute("add(1, 1)").value == "2"  # host tools are back too


def test_a_dead_runner_is_restarted_and_says_so(box: Sandbox) -> None:
    obs = box.execute("import os\nos._exit(9)")
    assert obs.reset and obs.error is not None and "RunnerDied" in obs.error
    assert box.execute("1 + 1").value == "2"


def test_plain_directory_gets_a_fresh_baseline(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "a.py").write_text("print('a')\n")
    with start(backend, tmp_path, request) as sandbox:
        assert sandbox.run("git log --format=%s").stdout == "swe-agent baseline\n"
        assert sandbox.run("python3 a.py").stdout == "a\n"
        assert sandbox.diff(sandbox.base_state) == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend name, for tests that start their own sandbox."""
    return str(request.param)


def test_read_and_write_stay_inside_the_workspace(box: Sandbox) -> None:
    with pytest.raises(SandboxError, match="outside the workspace"):
        box.write_file("../escape.txt", "x")
    with pytest.raises(SandboxError, match="outside the workspace"):
        box.read_file("/etc/hostname")


def test_an_action_raising_finished_ends_its_episode_by_type(box: Sandbox) -> None:
    obs = box.execute("class Done(Finished):\n    pass\n\nraise Done('the fix is in')")
    assert obs.finished == "the fix is in" and obs.error == "Done: the fix is in"
    other = box.execute("raise ValueError('Finished: not by name')")
    assert other.finished is None and other.error == "ValueError: Finished: not by name"
