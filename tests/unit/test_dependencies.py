"""constraints.txt pins every package at the version the project was tested with, and
`make install` installs pyproject.toml's ranges within it: the two must agree, or a fresh
install would fail (a pin outside its range) or float (a dependency without a pin)."""

from __future__ import annotations

import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tests.conftest import PROJECT_DIR


def _pins() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_DIR / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"constraints.txt: {line!r} is not name==version"
        pins[canonicalize_name(name)] = version.strip()
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(text) for text in declared]


def test_every_dependency_is_pinned_within_its_range():
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {requirement.name}=={pins[name]}, outside pyproject.toml's "
            f"{requirement.specifier}")


def test_the_environment_is_the_pinned_one():
    """The suite runs in what `make install` installed: the declared dependencies at their
    pinned versions (a stale .venv after a change of constraints.txt shows here)."""
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert metadata.version(requirement.name) == pins[name], requirement.name
