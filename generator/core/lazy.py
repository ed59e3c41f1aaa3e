"""A module imported when one of its names is first used, not when the importing module is.

`savings-report history` reads the store with sqlite3 and prints a table: importing pandas (a
third of a second on an office PC) for it would be most of its time. The modules on its path
(the setup's model, the rule catalogue, the store) name pandas as `pd` through this, and pandas is
imported the first time a function of theirs uses it; the name is then the module itself.
"""

from __future__ import annotations

import importlib


class LazyModule:
    def __init__(self, name: str, namespace: dict, alias: str):
        self._name, self._namespace, self._alias = name, namespace, alias

    def __getattr__(self, attr: str):
        module = importlib.import_module(self._name)
        self._namespace[self._alias] = module  # later uses reach the module directly
        return getattr(module, attr)
