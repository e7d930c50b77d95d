"""The declared dependencies are honest: requirements.txt, pyproject.toml and
requirements-min.txt (the lowest versions, which CI tests) agree, and every package the code
imports is declared."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# our own packages: pyproject's list
OURS = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
CODE = [*(ROOT / p for p in OURS), ROOT / "pages", ROOT / "app.py"]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def _version(text: str) -> tuple[int, ...]:
    """'2.0' -> (2, 0, 0): a bound ">=2.0" means the release 2.0.0."""
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def _requirements(lines: list[str], operator: str) -> dict[str, tuple[int, ...]]:
    """name -> version of each 'name<operator>version' line (comments and blanks skipped)."""
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-r"):
            name, sep, version = line.partition(operator)
            assert sep, f"{line!r}: expected name{operator}version"
            found[_name(name)] = _version(version.strip())
    return found


def _file(name: str, operator: str) -> dict[str, tuple[int, ...]]:
    return _requirements((ROOT / name).read_text().splitlines(), operator)


def _pyproject() -> dict[str, tuple[int, ...]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return _requirements([*project["dependencies"], *extras], ">=")


def _bounds() -> dict[str, tuple[int, ...]]:
    """The lower bounds of the requirements files: the app's and the optional Dask's."""
    return _file("requirements.txt", ">=") | _file("requirements-dask.txt", ">=")


def test_pyproject_and_requirements_declare_the_same_lower_bounds():
    assert _pyproject() == _bounds()


def test_every_lower_bound_is_pinned_in_the_environment_ci_tests():
    pinned = _file("requirements-min.txt", "==")
    bounds = _bounds()
    assert {name: pinned.get(name) for name in bounds} == bounds


def _imported_modules(path: Path) -> set[str]:
    """Top-level modules a file imports, anywhere in it (lazy imports in functions too)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_every_package_the_code_imports_is_declared():
    files = [f for p in CODE for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    modules = set().union(*map(_imported_modules, files)) - OURS - set(sys.stdlib_module_names)
    distributions = packages_distributions()
    unknown = sorted(m for m in modules if m not in distributions)
    assert not unknown, f"imported but not installed: {unknown}"
    needed = {_name(d) for m in modules for d in distributions[m]}
    declared = set(_pyproject())
    assert needed <= declared, f"imported but not declared: {sorted(needed - declared)}"
