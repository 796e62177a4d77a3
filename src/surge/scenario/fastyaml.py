"""A fast reader for large YAML scenarios: libyaml's C parser, the format's YAML 1.2 rules.

The pure-Python reader (:func:`surge.scenario.load.yaml12`) takes minutes and gigabytes on
a 50 MB file. Here libyaml (through PyYAML's ``CParser``) scans and composes the nodes;
tags are resolved with the *same* YAML 1.2 rules as the pure reader (its own table of
patterns: only ``true``/``false`` are booleans, dates stay strings) and every scalar is
converted by the pure reader's own constructors, so both readers give the same document.
Duplicate keys are refused, including a key hidden behind a merge key ``<<``.

On any error the caller falls back to the pure reader, whose messages name the line.

>>> load_fast("country: NO\\nweeks: 012\\nstart: 2026-01-05\\n")
{'country': 'NO', 'weeks': 12, 'start': '2026-01-05'}
"""

from __future__ import annotations

from typing import Any

from surge.scenario.load import _Yaml12Resolver, yaml12

try:  # PyYAML with libyaml (a dependency of Dask, so normally present)
    import yaml as _pyyaml
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - the pure reader is used instead
    _pyyaml = None
    _CParser = None

AVAILABLE = _CParser is not None
"""Whether the C parser can be used."""

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class FastYamlError(ValueError):
    """The fast reader cannot give the document: read it with the pure reader instead."""


def _rules() -> dict[str, list[tuple[str, Any]]]:
    return _Yaml12Resolver().versioned_resolver


def load_fast(text: str) -> Any:
    """Parse ``text`` as YAML 1.2 with libyaml; :class:`FastYamlError` on any problem
    (syntax, duplicate keys, explicit tags) so the caller can use the pure reader."""
    if _CParser is None:
        raise FastYamlError("libyaml is not available")
    parser = _Parser(text)
    try:
        node = parser.get_single_node()
    except _pyyaml.YAMLError as exc:
        raise FastYamlError(str(exc)) from None
    finally:
        parser.dispose()
    if node is None:
        return None
    return _Builder().build(node)


class _Parser(_CParser if _CParser is not None else object):  # type: ignore[misc]
    """libyaml's parser and composer, with the format's YAML 1.2 tag resolution."""

    _rules = _rules()

    def descend_resolver(self, parent: Any, index: Any) -> None:
        """No path-dependent resolution (PyYAML's hook)."""

    def ascend_resolver(self) -> None:
        """No path-dependent resolution (PyYAML's hook)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is _pyyaml.SequenceNode:
            return _SEQ
        if kind is _pyyaml.MappingNode:
            return _MAP
        if implicit and implicit[0]:  # a plain scalar
            for tag, regexp in self._rules.get(value[:1], []):
                if regexp.match(value):
                    return str(tag)
        return _STR


class _Builder:
    """Nodes to Python data, each node once (aliases stay shared, as in the pure reader)."""

    def __init__(self) -> None:
        self.scalars = yaml12().constructor
        self.done: dict[int, Any] = {}
        self.opened: set[int] = set()

    def build(self, root: Any) -> Any:
        """The data of ``root``, depth first without recursion (libyaml already limits
        nesting to 1,000 levels)."""
        if _is_scalar(root):
            return self._scalar(root)
        stack = [root]
        while stack:
            node = stack[-1]
            key = id(node)
            if key in self.done:
                stack.pop()
                continue
            if key not in self.opened:
                self.opened.add(key)
                stack.extend(c for c in _children(node)
                             if not _is_scalar(c) and id(c) not in self.done)
                continue
            self.done[key] = self._make(node)
            stack.pop()
        return self.done[id(root)]

    def _make(self, node: Any) -> Any:
        if isinstance(node, _pyyaml.SequenceNode):
            _plain_tag(node, _SEQ)
            return [self._value(c) for c in node.value]
        _plain_tag(node, _MAP)
        return self._mapping(node)

    def _value(self, node: Any) -> Any:
        if _is_scalar(node):
            return self._scalar(node)
        if id(node) not in self.done:  # an alias to an enclosing node: contains itself
            raise FastYamlError("a value that contains itself")
        return self.done[id(node)]

    def _mapping(self, node: Any) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        explicit: list[tuple[Any, Any]] = []
        merged: list[tuple[Any, Any]] = []
        for k, v in node.value:
            if _is_scalar(k) and k.tag.endswith(":merge"):
                sources = v.value if isinstance(v, _pyyaml.SequenceNode) else [v]
                for src in sources:
                    data = self._value(src)
                    if not isinstance(data, dict):
                        raise FastYamlError("a merge key << needs a mapping")
                    merged.extend(data.items())
                continue
            explicit.append((self._value(k), self._value(v)))
        for k, v in merged + explicit:
            try:
                if k in out:
                    raise FastYamlError(f'found duplicate key "{k}"')
            except TypeError:
                raise FastYamlError("an unhashable key") from None
            out[k] = v
        return out

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        kind = tag.rsplit(":", 1)[-1]
        if tag.startswith("tag:yaml.org,2002:") and kind in ("int", "float", "bool", "null"):
            from ruamel.yaml.nodes import ScalarNode

            construct = getattr(self.scalars, f"construct_yaml_{kind}")
            return construct(ScalarNode(tag, node.value))
        raise FastYamlError(f"tag {tag}")


def _children(node: Any) -> list[Any]:
    if isinstance(node, _pyyaml.SequenceNode):
        return list(node.value)
    return [n for pair in node.value for n in pair]


def _plain_tag(node: Any, plain: str) -> None:
    if node.tag != plain:
        raise FastYamlError(f"explicit tag {node.tag}")


def _is_scalar(node: Any) -> bool:
    return isinstance(node, _pyyaml.ScalarNode)
