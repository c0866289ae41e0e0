"""Static readers for setup.py, setup.cfg and noxfile.py (Python files are parsed, never run)."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path
from typing import Any

from env_setup.facts import Facts, add_unique
from env_setup.model import Packaging, TestRunner

_SETUP_NAMES = {"setup", "setuptools.setup", "distutils.core.setup"}


def read_setup_py(path: Path, facts: Facts) -> None:
    """Take in the literal arguments of the `setup(...)` call in setup.py."""
    facts.add_packaging(Packaging.SETUP_PY)
    facts.installable = True
    text = path.read_text(encoding="utf-8", errors="replace")
    if "use_scm_version" in text or "setuptools_scm" in text:
        facts.uses_scm = True
    if "versioneer" in text:
        facts.uses_versioneer = True
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        # A Python-2-only setup.py is itself evidence about the interpreter.
        facts.notes.append(f"setup.py does not parse as Python 3 ({exc.msg}); likely Python 2")
        return
    names = _module_literals(tree)
    call = _find_setup_call(tree)
    if call is None:
        facts.notes.append("setup.py has no literal setup(...) call")
        return
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    for kw in call.keywords:
        if kw.arg is None:  # setup(**meta): the dict's literal keys count too
            meta = _literal(kw.value, names)
            if isinstance(meta, dict):
                kwargs.update({k: ast.Constant(v) for k, v in meta.items() if isinstance(k, str)})
    _apply_setup_kwargs({k: _literal(v, names) for k, v in kwargs.items()}, facts)


def _apply_setup_kwargs(values: dict[str, Any], facts: Facts) -> None:
    if isinstance(values.get("name"), str):
        facts.package_name = facts.package_name or values["name"]
    if isinstance(values.get("python_requires"), str):
        facts.requires_python.append((values["python_requires"], "setup.py"))
    if isinstance(values.get("classifiers"), list | tuple):
        facts.add_classifiers([str(c) for c in values["classifiers"]])
    add_unique(facts.dependencies, _strings(values.get("install_requires")))
    add_unique(facts.build_requires, _strings(values.get("setup_requires")))
    tests_require = _strings(values.get("tests_require"))
    add_unique(facts.test_requirements, tests_require)
    if any(r.lower().startswith("pytest") for r in tests_require):
        facts.vote(TestRunner.PYTEST, "pytest in setup.py tests_require")
    if any(r.lower().startswith("nose") for r in tests_require):
        facts.vote(TestRunner.NOSE, "nose in setup.py tests_require")
    extras = values.get("extras_require")
    if isinstance(extras, dict):
        for name, reqs in extras.items():
            facts.extras[str(name).split(":")[0]] = _strings(reqs)
    if values.get("test_suite") == "nose.collector":
        facts.vote(TestRunner.NOSE, "setup.py test_suite nose.collector")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str)]
    return []


def _find_setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _dotted(node.func) in _SETUP_NAMES:
            return node
    return None


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = <expr>` assignments, so `install_requires=REQUIRES` resolves."""
    names: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                names[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            names[node.target.id] = node.value
    return names


def _literal(node: ast.expr, names: dict[str, ast.expr], depth: int = 0) -> Any:
    """Evaluate literals, names bound to literals, and `+` of lists; anything else is None."""
    if depth > 8:
        return None
    if isinstance(node, ast.Name) and node.id in names:
        return _literal(names[node.id], names, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, names, depth + 1), _literal(node.right, names, depth + 1)
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            return [*left, *right]
        return None
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e, names, depth + 1) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {
            _literal(k, names, depth + 1): _literal(v, names, depth + 1)
            for k, v in zip(node.keys, node.values, strict=False)
            if k is not None
        }
    if isinstance(node, ast.Call) and _dotted(node.func) == "dict":
        return {kw.arg: _literal(kw.value, names, depth + 1) for kw in node.keywords if kw.arg}
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def read_setup_cfg(path: Path, facts: Facts) -> None:
    """Take in setup.cfg: [metadata], [options], [options.extras_require], [tool:pytest]."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error as exc:
        facts.notes.append(f"setup.cfg: unreadable ({exc.__class__.__name__})")
        return
    if parser.has_section("metadata") or parser.has_section("options"):
        facts.add_packaging(Packaging.SETUP_CFG)
    if parser.has_section("versioneer"):
        facts.uses_versioneer = True
    if parser.has_section("metadata"):
        facts.package_name = facts.package_name or parser.get("metadata", "name", fallback=None)
        facts.add_classifiers(_lines(parser.get("metadata", "classifiers", fallback="")))
    if parser.has_section("options"):
        requires = parser.get("options", "python_requires", fallback="").strip()
        if requires:
            facts.requires_python.append((requires, "setup.cfg"))
        add_unique(
            facts.dependencies, _lines(parser.get("options", "install_requires", fallback=""))
        )
        add_unique(
            facts.test_requirements, _lines(parser.get("options", "tests_require", fallback=""))
        )
        add_unique(
            facts.build_requires, _lines(parser.get("options", "setup_requires", fallback=""))
        )
    if parser.has_section("options.extras_require"):
        for name, value in parser.items("options.extras_require"):
            facts.extras[name] = _lines(value)
    for section in ("tool:pytest", "pytest"):
        if parser.has_section(section):
            facts.add_pytest_ini(dict(parser.items(section)), f"setup.cfg [{section}]")
    if parser.has_section("nosetests"):
        facts.vote(TestRunner.NOSE, "setup.cfg [nosetests]")


def _lines(value: str) -> list[str]:
    out = []
    for line in value.splitlines():
        line = line.split("#", 1)[0].strip() if " #" in line or line.startswith("#") else line
        line = line.strip()
        if line:
            out.append(line)
    return out


def read_noxfile(path: Path, facts: Facts) -> None:
    """Take in noxfile.py: session pythons, `session.install(...)` and `session.run(...)` calls."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        facts.notes.append("noxfile.py does not parse")
        return
    names = _module_literals(tree)
    for func in tree.body:
        # Only test sessions: lint and docs sessions install tools the tests do not need.
        if isinstance(func, ast.FunctionDef) and ("test" in func.name or "unit" in func.name):
            _read_nox_session(func, names, facts)


def _read_nox_session(func: ast.FunctionDef, names: dict[str, ast.expr], facts: Facts) -> None:
    for decorator in func.decorator_list:
        if isinstance(decorator, ast.Call):
            for kw in decorator.keywords:
                if kw.arg in ("python", "py"):
                    facts.add_ci_python(_literal(kw.value, names))
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        args = [a for a in (_literal(x, names) for x in node.args) if isinstance(a, str)]
        if name.endswith(".install"):
            _take_nox_install(args, facts)
        elif name.endswith(".run") and args:
            facts.add_test_command(" ".join(args), f"noxfile.py session {func.name}")


def _take_nox_install(args: list[str], facts: Facts) -> None:
    for arg in args:
        if arg.startswith("."):
            extras = arg.partition("[")[2].rstrip("]")
            add_unique(facts.mentioned_extras, [e.strip() for e in extras.split(",") if e.strip()])
        elif not arg.startswith("-") and "/" not in arg:
            add_unique(facts.test_requirements, [arg])
