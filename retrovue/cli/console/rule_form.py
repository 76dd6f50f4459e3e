"""A block's rule_json as a form: one field per key, the JSON composed as the server reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from retrovue.cli.console.forms import Form
from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import parse_tags
from retrovue.schedule_manager.models import ASSET_KINDS, RATING_RANK, RuleV1

Kind = Literal["tags", "names", "choice", "int", "number", "rating"]


@dataclass(frozen=True)
class RuleField:
    key: str
    label: str
    kind: Kind
    help: str = ""
    choices: tuple[str, ...] = ()


def _choices(key: str) -> tuple[str, ...]:
    """The values a Literal key of the rule admits, read from the model itself."""
    return tuple(str(v) for v in get_args(RuleV1.model_fields[key].annotation))


ORDERS: Final = _choices("order")
OVERRUNS: Final = _choices("overrun")
BREAKS: Final = _choices("breaks")
PADS: Final = _choices("pad")
# Every key of rule_json v1, in the order the form shows them.
RULE_FIELDS: Final = (
    RuleField("tags", "Tags", "tags", "Every one of these tags: a, b."),
    RuleField("any_tags", "Any tags", "tags", "At least one of these."),
    RuleField("exclude_tags", "Exclude tags", "tags", "None of these."),
    RuleField("series", "Series", "names", "Only these series (comma-separated)."),
    RuleField("kind", "Kind", "choice", "", ASSET_KINDS),
    RuleField("max_rating", "Max rating", "rating", "Unrated assets are refused when set."),
    RuleField("min_minutes", "Min minutes", "number"),
    RuleField("max_minutes", "Max minutes", "number"),
    RuleField("order", "Order", "choice", "", ORDERS),
    RuleField("overrun", "Overrun", "choice", "A program longer than what is left.", OVERRUNS),
    RuleField("breaks", "Breaks", "choice", "Where commercial breaks go.", BREAKS),
    RuleField("break_count", "Break count", "int", "Breaks per program, 0 to 20."),
    RuleField("filler_tags", "Filler tags", "tags", "What fills breaks."),
    RuleField("bumper_in_tags", "Bumper in tags", "tags", "Bumpers that open a break."),
    RuleField("bumper_out_tags", "Bumper out tags", "tags", "Bumpers that close a break."),
    RuleField("bumper_tags", "Bumper tags", "tags", "Bumpers for either side of a break."),
    RuleField("pad", "Pad", "choice", "What fills time nothing fits.", PADS),
)  # fmt: skip
RULE_KEYS: Final = tuple(f.key for f in RULE_FIELDS)
RATINGS: Final = tuple(RATING_RANK)


def rule_values(rule: dict[str, Any]) -> dict[str, str]:
    """A stored (or default) rule as the form's text fields."""
    full = RuleV1.parse(rule).to_json()
    values = {}
    for spec in RULE_FIELDS:
        value = full[spec.key]
        if isinstance(value, list):
            values[spec.key] = ", ".join(str(v) for v in value)
        elif value is None:
            values[spec.key] = ""
        elif isinstance(value, float) and value.is_integer():
            values[spec.key] = str(int(value))
        else:
            values[spec.key] = str(value)
    return values


def default_values() -> dict[str, str]:
    return rule_values({})


def rule_from(form: Form) -> dict[str, Any]:
    """The rule the form describes; RuleV1 validation happens in the service, naming the key."""
    rule: dict[str, Any] = {}
    for spec in RULE_FIELDS:
        text = form.text(spec.key)
        if spec.kind == "tags":
            rule[spec.key] = parse_tags(text)
        elif spec.kind == "names":
            rule[spec.key] = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
        elif spec.kind in ("number", "int", "rating") and not text:
            continue
        elif spec.kind == "number":
            rule[spec.key] = _number(spec.key, text)
        elif spec.kind == "int":
            rule[spec.key] = form.integer(spec.key)
        elif text:
            rule[spec.key] = text
    return rule


def _number(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"rule_json: {key}: must be a number, not {text!r}", key) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError(f"rule_json: {key}: must be a finite number", key)
    return value
