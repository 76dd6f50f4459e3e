"""Form values to typed ones with the CLI's wording; errors placed at the field they name."""

from __future__ import annotations

import pytest

from retrovue.cli.console.auth import _next
from retrovue.cli.console.forms import Form, Problem
from retrovue.errors import ConflictError, NotFoundError, ValidationError


def test_a_number_that_is_not_one_is_refused_naming_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        Form({"grid_size": "thirty"}).integer("grid_size")
    assert str(refused.value) == "grid size must be a whole number, not 'thirty'"
    assert refused.value.field == "grid_size"
    assert Form({"grid_size": " "}).integer("grid_size", 30) == 30


def test_a_problem_sits_at_its_field_when_the_form_has_it_else_above_the_form() -> None:
    at = Problem.of(ValidationError("off the grid", "grid"), ("grid_size",), {"grid": "grid_size"})
    assert (at.field, at.fields, at.status) == ("grid_size", {"grid_size": "off the grid"}, 400)
    above = Problem.of(ValidationError("no day  in\n range", "weekdays"), ("template",))
    assert (above.field, above.message) == (None, "no day in range")
    assert Problem.of(NotFoundError("channel", 9), ()).status == 404
    assert Problem.of(ConflictError("taken"), ()).status == 409


@pytest.mark.parametrize(
    ("given", "kept"),
    [("/catalog?page=2", "/catalog?page=2"), ("//evil.example/", "/"),
     ("https://evil.example/", "/"), ("/\\evil.example", "/"), (None, "/")],
)  # fmt: skip
def test_sign_in_returns_only_to_a_path_of_this_console(given: str | None, kept: str) -> None:
    assert _next(given) == kept
