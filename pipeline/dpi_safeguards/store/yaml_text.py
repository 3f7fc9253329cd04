"""YAML text read safely, from libyaml's event stream (C speed, no recursion) by a small
iterative builder that knows only JSON's types: no tags, anchors, aliases or second
documents, plain scalars resolved by the YAML 1.2 core schema, and the ones YAML 1.1
readers take otherwise refused."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from dpi_safeguards.store.errors import MAX_DEPTH, JsonPath, LoadError

Mark = tuple[int, int]  # 1-based line, column

# YAML 1.2 core schema for plain scalars: what JSON would read the same way.
_NULL = re.compile(r"(?:~|null|Null|NULL|)")
_BOOL_TRUE = re.compile(r"(?:true|True|TRUE)")
_BOOL_FALSE = re.compile(r"(?:false|False|FALSE)")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NONFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Plain scalars that YAML 1.1 readers (GitHub's, many libraries) read differently from
# YAML 1.2: booleans spelt as words, octal/leading-zero and sexagesimal numbers.
_AMBIGUOUS = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
    r"|[-+]?0[0-9_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)"
)
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "!",
}


# First characters of every plain scalar that may resolve to something other than a string
# (null, booleans, numbers, YAML 1.1 words); the longest such word is five characters.
_SPECIAL_START = frozenset("~nNtTfFyYoO+-.0123456789")
_NUMBER_START = frozenset("+-.0123456789")


def _certainly_string(value: str) -> bool:
    """True for plain scalars no pattern of :func:`_resolve_plain_patterns` can match
    (most framework scalars: prose and ids), decided without running them."""
    return bool(value) and (
        value[0] not in _SPECIAL_START or (len(value) > 5 and value[0] not in _NUMBER_START)
    )


def reads_as_plain_string(value: str) -> bool:
    """True when ``value``, written unquoted, is read back by this reader as that string.

    The writer quotes every other string (PyYAML's YAML 1.1 emitter would leave ``08`` or
    ``on`` unquoted, which this reader refuses as ambiguous).
    """
    if _certainly_string(value):
        return True
    return not any(
        pattern.fullmatch(value)
        for pattern in (_NULL, _BOOL_TRUE, _BOOL_FALSE, _AMBIGUOUS, _INT, _FLOAT, _NONFINITE)
    )


def _resolve_plain(value: str, mark: tuple[int, int], path: str) -> Any:
    if _certainly_string(value):
        return value
    return _resolve_plain_patterns(value, mark, path)


def _resolve_plain_patterns(value: str, mark: tuple[int, int], path: str) -> Any:
    if _NULL.fullmatch(value):
        return None
    if _BOOL_TRUE.fullmatch(value):
        return True
    if _BOOL_FALSE.fullmatch(value):
        return False
    if _AMBIGUOUS.fullmatch(value):
        raise LoadError(
            "LOAD008",
            path,
            f"the unquoted value {value!r} means different things to different YAML readers "
            f'(YAML 1.1 reads it as a boolean or number); write it in quotes: "{value}"',
            *mark,
        )
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        number = float(value)
        if math.isfinite(number):
            return number
    if _NONFINITE.fullmatch(value):
        raise LoadError(
            "LOAD010", path, f"{value!r} is not a finite number; JSON allows none", *mark
        )
    return value


def _mark(event: Any) -> Mark:
    return event.start_mark.line + 1, event.start_mark.column + 1


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_ANCHOR_MESSAGE = "uses a YAML anchor or alias ('&'/'*'); write each value out in full"


class _Frame:
    """A mapping or sequence being built: the container, the key waiting for its value
    (mappings; None between entries), and the container's path in the document."""

    __slots__ = ("container", "is_map", "key", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: JsonPath) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.key: str | None = None
        self.path = path

    def child_path(self) -> JsonPath:
        if self.is_map:
            return (*self.path, self.key)  # type: ignore[arg-type]  # a key is waiting
        return (*self.path, len(self.container))


class _Builder:
    """Builds one document's data from its events, and (``want_positions``) where each
    value starts. One handler per event type (:meth:`handlers`): the loop over a large
    file's hundreds of thousands of events makes one call per event."""

    def __init__(self, path: str, want_positions: bool) -> None:
        self.path = path
        self.want_positions = want_positions
        self.positions: dict[JsonPath, Mark] = {}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0

    def handlers(self) -> dict[type, Callable[[Any], None]]:
        def skip(event: Any) -> None:
            pass

        return {
            yaml.StreamStartEvent: skip,
            yaml.StreamEndEvent: skip,
            yaml.DocumentEndEvent: skip,
            yaml.DocumentStartEvent: self.document,
            yaml.AliasEvent: self.alias,
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: self.start,
            yaml.SequenceStartEvent: self.start,
            yaml.MappingEndEvent: self.end,
            yaml.SequenceEndEvent: self.end,
        }

    def refuse(self, code: str, message: str, event: Any) -> LoadError:
        return LoadError(code, self.path, message, *_mark(event))

    def document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise self.refuse(
                "LOAD007",
                "holds more than one YAML document ('---'); put one proposal per file",
                event,
            )

    def alias(self, event: Any) -> None:
        raise self.refuse("LOAD007", _ANCHOR_MESSAGE, event)

    def check_plain(self, event: Any, tag: str | None) -> None:
        """No anchor, and no tag beyond the plain types'."""
        if event.anchor:
            raise self.refuse("LOAD007", _ANCHOR_MESSAGE, event)
        if tag is not None and tag not in _ALLOWED_TAGS:
            raise self.refuse(
                "LOAD007",
                f"uses the YAML tag {tag!r}; tags are not allowed, write plain values",
                event,
            )

    def scalar(self, event: Any) -> None:
        tag = event.tag
        if tag is not None or event.anchor:
            self.check_plain(event, tag)
        if (tag is None and event.implicit[0]) or tag in _NUMBER_TAGS:
            value = _resolve_plain(event.value, _mark(event), self.path)
        else:
            value = event.value
        stack = self.stack
        if not stack:
            self.root = value
            return
        frame = stack[-1]
        if frame.is_map and frame.key is None:  # this scalar is a key
            key = value if isinstance(value, str) else event.value
            if key in frame.container:
                raise self.refuse(
                    "LOAD006",
                    f"has the key '{key}' twice in one mapping; each key may appear once",
                    event,
                )
            frame.key = key
            return
        if self.want_positions:
            self.positions[frame.child_path()] = _mark(event)
        self._attach(frame, value)

    def start(self, event: Any) -> None:
        if event.tag is not None or event.anchor:
            self.check_plain(event, event.tag)
        stack = self.stack
        if len(stack) >= MAX_DEPTH:
            raise self.refuse("LOAD009", f"nests deeper than {MAX_DEPTH} levels", event)
        path = stack[-1].child_path() if stack else ()
        if self.want_positions:
            self.positions[path] = _mark(event)
        if stack and stack[-1].is_map and stack[-1].key is None:
            raise self.refuse(
                "LOAD005", "a key must be a plain string, not a list or mapping", event
            )
        stack.append(_Frame({} if type(event) is yaml.MappingStartEvent else [], path))

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        if frame.key is not None:
            raise self.refuse("LOAD005", "a key has no value", event)
        if self.stack:
            self._attach(self.stack[-1], frame.container)
        else:
            self.root = frame.container

    @staticmethod
    def _attach(parent: _Frame, value: Any) -> None:
        if parent.is_map:
            parent.container[parent.key] = value  # type: ignore[call-overload,index]
            parent.key = None
        else:
            parent.container.append(value)  # type: ignore[union-attr]


def parse_yaml(text: str, path: str, *, want_positions: bool) -> tuple[Any, dict[JsonPath, Mark]]:
    """The data of a YAML text, and (``want_positions``) where each value starts."""
    builder = _Builder(path, want_positions)
    handlers = builder.handlers()
    try:
        events: Iterator[Any] = yaml.parse(text, Loader=yaml.CSafeLoader)
        for event in events:
            handlers[type(event)](event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        if "nesting depth" in str(exc.problem):
            raise LoadError(
                "LOAD009", path, f"nests deeper than {MAX_DEPTH} levels", line, column
            ) from None
        raise LoadError(
            "LOAD005", path, f"is not valid YAML: {exc.problem}", line, column
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError("LOAD005", path, f"is not valid YAML: {exc}") from None
    return builder.root, builder.positions
