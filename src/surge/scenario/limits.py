"""Limits on a parsed document, checked before anything walks it.

YAML aliases let a 2 KB file stand for billions of values (an "alias bomb"), or for a value
that contains itself; a document may nest deeper than any scenario does, or hold a string
that is not valid Unicode (a lone surrogate written as ``"\\ud800"``). :func:`check_document`
measures the document as if its aliases were expanded (in time linear in its real size)
and refuses each of these with a message naming the file.

>>> check_document({"a": [1, 2, {"b": "x"}]}, "x.yaml")
>>> check_document({"a": "\\ud800"}, "x.yaml")
Traceback (most recent call last):
...
surge.errors.InputError: x.yaml: a: the string is not valid Unicode (a lone surrogate \\ud800)
"""

from __future__ import annotations

import re
from typing import Any

from surge.errors import InputError

MAX_VALUES = 20_000_000
"""Most values (keys, scalars, lists, mappings) a document may expand to."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings; a scenario needs 6."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_document(doc: Any, name: str) -> None:
    """Raise :class:`InputError` if ``doc`` expands to too many values, nests too deeply,
    contains itself, or holds a string with a lone surrogate."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: Any, depth: int, path: str) -> int:
        if isinstance(node, str):
            _check_text(node, name, path)
            return 1
        if not isinstance(node, (dict, list)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise InputError(f"{name}: {path or '(top level)'}: the value contains itself "
                             "(a YAML alias to an enclosing value)")
        if depth >= MAX_DEPTH:
            raise InputError(f"{name}: {path}: nested more than {MAX_DEPTH} levels deep")
        open_.add(key)
        total = 1
        if isinstance(node, dict):
            for k, v in node.items():
                here = f"{path}.{k}" if path else str(k)
                if isinstance(k, str):
                    _check_text(k, name, here)
                total += 1 + size(v, depth + 1, here)
        else:
            for i, v in enumerate(node):
                total += size(v, depth + 1, f"{path}[{i}]")
        open_.discard(key)
        if total > MAX_VALUES:
            raise InputError(f"{name}: {path or '(top level)'}: expands to more than "
                             f"{MAX_VALUES:,} values (YAML aliases repeated in aliases?)")
        sizes[key] = total
        return total

    size(doc, 0, "")


def _check_text(text: str, name: str, path: str) -> None:
    found = _SURROGATE.search(text)
    if found:
        raise InputError(f"{name}: {path}: the string is not valid Unicode (a lone surrogate "
                         f"\\u{ord(found.group()):04x})")
