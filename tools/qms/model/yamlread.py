"""Read YAML into plain values with line numbers, refusing anything two YAML versions read differently.

MkDocs reads front matter with PyYAML (YAML 1.1); ruamel.yaml writes it as YAML 1.2. So that one parse
decides what a document says everywhere, we compose nodes with libyaml (fast, and nodes keep their marks),
build the values ourselves, and reject what the two versions disagree on: unquoted yes/no/on/off, numbers
with leading or trailing zeros, and 1.2-only number forms; plus tags, anchors and aliases, which no front
matter needs and which are how YAML is abused (object construction, alias bombs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

import yaml

from .finding import Finding, FindingError

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_T = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, SEQ, MAP = (
    _T + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_MAX_DEPTH = 32
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]\Z")
_TRUE_FALSE = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# Plain scalars that YAML 1.1 reads as strings but YAML 1.2 (core schema) reads as numbers.
_YAML12_ONLY = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z|0o[0-7]+\Z|[-+]?\.(?:inf|Inf|INF)\Z"
)
_TIMESTAMP_CONSTRUCTOR = yaml.constructor.SafeConstructor()

Path = tuple[Union[str, int], ...]


@dataclass
class Parsed:
    """Plain values (dict, list, str, int, float, bool, None, date, datetime) and the line of each path."""

    value: object
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, *path: str | int, default: int = 1) -> int:
        """The file line of the key or item at `path`, or of its nearest ancestor."""
        key: Path = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), default)


def load(text: str, path: str, first_line: int = 1) -> Parsed:
    """Parse `text` (which starts at file line `first_line`); raise FindingError on anything unsafe."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark is not None else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark is not None and exc.problem:
            problem += f" ({exc.context} started at line {first_line + exc.context_mark.line})"
        hint = "indent with spaces, never tabs" if "\\t" in problem or "tab" in problem else "fix the YAML syntax"
        raise FindingError(Finding(path, line, "QMS012", f"YAML syntax error: {problem}", hint)) from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", 0) or 0
        line = first_line + text.count("\n", 0, position)
        raise FindingError(
            Finding(path, line, "QMS012", f"YAML cannot be read: {exc}".splitlines()[0], "remove control characters")
        ) from None
    except RecursionError:
        raise FindingError(Finding(path, first_line, "QMS014", "YAML nested too deeply", "flatten it")) from None
    parsed = Parsed(None, {(): first_line})
    if node is not None:
        builder = _Builder(path, first_line, parsed.lines)
        parsed.value = builder.build(node, (), 0)
    return parsed


class _Builder:
    def __init__(self, path: str, first_line: int, lines: dict[Path, int]) -> None:
        self.path = path
        self.first_line = first_line
        self.lines = lines
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, code: str, message: str, hint: str) -> FindingError:
        return FindingError(Finding(self.path, self.line_of(node), code, message, hint))

    def line_of(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def build(self, node: yaml.Node, at: Path, depth: int) -> object:
        if id(node) in self.seen:
            raise self.fail(node, "QMS014", "anchors and aliases are not allowed", "write the value out in full")
        self.seen.add(id(node))
        if depth > _MAX_DEPTH:
            raise self.fail(node, "QMS014", "YAML nested too deeply", "flatten the structure")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, at, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ:
                raise self.unsafe_tag(node)
            items = []
            for index, item in enumerate(node.value):
                self.lines[at + (index,)] = self.line_of(item)
                items.append(self.build(item, at + (index,), depth + 1))
            return items
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, at: Path, depth: int) -> dict[str, object]:
        if node.tag != MAP:
            raise self.unsafe_tag(node)
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _T + "merge":
                raise self.fail(key_node, "QMS014", "merge keys (<<) are not allowed", "write the keys out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "QMS014", "a key must be a plain word", "use a simple key")
            key = str(self.scalar(key_node))
            if key in result:
                raise self.fail(
                    key_node, "QMS013", f"duplicate key '{key}'", f"keep one '{key}'; first at line {self.lines[at + (key,)]}"
                )
            self.lines[at + (key,)] = self.line_of(key_node)
            result[key] = self.build(value_node, at + (key,), depth + 1)
        return result

    def unsafe_tag(self, node: yaml.Node) -> FindingError:
        return self.fail(node, "QMS014", f"tag '{node.tag}' is not allowed", "remove the tag; only plain YAML values")

    def scalar(self, node: yaml.ScalarNode) -> object:
        text, tag = node.value, node.tag
        if node.style:  # quoted or block: a string in every YAML version (plain is None or "")
            if tag != STR:
                raise self.unsafe_tag(node)
            return text
        if tag == STR:
            if _YAML12_ONLY.match(text):
                raise self.ambiguous(node, "a string in YAML 1.1 but a number in YAML 1.2")
            return text
        if tag == NULL:
            return None
        if tag == BOOL:
            if text not in _TRUE_FALSE:
                raise self.ambiguous(node, "a boolean in YAML 1.1 but a string in YAML 1.2")
            return _TRUE_FALSE[text]
        if tag == INT:
            if not _PLAIN_INT.match(text):
                raise self.ambiguous(node, "read as different numbers by YAML 1.1 and 1.2")
            return int(text)
        if tag == FLOAT:
            if not _PLAIN_FLOAT.match(text):
                raise self.ambiguous(node, "a number whose zeros or form YAML versions read differently")
            return float(text)
        if tag == TIMESTAMP:
            try:
                return _TIMESTAMP_CONSTRUCTOR.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                raise self.fail(node, "QMS022", f"'{text}' is not a valid date", "write YYYY-MM-DD") from None
        raise self.unsafe_tag(node)

    def ambiguous(self, node: yaml.ScalarNode, why: str) -> FindingError:
        return self.fail(node, "QMS015", f"unquoted '{node.value}' is {why}", f"quote it: \"{node.value}\"")
