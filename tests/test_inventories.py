"""The link targets the site writes for torch, Python, matplotlib and scikit-learn names.

``docs/_ext/inventories.py`` types each name's address by hand (intersphinx cannot download
inventories offline). Each name must be an object of the installed package, of the role the
inventory gives it, and its address must end in the anchor that project's reference uses for it
(the full name, or ``module-`` and the name): a misspelt or moved name fails here, not in a
reader's browser.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import sys
import types
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import inventories  # noqa: E402  (docs/_ext/inventories.py)

ENTRIES = [
    (project, name, role, inventories._page(project, name, role, page))
    for project, (_, _, entries) in inventories.PROJECTS.items()
    for name, role, page in entries
]


def resolve(name: str) -> Any:
    """The object ``name`` names: a module, then attributes; a bare name is a builtin."""
    if "." not in name and hasattr(builtins, name):
        return getattr(builtins, name)
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise LookupError(name)


@pytest.mark.parametrize(("project", "name", "role", "page"), ENTRIES, ids=[e[1] for e in ENTRIES])
def test_each_target_is_the_installed_object(project: str, name: str, role: str, page: str) -> None:
    obj = resolve(name)  # None, True and False are builtins' attributes too
    if role == "module":
        assert isinstance(obj, types.ModuleType)
    elif role in {"class", "exception"}:
        assert inspect.isclass(obj), f"{name} is {type(obj).__name__}, not a class"
    elif role in {"function", "method"}:
        assert callable(obj) and not inspect.isclass(obj), f"{name} is not a function"
    if role == "method":
        owner = resolve(name.rsplit(".", 1)[0])
        assert inspect.isclass(owner) and name.rsplit(".", 1)[1] in dir(owner)
    anchor = page.rsplit("#", 1)[1]
    assert anchor in {name, f"module-{name}", f"torch.{name}"}, f"{name} links to #{anchor}"


@pytest.mark.parametrize("project", sorted(inventories.ALIASES))
def test_aliases_name_the_same_objects(project: str) -> None:
    for alias, name in inventories.ALIASES[project].items():
        if "." in alias:
            assert resolve(alias) is resolve(name), alias
        else:
            assert resolve(name).__name__ == alias, alias
