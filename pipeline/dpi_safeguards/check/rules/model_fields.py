"""Which fields a model allows at a place in a document, for did-you-mean on a misspelt
field (pydantic's "extra field" error names the field, not the ones it could have been)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel


def model_named(name: str) -> type[BaseModel] | None:
    """The model class of this package a ValidationError's ``title`` names."""
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        model = pending.pop()
        if model.__name__ == name and model.__module__.startswith("dpi_safeguards."):
            return model
        pending += model.__subclasses__()
    return None


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation holds: itself, or inside lists, unions and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _names(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def _tag_of(model: type[BaseModel]) -> tuple[Any, ...]:
    op = model.model_fields.get("op")
    return typing.get_args(op.annotation) if op is not None else ()


def fields_at(model: type[BaseModel], location: tuple[int | str, ...]) -> set[str]:
    """The field names allowed where the last part of ``location`` (pydantic's ``loc``,
    with union tags such as 'add-practice' in it) stands."""
    current = [model]
    for part in location[:-1]:
        if isinstance(part, int):
            continue  # an item of a list: the models are already the items'
        inner = [
            found
            for m in current
            if part in m.model_fields
            for found in _models_in(m.model_fields[part].annotation)
        ]
        # no field of that name: a discriminated union's tag, naming one member
        current = inner or [m for m in current if part in _tag_of(m)] or current
    return set().union(*(_names(m) for m in current))
