"""Reading a scenario from YAML 1.2 or JSON, with every problem reported at once.

>>> from surge.scenario.load import read_document
>>> read_document("country: NO\\n", "x.yaml")
{'country': 'NO'}
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers

from surge.errors import InputError, Problem, ScenarioError
from surge.fileio import read_text
from surge.scenario import model as m
from surge.scenario.checks import consistency_problems
from surge.scenario.limits import check_document
from surge.scenario.types import show
from surge.validation import pydantic_problems

# Which model sits at a path of field names (list indices and free-form keys removed);
# used to list the expected keys when an unknown one is found.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): m.Scenario,
    ("items",): m.Item,
    ("operations",): m.Operation,
    ("organizations",): m.Organization,
    ("sites",): m.Site,
    ("lines",): m.Line,
    ("lines", "options"): m.Option,
    ("suppliers",): m.Supplier,
    ("suppliers", "offers"): m.Offer,
    ("demands",): m.Demand,
    ("demands", "due"): m.Due,
    ("inventory",): m.Stock,
    ("receipts",): m.Receipt,
    ("lines", "committed"): m.Committed,
    ("transport",): m.Transport,
    ("policy",): m.Policy,
    ("policy", "restricted_origins"): m.RestrictedOrigins,
    ("objective",): m.Objective,
    ("uncertainty",): m.Uncertainty,
    ("uncertainty", "suppliers"): m.SupplierRisk,
    ("uncertainty", "suppliers", "fill_rate"): m.Beta,
    ("uncertainty", "suppliers", "outage"): m.Outage,
    ("uncertainty", "lines"): m.LineRisk,
    ("uncertainty", "operations"): m.OperationRisk,
}


class _Yaml12Resolver(VersionedResolver):
    """YAML 1.2 rules whatever a ``%YAML`` directive says; only ``true``/``false`` are booleans.

    Plain scalars that look like dates stay strings (YAML 1.2's core schema has no
    timestamps), so a bad date is reported with its path by the model.

    The format says so to the letter: ``country: NO`` is Norway, ``yes``/``on``/``True`` are
    strings (the scenario has no boolean field, so a boolean is always a mistake anyway).
    """

    _rules: dict[Any, list[tuple[Any, Any]]] | None = None

    @property
    def versioned_resolver(self) -> Any:
        if _Yaml12Resolver._rules is None:
            rules: dict[Any, list[tuple[Any, Any]]] = {}
            for versions, tag, pattern, first in implicit_resolvers:
                regexp: Any = pattern
                if (1, 2) not in versions:
                    continue
                if tag.endswith(":timestamp"):
                    continue  # not in YAML 1.2: dates stay strings, checked with their path
                if tag.endswith(":bool"):
                    regexp, first = re.compile("^(?:true|false)$"), ["t", "f"]
                for ch in first:
                    rules.setdefault(ch, []).append((tag, regexp))
            _Yaml12Resolver._rules = rules
        # ruamel extends the list it gets with `+=`: hand out copies.
        return {ch: list(r) for ch, r in _Yaml12Resolver._rules.items()}


class _MergeConstructor(SafeConstructor):
    """Merge keys (``<<``) may add keys but never hide one: a key given both in the mapping
    and by a merge (or by two merges) is a duplicate key."""

    def flatten_mapping(self, node: Any) -> Any:
        super().flatten_mapping(node)
        merged = getattr(node, "merge", None)
        if not merged:
            return
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = getattr(key_node, "value", None)
            if not isinstance(key, str):
                continue
            if key in seen:
                raise DuplicateKeyError("while constructing a mapping", node.start_mark,
                                        f'found duplicate key "{key}" (also given by a merge '
                                        "key <<)", key_node.start_mark)
            seen[key] = key_node


def yaml12(typ: str = "safe") -> YAML:
    """A YAML reader with the format's rules: YAML 1.2 whatever the file's directive, only
    ``true``/``false`` as booleans, duplicate keys refused. ``typ="rt"`` keeps line numbers."""
    yaml = YAML(typ=typ, pure=True)
    yaml.Resolver = _Yaml12Resolver
    if typ == "safe":
        yaml.Constructor = _MergeConstructor
    yaml.version = (1, 2)
    yaml.allow_duplicate_keys = False
    return yaml


def read_document(text: str, name: str = "<input>") -> Any:
    """Parse YAML 1.2 (or JSON, a subset of it); duplicate keys are errors."""
    if not text.strip():
        raise InputError(f"{name}: the file is empty, expected a scenario")
    if name.lower().endswith(".json"):
        doc = _read_json(text, name)
        check_document(doc, name)
        return doc
    doc = _read_yaml_fast(text)
    if doc is not None:
        check_document(doc, name)
        return doc
    yaml = yaml12()
    try:
        doc = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        what = (exc.problem or exc.context or "syntax error").strip()
        if "duplicate key" in str(exc):
            what = f"a key written twice in one mapping ({_duplicate_key(exc)})"
        raise InputError(f"{name}: cannot read YAML at {where}: {what}") from None
    except YAMLError as exc:
        raise InputError(f"{name}: cannot read YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: cannot read YAML: nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:  # explicit !!tags, huge integers
        raise InputError(f"{name}: cannot read YAML: {_plain_reason(exc)}") from None
    except MemoryError:
        raise InputError(f"{name}: cannot read YAML: out of memory") from None
    if doc is None:
        raise InputError(f"{name}: the document is empty, expected a scenario")
    check_document(doc, name)
    return doc


def _read_yaml_fast(text: str) -> Any:
    """The document read by libyaml (:mod:`surge.scenario.fastyaml`), or ``None`` when it
    cannot be (then the pure reader reads it, and names the line of any error)."""
    from surge.scenario import fastyaml

    if not fastyaml.AVAILABLE:
        return None
    try:
        return fastyaml.load_fast(text)
    except (fastyaml.FastYamlError, ValueError, TypeError, OverflowError, RecursionError,
            MemoryError):
        return None


def _plain_reason(exc: Exception) -> str:
    """The reason of a parse error in a reader's words (no advice meant for programmers)."""
    text = str(exc)
    if "integer string conversion" in text:
        return "an integer of more than 4,300 digits; no scenario number needs so many"
    return text


def _duplicate_key(exc: Exception) -> str:
    text = str(exc)
    start = text.find('found duplicate key "')
    if start < 0:
        return "duplicate key"
    end = text.find('"', start + 21)
    return f"key '{text[start + 21:end]}'"


def _read_json(text: str, name: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise InputError(f"{name}: key '{key}' is written twice in one object")
            out[key] = value
        return out

    def no_constants(token: str) -> float:
        raise InputError(f"{name}: {token} is not a finite number")

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: cannot read JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(f"{name}: cannot read JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InputError(f"{name}: cannot read JSON: {_plain_reason(exc)}") from None


def read_file(path: str | Path) -> Any:
    """The parsed document of a scenario (or overlay) file, read with the input limits of
    :mod:`surge.fileio` and :mod:`surge.scenario.limits`."""
    return read_document(read_text(path, "scenario file"), str(path))


def validate(raw: Any) -> tuple[m.Scenario | None, list[Problem]]:
    """Check raw data against every rule of the format.

    Returns the scenario (``None`` if any error) and every problem found: errors and
    warnings, each with its path.
    """
    if not isinstance(raw, dict):
        return None, [Problem("", f"a scenario must be a mapping of keys, got {show(raw)}")]
    problems: list[Problem] = []
    scenario: m.Scenario | None = None
    try:
        scenario = m.Scenario.model_validate(raw)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, raw, _expected_keys))
    problems.extend(consistency_problems(raw))
    problems = _dedupe(problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    assert scenario is not None
    return scenario, problems


def load(source: str | Path | dict[str, Any]) -> m.Scenario:
    """Load and validate a scenario from a YAML/JSON file path, or from a dict.

    Raises
    ------
    ScenarioError
        With every problem found (``.problems``), if any rule is broken.
    """
    scenario, problems = load_with_problems(source)
    return scenario


def load_with_problems(source: str | Path | dict[str, Any]) -> tuple[m.Scenario, list[Problem]]:
    """Like :func:`load`, also returning the warnings."""
    raw = source if isinstance(source, dict) else read_file(source)
    scenario, problems = validate(raw)
    if scenario is None:
        errors = [p for p in problems if p.severity == "error"]
        label = "scenario" if isinstance(source, dict) else str(source)
        noun = "problem" if len(errors) == 1 else "problems"
        raise ScenarioError(f"{label}: {len(errors)} {noun} found", problems)
    return scenario, problems


# --- turning pydantic's errors into the format's messages ------------------------------


def _field_names(loc: tuple[Any, ...]) -> tuple[str, ...]:
    names = [p for p in loc if isinstance(p, str)]
    if names[:1] == ["uncertainty"] and len(names) >= 3:
        names = names[:2] + names[3:]  # drop the object id under uncertainty.<kind>
    return tuple(names)


def _expected_keys(parent: tuple[Any, ...]) -> list[str]:
    model = _MODEL_AT.get(_field_names(parent))
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
