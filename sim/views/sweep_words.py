"""The words of a sweep's report: outcome names, number formats, and what the sweep found.

Sentences here are built from the summary alone (``summary.json``): the
answer to the sweep's question (:func:`answer_sentences`), whether an outcome
varies across the design beyond sampling noise (:func:`structure_sentence`)
and which outcomes coincide (:func:`coincidence_sentence`). Imports nothing
heavier than the standard library, so the terminal summary does not load
matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.views.words import format_share, format_year

OUTCOME_LABELS: dict[str, str] = {
    "p_split": "P(split)",
    "p_rupture": "P(rupture)",
    "r_partnership": "the partnership's mean relation at the horizon",
}
"""Short name of each outcome in titles, colour bars and axis labels."""

OUTCOME_EVENTS: dict[str, str] = {"p_split": "split", "p_rupture": "rupture"}
"""The event each outcome counts, in words."""


# ------------------------------------------------------------------ numbers


def percent(p: float) -> str:
    """A probability as a percentage with as many decimals as small values need.

    ``0 -> "0%"``, ``0.0004 -> "0.04%"``, ``0.035 -> "3.5%"``, ``0.58 -> "58%"``: a
    probability below 1% keeps two decimals so that it does not read as zero.
    """
    if p == 0:
        return "0%"
    if p < 0.01:
        return f"{100 * p:.2f}%"
    if p < 0.1:
        return f"{100 * p:.1f}%"
    return f"{100 * p:.0f}%"


def share(p: float | None) -> str:
    """A share of runs as a percentage, one decimal (``"23.1%"``), two digits below 0.1%.

    The project's format (:func:`sim.views.words.format_share`), except that a share
    below 0.1% keeps two significant digits (``"0.0083%"``) so that a rare event
    does not read as "0.0%".
    """
    if p is not None and 0 < p < 0.001:
        return f"{100 * p:.2g}%"
    return format_share(p)


def interval(low: float, high: float) -> str:
    """A 95% interval of shares, ``"5.2%–6.2%"``."""
    return f"{share(low)}–{share(high)}"


def value(v: float) -> str:
    """A parameter value with three significant digits, ``-0.546``, ``1``."""
    return f"{v:.3g}"


def p_value(p: float) -> str:
    """``"p < 0.001"``, ``"p = 0.004"``, ``"p = 0.29"``."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def listing(items: Sequence[str], last: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def label_of(path: str, labels: Mapping[str, str] | None) -> str:
    """Readable label of a parameter path, the path itself when none is given."""
    return (labels or {}).get(path) or path


def short(label: str) -> str:
    """A label without its trailing parenthesised units: ``"US offer to Moscow"``."""
    head = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    return head or label


def outcome_scale_label(outcome: str, horizon: float | None) -> str:
    """``"P(split) by 2035 (share of runs)"``, or ``"... by the horizon"`` without a year."""
    by = format_year(horizon) if horizon is not None else "the horizon"
    return f"{OUTCOME_LABELS[outcome]} by {by} (share of runs)"


def capital(text: str) -> str:
    """The text with its first letter in capitals."""
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ findings


def same_as(summary: Mapping[str, Any], outcome: str) -> list[str]:
    """The outcomes that coincide with ``outcome`` at every design point, after it."""
    for group in summary.get("coincident") or []:
        if group and group[0] == outcome:
            return list(group[1:])
    return []


def shown_for(summary: Mapping[str, Any], outcome: str) -> str:
    """The outcome that stands for ``outcome`` when they coincide (itself otherwise)."""
    for group in summary.get("coincident") or []:
        if outcome in group:
            return str(group[0])
    return outcome


def has_structure(summary: Mapping[str, Any], outcome: str, scenario: str) -> bool:
    """Whether an event outcome differs between design points beyond noise (True untested)."""
    test = ((summary.get("homogeneity") or {}).get(outcome) or {}).get(scenario)
    return True if test is None else bool(test["structure"])


def coincidence_sentence(summary: Mapping[str, Any]) -> str:
    """Which outcomes are equal at every design point, and what that means ("" when none)."""
    texts = []
    for group in summary.get("coincident") or []:
        names = [OUTCOME_LABELS.get(o, o) for o in group]
        if set(group) == {"p_split", "p_rupture"}:
            why = (
                "every run whose partnership ruptured went on to split (a split is a "
                "rupture after which the third power gains a side)"
            )
        else:
            why = "the two count the same runs"
        texts.append(
            f"{listing(names)} coincide at every design point: {why}. They are drawn and "
            f"described once, as {names[0]}."
        )
    return " ".join(texts)


def structure_sentence(test: Mapping[str, Any], outcome: str) -> str:
    """Whether an event's share differs between design points, with the test and its p-value."""
    name = OUTCOME_LABELS[outcome]
    event = OUTCOME_EVENTS[outcome]
    stats = (
        f"exact conditional test of homogeneity across the {test['points']:,} design points: "
        f"Pearson's X² = {test['statistic']:.1f} on {test['df']:,} degrees of freedom, "
        f"{p_value(test['p_value'])} from {test['permutations']:,} random allocations of the "
        f"{test['events']:,} {event}s to the {test['runs']:,} runs"
    )
    if test["events"] in (0, test["runs"]):
        which = "every" if test["events"] else "no"
        return f"{name} is the same at every design point: {which} run had a {event}."
    if test["structure"]:
        return f"{name} differs between design points beyond sampling noise ({stats})."
    return (
        f"{name} shows no detectable structure: its shares at the design points differ no "
        f"more than sampling noise makes {test['events']:,} {event}s in {test['runs']:,} runs "
        f"differ ({stats}). So no heat map of it is drawn and no box where it concentrates "
        f"is sought: their colours and limits would outline noise."
    )


# ------------------------------------------------------------------ the answer


def _cell(cell: Mapping[str, float]) -> str:
    """A value of a heat-map axis, or its bin: ``"0.6"``, ``"between 0.5 and 0.625"``."""
    if "value" in cell:
        return value(cell["value"])
    return f"between {value(cell['low'])} and {value(cell['high'])}"


def _is(cell: Mapping[str, float]) -> str:
    """``"is 0.6"`` or ``"is between 0.5 and 0.625"``."""
    return f"is {_cell(cell)}"


def smallest_lever_sentence(answer: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The answer to a ``smallest_lever`` question, first sentence first.

    E.g. "The smallest US offer to Moscow that raises P(split) above 10% is 0.6,
    when Russia's extra fear of China is 0.75 or 0.9; below that no US offer to
    Moscow tried does." Then the estimate at that cell with its 95% interval, and
    a warning when the interval still reaches below the threshold.
    """
    lever = short(label_of(answer["lever"], labels))
    given = short(label_of(answer["given"], labels)) if answer.get("given") else None
    name = OUTCOME_LABELS[answer["outcome"]]
    threshold = percent(answer["threshold"])
    rows = answer["by_given"]
    reached = [r for r in rows if r["lever"] is not None]
    where = "combination of the two" if given else "value"
    if not reached:
        best = answer["highest"]
        est = best["estimate"]
        at = f"{lever} {_cell(best['lever'])}"
        if given:
            at += f" and {given} {_cell(best['given'])}"
        return (
            f"No {lever} tried raises {name} above {threshold}: at no {where} tried does the "
            f"share of runs exceed it. The highest {name} seen is {share(est['p'])} (95% "
            f"interval {interval(est['low'], est['high'])}, {est['runs']:,} runs), at {at}."
        )

    smallest = min(reached, key=lambda r: _order(r["lever"]))
    first = sorted(
        (r for r in reached if _order(r["lever"]) == _order(smallest["lever"])),
        key=lambda r: _order(r["given"]) if r["given"] else 0.0,
    )
    text = f"The smallest {lever} that raises {name} above {threshold} {_is(smallest['lever'])}"
    if given is None:
        text += "."
    else:
        rows = sorted(rows, key=lambda r: _order(r["given"]))
        lowest = min(_order(r["given"]) for r in first)
        top = [r for r in rows if _order(r["given"]) >= lowest]
        if len(first) >= 3 and len(top) == len(first):
            text += f", when {given} is at least {_bound(first[0]['given'])}"
        else:
            text += f", when {given} is {listing([_cell(r['given']) for r in first], 'or')}"
        clauses = [
            f"when it is {_cell(r['given'])}, it takes {_cell(r['lever'])}"
            for r in reached
            if r not in first
        ]
        missing = [r for r in rows if r["lever"] is None]
        start = min(_order(r["given"]) for r in reached)
        below = [r for r in rows if _order(r["given"]) < start]
        if missing and below == missing:
            bound = _bound(min(reached, key=lambda r: _order(r["given"]))["given"])
            clauses.append(f"below {bound}, no {lever} tried does")
        elif missing:
            levels = listing([_cell(r["given"]) for r in missing], "or")
            clauses.append(f"when it is {levels}, no {lever} tried does")
        text += ("; " + "; ".join(clauses) if clauses else "") + "."
    est = smallest["estimate"]
    text += (
        f" There {name} is {share(est['p'])} of {est['runs']:,} runs (95% interval "
        f"{interval(est['low'], est['high'])})"
    )
    if est["low"] <= answer["threshold"]:
        text += f", an interval that still reaches below {threshold}: more runs would tell"
    return text + "."


def _order(cell: Mapping[str, float]) -> float:
    """Where a value or bin lies on its axis, for sorting."""
    return cell.get("value", cell.get("low", 0.0))


def _bound(cell: Mapping[str, float]) -> str:
    """The lower end of a value or bin of ``given``, as a bound ("at least 0.45")."""
    return value(_order(cell))


def drivers_sentence(
    answer: Mapping[str, Any], labels: Mapping[str, str], outcome_name: str
) -> str:
    """The answer to a ``drivers`` question: the most influential parameters and the noise floor."""
    index = "total Sobol index ST" if answer["method"] == "sobol" else "Morris μ*"
    top = answer["top"]
    floor = answer.get("floor")
    reference = (
        f"the noise floor ({answer['index']} {floor:.3f}, the index of a dummy parameter that "
        f"changes nothing)"
        if floor is not None
        else "zero"
    )
    clear = [t for t in top if t["clears"]]
    if not clear:
        first = top[0] if top else None
        largest = (
            f" The largest is {label_of(first['parameter'], labels)} "
            f"({first['index']:.3f} ± {first['conf']:.3f})."
            if first
            else ""
        )
        return (
            f"No parameter's influence on {outcome_name} can be told from sampling noise: "
            f"none of the {answer['parameters']} parameters has a {index} whose 95% interval "
            f"lies above {reference}.{largest}"
        )
    named = [
        f"{label_of(t['parameter'], labels)} ({index if k == 0 else answer['index']} "
        f"{t['index']:.3f} ± {t['conf']:.3f})"
        for k, t in enumerate(clear)
    ]
    head = f"{capital(outcome_name)} depends most on {named[0]}"
    if len(named) > 1:
        head += f", then on {listing(named[1:])}"
    return (
        f"{head}. {answer['clear']} of the {answer['parameters']} parameters have a 95% "
        f"interval wholly above {reference}."
    )


def question_sentence(
    question: Mapping[str, Any], labels: Mapping[str, str], outcome_name: str
) -> str:
    """The sweep's question in words, as its file states it."""
    if question["ask"] == "drivers":
        return f"Which of the swept parameters move {outcome_name} most?"
    lever = label_of(question["lever"], labels)
    text = (
        f"What is the smallest {lever} at which {outcome_name} exceeds "
        f"{percent(question['threshold'])}"
    )
    if question.get("given"):
        text += f", for each value of {label_of(question['given'], labels)}"
    return text + "?"
