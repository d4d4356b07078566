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

from sim.formats import format_share, format_year

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
    """A share of runs as a percentage, one decimal (``"23.1%"``), two digits below 1%.

    The project's format (:func:`sim.views.words.format_share`), except that a share
    below 1% keeps two significant digits (``"0.13%"``, ``"0.0083%"``) so that a
    rare event does not read as "0.0%" and its interval reads at the same precision.
    """
    if p is not None and 0 < p < 0.01:
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


MAX_LISTED = 6
"""Swept parameters named at most in a sentence on structure; the rest are counted."""


def varying_parameters(test: Mapping[str, Any]) -> list[tuple[str, float]]:
    """``(path, Bonferroni-adjusted p)`` of the parameters along which an outcome varies.

    Those whose test, adjusted for all of the outcome's tests, is below 0.05,
    most significant first (:func:`sim.experiments.sweep_findings.event_structure`).
    """
    tests = int(test.get("tests", 1))
    found = [
        (path, min(1.0, t["p_value"] * tests))
        for path, t in (test.get("by_parameter") or {}).items()
    ]
    return sorted(((p, a) for p, a in found if a < 0.05), key=lambda pa: pa[1])


def structure_sentence(
    test: Mapping[str, Any], outcome: str, labels: Mapping[str, str] | None = None
) -> str:
    """Whether an event's share varies across the design, with the tests and their p-values.

    Across the design points, and along each swept parameter with its points
    pooled (:func:`sim.experiments.sweep_findings.event_structure`); p-values
    are Bonferroni-adjusted over all of the outcome's tests.
    """
    name = OUTCOME_LABELS[outcome]
    event = OUTCOME_EVENTS[outcome]
    if test["events"] in (0, test["runs"]):
        which = "every" if test["events"] else "no"
        return f"{name} is the same at every design point: {which} run had a {event}."
    tests = int(test.get("tests", 1))
    adjusted = min(1.0, test["p_value"] * tests)
    across = (
        f"exact conditional test of homogeneity across the {test['points']:,} design points: "
        f"Pearson's X² = {test['statistic']:.1f} on {test['df']:,} degrees of freedom, "
        f"{p_value(test['p_value'])} from {test['permutations']:,} random allocations of the "
        f"{test['events']:,} {event}s to the {test['runs']:,} runs"
    )
    along = varying_parameters(test)
    others = [p for p in (test.get("by_parameter") or {}) if p not in dict(along)]
    correction = (
        f" (p-values Bonferroni-adjusted over the {tests} tests, the design points and each "
        f"swept parameter)"
        if tests > 1
        else ""
    )
    if not test["structure"]:
        smallest = min(
            (t["p_value"] for t in (test.get("by_parameter") or {}).values()), default=None
        )
        along_words = (
            f" nor pooled along any swept parameter (smallest unadjusted {p_value(smallest)})"
            if smallest is not None
            else ""
        )
        return (
            f"{name} shows no detectable structure: its shares differ no more than sampling "
            f"noise makes {test['events']:,} {event}s in {test['runs']:,} runs differ, neither "
            f"between design points ({across}){along_words}. So no heat map of it is drawn and "
            f"no box where it concentrates is sought: their colours and limits would outline "
            f"noise."
        )
    named = [f"{label_of(p, labels)} ({p_value(a)})" for p, a in along[:MAX_LISTED]]
    if len(along) > MAX_LISTED:
        named.append(f"{len(along) - MAX_LISTED} more")
    if adjusted < 0.05:
        text = f"{name} differs between design points beyond sampling noise ({across})"
        if named:
            text += f", and pooled along the swept parameters it varies with {listing(named)}"
    else:
        sparse = (
            f"; with {test['events']:,} {event}s over {test['points']:,} points, most points "
            f"hold none"
            if test["events"] < test["points"]
            else ""
        )
        text = (
            f"{name} does not differ detectably between single design points ({across}"
            f"{sparse}), but pooled along the swept parameters it varies with {listing(named)}"
        )
    if others and named:
        rest = (
            listing([label_of(p, labels) for p in others], "or")
            if len(others) <= MAX_LISTED
            else f"the other {len(others)} parameters"
        )
        text += f", not detectably with {rest}"
    return text + f"{correction}."


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
    threshold = threshold_words(answer["threshold"])
    rows = answer["by_given"]
    reached = [r for r in rows if r["lever"] is not None]
    if not reached:
        best = answer["highest"]
        est = best["estimate"]
        at = f"{lever} {_cell(best['lever'])}"
        if given:
            at += f" and {given} {_cell(best['given'])}"
        binned = answer.get("lever_binned") or answer.get("given_binned")
        where = "cell" if binned else ("combination" if given else "value")
        whatever = f", whatever the {given}" if given else ""
        return (
            f"No {lever} tried raises {name} above {threshold}{whatever}: the likeliest "
            f"{where}, with {at}, has {name} {share(est['p'])} (95% interval "
            f"{interval(est['low'], est['high'])}, {est['runs']:,} runs)."
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
        f" At that {'combination' if given else 'value'}, {name} is {share(est['p'])} of "
        f"{est['runs']:,} runs (95% interval {interval(est['low'], est['high'])})"
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
    """The answer to a ``drivers`` question: the parameters that clear the noise floor.

    E.g. "The mean China–Russia relation at 2040 depends detectably on 4 of the
    71 parameters, whose total Sobol index ST lies above the noise floor with its
    whole 95% interval: Russia's extra fear of China (0-1), ST 0.954 ± 0.353; ...
    and 1 more."
    """
    index = "total Sobol index ST" if answer["method"] == "sobol" else "Morris μ*"
    floor = answer.get("floor")
    reference = (
        f"the noise floor ({answer['index']} {floor:.3f}, the index of a dummy parameter "
        f"that changes nothing)"
        if floor is not None
        else "zero"
    )
    short_index = answer["index"].replace("mu_star", "μ*")

    def item(entry: Mapping[str, Any]) -> str:
        return (
            f"{label_of(entry['parameter'], labels)}, {short_index} "
            f"{entry['index']:.3f} ± {entry['conf']:.3f}"
        )

    cleared = answer.get("cleared") or []
    if not cleared:
        first = (answer.get("top") or [None])[0]
        largest = f" The largest is that of {item(first)}." if first else ""
        return (
            f"No parameter's influence on {outcome_name} can be told from sampling noise: "
            f"none of the {answer['parameters']} parameters has a {index} whose 95% interval "
            f"lies wholly above {reference}.{largest}"
        )
    items = [item(e) for e in cleared]
    more = answer["clear"] - len(cleared)
    if more:
        items.append(f"{more} more (see the sensitivity section)")
    count = answer["clear"]
    return (
        f"{capital(outcome_name)} depends detectably on {count} of the "
        f"{answer['parameters']} parameters, whose {index} lies above {reference} with its "
        f"whole 95% interval: {'; '.join(items[:-1]) + '; and ' if len(items) > 1 else ''}"
        f"{items[-1]}."
    )


def question_sentence(
    question: Mapping[str, Any], labels: Mapping[str, str], outcome_name: str
) -> str:
    """The sweep's question in words, as its file states it (``[analysis.question]``)."""
    if question["ask"] == "drivers":
        return f"which of the swept parameters move {outcome_name} most?"
    lever = short(label_of(question["lever"], labels))
    text = (
        f"what is the smallest {lever} at which {outcome_name} exceeds "
        f"{threshold_words(question['threshold'])}"
    )
    if question.get("given"):
        text += f", and how does it depend on {short(label_of(question['given'], labels))}"
    return text + "?"


def threshold_words(threshold: float) -> str:
    """A threshold share as the file states it: ``0.1 -> "10%"``, ``0.025 -> "2.5%"``."""
    return f"{100 * threshold:g}%"
