"""Shell reproducers (files and a command of the project) turned into code the tracer runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from localization.execution import TRACER, example_chunks, parse_trace
from localization.reproducer import (
    console_scripts,
    find_command,
    issue_files,
    reproducer_chunks,
)

SPHINX_LIKE = (
    "Links differ\r\n\r\n```sh\r\nmkdir -p demo\r\ncd demo\r\n"
    "cat <<'EOF' >hints.py\r\ndef f1() -> None: return None\r\nEOF\r\n\r\n"
    "cat <<'EOF' >docs/conf.py\r\nextensions = ['docs.ext']\r\nEOF\r\n\r\n"
    "python3.8 -m docgen -b html docs html | grep link\r\n```\r\n"
)


def test_console_scripts_come_from_pyproject_setup_cfg_and_setup_py(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project.scripts]\nlintx = "lintx.cli:main"\n')
    (tmp_path / "setup.cfg").write_text(
        "[options.entry_points]\nconsole_scripts =\n    lintx-gui = lintx.gui:run\n"
    )
    (tmp_path / "setup.py").write_text(
        "setup(entry_points={'console_scripts': ['lintx-old = lintx.old:Main.run'],\n"
        "      'other': ['plugin = lintx.plugin']})\n"
    )
    assert console_scripts(tmp_path) == {
        "lintx": "lintx.cli:main",
        "lintx-gui": "lintx.gui:run",
        "lintx-old": "lintx.old:Main.run",
    }
    assert console_scripts(tmp_path / "missing") == {}
    (tmp_path / "pyproject.toml").write_text("not = [toml")
    assert "lintx" not in console_scripts(tmp_path)  # a broken file is no scripts, no error


def test_files_come_from_heredocs_and_code_blocks_under_a_file_name() -> None:
    text = (
        "conf.py:\n```python\nextensions = ['x']\n```\n"
        "**index.rst**\n```rst\n.. include:: part.rst\n```\n"
        "Some code with no name:\n```python\nprint(1)\n```\n"
        "`/etc/passwd`:\n```\nnot ours\n```\n"
    )
    assert issue_files(text) == {
        "conf.py": "extensions = ['x']\n",
        "index.rst": ".. include:: part.rst\n",
    }
    assert issue_files(SPHINX_LIKE) == {
        "hints.py": "def f1() -> None: return None\n",
        "docs/conf.py": "extensions = ['docs.ext']\n",
    }


def test_the_first_command_of_the_project_is_found_and_version_reports_are_not() -> None:
    scripts = {"lintx": "lintx.cli:main"}
    text = (
        "### Version\n```shell\nlintx 2.13.7\npython 3.9\n```\n"
        "```\n$ lintx --version\n$ lintx mytest.py -v | tee out\n```\n"
    )
    assert find_command(text, scripts=scripts, packages={"lintx"}) == (
        "lintx.cli:main",
        ["lintx", "mytest.py", "-v"],
    )
    assert find_command(SPHINX_LIKE, scripts={}, packages={"docgen"}) == (
        "-m docgen",
        ["docgen", "-b", "html", "docs", "html"],
    )
    assert find_command(SPHINX_LIKE, scripts={}, packages={"other"}) is None
    assert find_command("```python\nimport lintx\n```", scripts=scripts, packages={"x"}) is None


def test_a_session_comes_first_then_a_reproducer_then_python_blocks() -> None:
    scripts = {"lintx": "lintx.cli:main"}
    reproducer = "```python\nimport lintx\nx = 1\n```\n```sh\nlintx foo.py\n```\n"
    chunks = example_chunks(reproducer, main_package="lintx", scripts=scripts)
    assert chunks[-3:] == [
        "sys.argv = ['lintx', 'foo.py']",
        "from lintx.cli import main as _entry_point",
        "_entry_point()",
    ]
    # The unnamed Python block is the foo.py the command names.
    assert "'foo.py': 'import lintx\\nx = 1\\n'" in chunks[2]
    assert example_chunks(reproducer, main_package="lintx") == ["import lintx\nx = 1\n"]
    # `python -m` a package the console scripts live in ("lintx:main" is package lintx).
    module_run = "```sh\npython -m lintx x.py\n```\n"
    assert example_chunks(module_run, main_package=None, scripts={"lintx": "lintx:main"})
    session = ">>> import lintx\n>>> lintx.check()\n" + reproducer
    assert example_chunks(session, main_package="lintx", scripts=scripts)[0] == "import lintx"


def test_a_reproducer_runs_under_the_tracer_in_a_temporary_folder(tmp_path: Path) -> None:
    package = tmp_path / "lintx"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text(
        "import sys\n\n\ndef main():\n    from lintx.checks import check\n"
        "    for path in sys.argv[1:]:\n        check(open(path).read())\n    sys.exit(0)\n"
    )
    (package / "checks.py").write_text("def check(text):\n    return len(text)\n")
    (package / "unused.py").write_text("def never():\n    return 0\n")
    issue = "`lintx` crashes\n\nfoo.py:\n```python\nx = 1\n```\n```console\n$ lintx foo.py\n```\n"
    chunks = reproducer_chunks(issue, scripts={"lintx": "lintx.cli:main"}, packages={"lintx"})
    (tmp_path / "chunks.json").write_text(json.dumps(chunks))
    command = [sys.executable, str(TRACER), "chunks.json", "out.json", "30", "lintx"]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    data = json.loads((tmp_path / "out.json").read_text())
    assert [(path, name) for path, _, name in data["calls"]] == [
        ("lintx/cli.py", "main"),
        ("lintx/checks.py", "check"),
    ]
    assert [e["type"] for e in data["raised"]] == ["SystemExit"]
    assert parse_trace(data).raised == ()  # an exit status is no fault location
    assert not (tmp_path / "foo.py").exists()  # the files went to a temporary folder
