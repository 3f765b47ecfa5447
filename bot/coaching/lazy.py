"""A property computed once per instance, on first use; and a bounded memo of per-word values.

functools.cached_property does the same, but on Python 3.11 it takes a lock on every first
access: about a microsecond, paid several times per message on the detection path. This
descriptor stores the value in the instance's ``__dict__`` like cached_property (so it also
works on frozen dataclasses, and later reads never reach the descriptor), without the lock:
an instance here is only ever used by the thread that built it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
V = TypeVar("V")


class BoundedMemo(dict[str, V]):
    """A bounded memo: a missing key's value is computed and kept (the memo is emptied when
    full). A dict subclass, so ``map(memo.__getitem__, words)`` looks words up in C."""

    def __init__(self, compute: Callable[[str], V], limit: int) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: str) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value


class lazy_property(Generic[T]):
    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy_property[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | lazy_property[T]:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value
