"""Run the docstring Examples of egovsem's modules as tests (they name the R call for the same number)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import egovsem
import pytest


def _modules():
    names = ["egovsem"]
    for m in pkgutil.walk_packages(egovsem.__path__, "egovsem."):
        names.append(m.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
