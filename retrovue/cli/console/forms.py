"""Form fields to typed values, with the CLI's wording, and errors placed at their field."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile

from retrovue.errors import ConflictError, NotFoundError, RetroVueError, ValidationError

MAX_FIELD = 10_000  # characters in one text field; more is refused, not cut


@dataclass(frozen=True)
class Form:
    """A submitted form; every getter names its field in the error it raises."""

    data: Mapping[str, Any]

    @classmethod
    def of(cls, form: FormData) -> Form:
        values: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                values[key] = value
            elif key in values and not isinstance(values[key], UploadFile):
                values[key] = f"{values[key]},{value}"
            else:
                values[key] = value
        return cls(values)

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        text = value if isinstance(value, str) else ""
        if len(text) > MAX_FIELD:
            raise ValidationError(f"{_words(name)} must be at most {MAX_FIELD} characters", name)
        return text

    def text(self, name: str) -> str:
        return self.raw(name).strip()

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def has(self, name: str) -> bool:
        return name in self.data

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.optional_integer(name)
        if value is None:
            if default is None:
                raise ValidationError(f"{_words(name)} is required", name)
            return default
        return value

    def optional_integer(self, name: str) -> int | None:
        text = self.text(name)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValidationError(
                f"{_words(name)} must be a whole number, not {text!r}", name
            ) from None

    def required(self, name: str) -> str:
        text = self.text(name)
        if not text:
            raise ValidationError(f"{_words(name)} is required", name)
        return text

    def checked(self, name: str) -> bool:
        return self.text(name).lower() in ("on", "true", "yes", "1")

    def choice(self, name: str, choices: Collection[str], default: str | None = None) -> str:
        text = self.text(name) or (default or "")
        if text not in choices:
            raise ValidationError(f"{_words(name)} must be one of {', '.join(choices)}", name)
        return text

    def upload(self, name: str) -> UploadFile | None:
        value = self.data.get(name)
        return value if isinstance(value, UploadFile) and value.filename else None

    def values(self) -> dict[str, str]:
        """The text fields as typed, to fill the form again after an error."""
        return {k: v for k, v in self.data.items() if isinstance(v, str) and k != "csrf"}


def _words(name: str) -> str:
    return name.replace("_", " ")


@dataclass
class Problem:
    """An error to show: at a field of the form when it names one, else above the form."""

    message: str
    field: str | None = None
    status: int = 400
    fields: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(
        cls,
        error: RetroVueError,
        fields: Collection[str],
        aliases: Mapping[str, str] | None = None,
    ) -> Problem:
        message = " ".join(str(error).split())
        where = getattr(error, "field", None)
        if where is not None and aliases:
            where = aliases.get(where, where)
        status = (
            404
            if isinstance(error, NotFoundError)
            else 409
            if isinstance(error, ConflictError)
            else 400
        )
        if where is not None and where in fields:
            return cls(message, where, status, {where: message})
        return cls(message, None, status)
