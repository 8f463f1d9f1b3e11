"""How a mutant or variant changes the reference controller: by replacing one name of one of its
modules (or one entry of a module's table) at start-up, before the controller's `main` runs.
Never by a flag inside the reference."""
from __future__ import annotations

from collections.abc import Callable, MutableMapping
from types import ModuleType

Target = ModuleType | MutableMapping


def replace(target: Target, name: str, new: object) -> object:
    """Put `new` where `target.<name>` (or `target[name]`) is and return what was there."""
    original = _existing(target, name)
    if isinstance(target, MutableMapping):
        target[name] = new
    else:
        setattr(target, name, new)
    return original


def wrap(target: Target, name: str, wrapper: Callable[[Callable], Callable]) -> None:
    """Replace `target.<name>` (or `target[name]`) by `wrapper(original)`."""
    replace(target, name, wrapper(_existing(target, name)))


def _existing(target: Target, name: str) -> object:
    """A name the reference does not have is an error: set anyway, it would change nothing, and the
    mutant would silently be the reference."""
    if isinstance(target, MutableMapping):
        if name not in target:
            raise KeyError(f"the reference's table has no {name!r} to replace: the reference changed, and this "
                           "mutant must follow it")
        return target[name]
    if not hasattr(target, name):
        raise AttributeError(f"{target.__name__} has no {name!r} to replace: the reference changed, and this "
                             "mutant must follow it")
    return getattr(target, name)
