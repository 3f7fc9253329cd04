"""Every dependency has a floor and a ceiling, and CI's lowest run pins each runtime
dependency at exactly its floor (.ci/lowest-constraints.txt)."""

from __future__ import annotations

import re
import tomllib

from tests.support.paths import REPO

_SPEC = re.compile(r"^([A-Za-z0-9_.-]+)>=([0-9][0-9.]*),<([0-9][0-9.]*)$")


def _project() -> dict[str, object]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    assert isinstance(project, dict)
    return project


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / ".ci" / "lowest-constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.casefold()] = version
    return pins


def test_every_runtime_dependency_has_a_floor_and_a_ceiling_and_is_pinned_there() -> None:
    dependencies = _project()["dependencies"]
    assert isinstance(dependencies, list) and dependencies
    pins = _pins()
    for spec in dependencies:
        found = _SPEC.match(spec)
        assert found, f"{spec!r}: give a floor and a ceiling, e.g. name>=1.2,<2"
        name, floor, _ceiling = found.groups()
        pinned = pins.get(name.casefold())
        assert pinned is not None, f"{name} is not pinned in .ci/lowest-constraints.txt"
        assert pinned.split(".")[: len(floor.split("."))] == floor.split(".") and all(
            part == "0" for part in pinned.split(".")[len(floor.split(".")) :]
        ), f"{name}: pinned at {pinned}, but its floor is {floor}"


def test_dev_and_bench_tools_are_bounded_too() -> None:
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)
    for spec in [*extras["dev"], *extras["bench"]]:
        if spec.startswith("types-"):
            continue  # type stubs follow their package
        assert _SPEC.match(spec), f"dev: {spec!r} has no floor and ceiling"
