"""Language tags from files and operators meet as ISO 639-2/B codes."""

from __future__ import annotations

import pytest

from retrovue.domain.languages import is_code, normalise


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en", "eng"), ("eng", "eng"), ("en-US", "eng"), ("deu", "ger"), ("ger", "ger"),
     ("FRA", "fre"), ("pt_BR", "por"), ("", "und"), (None, "und"), ("english", "und"),
     ("xx", "und"), ("12", "und")],
)  # fmt: skip
def test_two_and_three_letter_tags_normalise_to_the_bibliographic_code(
    tag: str | None, code: str
) -> None:
    assert normalise(tag) == code


def test_und_is_a_code_an_operator_may_name_but_a_word_is_not() -> None:
    assert is_code("und") and is_code("spa") and is_code("es")
    assert not is_code("spanish") and not is_code("e")
