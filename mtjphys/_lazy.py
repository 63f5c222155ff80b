"""Names a package re-exports from its modules, imported when first used (so that importing the package, or
the command line's help, needs no JAX)."""

import importlib
import sys


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]):
    """A package's `__getattr__` and `__all__` for `exports`.

    Arguments:
        package: the package's `__name__`.
        exports: module (relative to the package) -> the names it defines.

    Returns:
        (`__getattr__`, `__all__`): each name is imported from its module when first asked for, then kept.
    """
    where = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__, sorted(where)
