"""The rule types of criteria files, one module each (SPEC §5, §13.1).

Adding a rule type is one module with its spec model and its :class:`Rule` subclass,
registered in :data:`RULE_CLASSES` below, plus tests. Everything else — the criteria
file model and its JSON Schema, form writing and reading, scoring, ``explain`` — asks the
rule object.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from cchc_cli.rules.base import (
    BONUS,
    INPUT_CHOICE,
    INPUT_DATA,
    INPUT_SCORE,
    INPUT_SURVEY,
    PENALTY,
    SCORED,
    SURVEY,
    Cells,
    CheckSpec,
    InputSpec,
    Outcome,
    RawCheck,
    Rule,
)
from cchc_cli.rules.choice import ChoiceOption, ChoiceRule, ChoiceSpec
from cchc_cli.rules.extra import BonusRule, BonusSpec, PenaltyRule, PenaltySpec
from cchc_cli.rules.formula import FormulaRule, FormulaSpec
from cchc_cli.rules.manual import ManualRule, ManualSpec
from cchc_cli.rules.numeric import NumericRule
from cchc_cli.rules.ratio import RatioRule, RatioSpec
from cchc_cli.rules.relative import RelativeRule, RelativeSpec
from cchc_cli.rules.survey import SurveyRule, SurveySpec
from cchc_cli.rules.tiers import Tier, TiersRule, TiersSpec

RULE_CLASSES: dict[str, type[Rule]] = {
    cls.type: cls
    for cls in (ManualRule, ChoiceRule, TiersRule, RatioRule, SurveyRule, BonusRule,
                PenaltyRule, FormulaRule, RelativeRule)
}
RULE_TYPES = tuple(RULE_CLASSES)

RuleSpec = Annotated[
    ManualSpec | ChoiceSpec | TiersSpec | RatioSpec | SurveySpec | BonusSpec | PenaltySpec
    | FormulaSpec | RelativeSpec,
    Field(discriminator="type"),
]

# Every key any rule accepts (for "did you mean …?" hints on a misspelt key).
SPEC_MODELS = (ManualSpec, ChoiceSpec, TiersSpec, RatioSpec, SurveySpec, BonusSpec,
               PenaltySpec, FormulaSpec, RelativeSpec, ChoiceOption, Tier, InputSpec, CheckSpec)


def compile_rule(spec: Any, *, code: str, max: Decimal, floor: Decimal) -> Rule:
    """The runtime rule of a leaf from its checked spec."""
    return RULE_CLASSES[spec.type](spec, code=code, max=max, floor=floor)


__all__ = [
    "BONUS", "INPUT_CHOICE", "INPUT_DATA", "INPUT_SCORE", "INPUT_SURVEY", "PENALTY",
    "SCORED", "SURVEY", "Cells", "CheckSpec", "InputSpec", "Outcome", "RawCheck", "Rule",
    "NumericRule", "ChoiceRule", "ManualRule", "TiersRule", "RatioRule", "SurveyRule",
    "BonusRule", "PenaltyRule", "FormulaRule", "RelativeRule", "RULE_CLASSES", "RULE_TYPES",
    "RuleSpec", "SPEC_MODELS", "compile_rule", "Tier", "ChoiceOption",
]
