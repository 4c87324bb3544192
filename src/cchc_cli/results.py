"""The JSON documents of SPEC §10.1, built from scores (and ranks).

Numbers are rounded half-up to 6 decimals, except ``index_published`` (``precision``);
integers print as integers. The CLI prints exactly what these functions return.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cchc_cli.criteria import CriteriaSet
from cchc_cli.issues import Issue
from cchc_cli.numbers import Exact, json_number
from cchc_cli.scoring import LeafResult, UnitScore, YearScores


def _number(value: Exact | None) -> int | float | None:
    return json_number(value)


def input_json(value: Decimal | str | dict[str, Decimal | None] | None) -> Any:
    """A leaf's input in JSON: a number, an option's label, or the named inputs as an
    object (SPEC §13.1.9)."""
    if isinstance(value, dict):
        return {key: _number(number) for key, number in value.items()}
    if isinstance(value, str):
        return value
    return _number(value)


def leaf_dict(result: LeafResult) -> dict[str, Any]:
    return {
        "code": result.code,
        "input": input_json(result.input),
        "value": _number(result.value) if not result.na else None,
        "reference": _number(result.reference) if result.value is not None else None,
        "source": result.source,
        "na": result.na,
        "na_reason": result.na_reason,
        "points": _number(result.points),
        "max": _number(result.max),
    }


def area_dicts(unit: UnitScore, criteria: CriteriaSet | None) -> list[dict[str, Any]]:
    if criteria is None:
        return []
    return [
        {
            "code": node.code,
            "name": node.name,
            "points": _number(node.points),
            "max_points": _number(node.max_points),
            "index": _number(node.index),
        }
        for node in unit.areas(criteria)
    ]


def unit_dict(unit: UnitScore, criteria: CriteriaSet | None, *, precision: int,
              leaves: bool = False) -> dict[str, Any]:
    published = unit.index_published
    data: dict[str, Any] = {
        "code": unit.code,
        "name": unit.name,
        "status": unit.status,
        "index": _number(unit.index),
        "index_published": json_number(published, precision) if published is not None
        else None,
        "points": _number(unit.points),
        "max_points": _number(unit.max_points),
        "appraised_points": _number(unit.appraised_points),
        "survey_points": _number(unit.survey_points),
        "bonus": _number(unit.bonus),
        "penalty": _number(unit.penalty),
        "not_applicable": list(unit.not_applicable),
        "areas": area_dicts(unit, criteria),
    }
    if leaves:
        data["leaves"] = [leaf_dict(r) for r in unit.leaves.values()]
    return data


def explain_document(explanation: Any) -> dict[str, Any]:
    """``cchc explain --format json``: the unit, then every node with its provenance."""
    unit, criteria = explanation.unit, explanation.criteria
    nodes = []
    for depth, node in criteria.walk() if criteria is not None else ():
        item: dict[str, Any] = {"code": node.code, "name": node.name, "depth": depth}
        if node.is_leaf:
            result = unit.leaves[node.code]
            own = result.own
            item |= {
                "kind": "leaf",
                "type": node.rule.type,
                "rule": explanation.describe(node),
                "max": _number(node.max),
                "points": _number(result.points),
                "input": input_json(result.input),
                "value": _number(result.value) if not result.na else None,
                "reference": _number(result.reference) if result.value is not None
                else None,
                "source": result.source,
                "file": result.file,
                "sheet": result.sheet,
                "cell": result.cell,
                "round": result.round,
                "appraiser": result.appraiser,
                "comment": result.comment or None,
                "na": result.na,
                "na_reason": result.na_reason,
                "na_cell": result.na_cell,
                "missing": result.missing,
                "self_input": None if own is None or own.na else input_json(
                    {i.key: i.value for i in own.inputs} if own.inputs is not None
                    else own.value),
                "self_na": bool(own and own.na),
                "method": node.method,
                "steps": explanation.story(node.code).to_dict(),
                "evidence": own.evidence if own is not None and own.evidence else None,
                "explanation": own.note if own is not None and own.note else None,
            }
        else:
            totals = unit.nodes.get(node.code)
            item |= {
                "kind": "area" if depth == 0 else "criterion",
                "max": _number(node.max),
                "points": _number(totals.points) if totals else None,
                "max_points": _number(totals.max_points) if totals else None,
                "index": _number(totals.index) if totals else None,
            }
        nodes.append(item)
    return {
        "year": explanation.year,
        "block": unit.block,
        "unit": unit_dict(unit, criteria, precision=explanation.precision),
        "nodes": nodes,
        "issues": [i.to_dict() for i in explanation.issues],
    }


def rank_unit_dict(entry: Any, criteria: CriteriaSet | None, *, precision: int
                   ) -> dict[str, Any]:
    unit = entry.unit
    base = unit_dict(unit, criteria, precision=precision)
    ordered: dict[str, Any] = {
        "code": base["code"],
        "name": base["name"],
        "status": base["status"],
        "rank": entry.rank,
    }
    for key in ("index", "index_published", "points", "max_points", "appraised_points",
                "survey_points", "bonus", "penalty"):
        ordered[key] = base[key]
    ordered |= {
        "band": entry.band,
        "leader_rating": entry.leader_rating,
        "previous_rank": entry.previous_rank,
        "previous_index": _number(entry.previous_index),
        "rank_change": entry.rank_change,
        "change_note": entry.change_note,
        "not_applicable": base["not_applicable"],
        "areas": base["areas"],
    }
    return ordered


def rank_document(ranking: Any, *, province: str, issues: list[Issue]) -> dict[str, Any]:
    """``cchc rank --format json`` (and ``report``), SPEC §10.1."""
    previous = ranking.previous
    return {
        "year": ranking.year,
        "province": province,
        "precision": ranking.precision,
        "ties": ranking.ties,
        "basis": ranking.basis,
        "previous": None if previous is None else {
            "year": previous.year, "source": previous.source, "file": previous.file},
        # SPEC §13.4: database, inputs or file (null without a last year).
        "previous_source": None if previous is None else previous.source,
        "blocks": [
            {
                "block": block.block,
                "name": block.name,
                "units": [rank_unit_dict(e, block.criteria, precision=ranking.precision)
                          for e in block.entries],
            }
            for block in ranking.blocks
        ],
        "issues": [i.to_dict() for i in issues],
    }


def score_document(scores: YearScores, *, province: str, issues: list[Issue]
                   ) -> dict[str, Any]:
    """``cchc score --format json``: per unit, totals and every leaf."""
    return {
        "year": scores.year,
        "province": province,
        "precision": scores.precision,
        "blocks": [
            {
                "block": block.block,
                "name": block.name,
                "units": [unit_dict(u, block.criteria, precision=scores.precision,
                                    leaves=True) for u in block.units],
            }
            for block in scores.blocks
        ],
        "issues": [i.to_dict() for i in issues],
    }
