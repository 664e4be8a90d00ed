"""Small iteration helpers the standard library of Python 3.11 lacks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched from Python 3.12: tuples of `size` items, the last one shorter."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch
