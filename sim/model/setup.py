"""From a scenario, a calibration and uncertain draws to per-world arrays.

Everything the model reads is an array with a leading world axis: behaviour
parameters ``(worlds, 1)``, actor fields ``(worlds, actors)``, pair fields
``(worlds, actors, actors)``, lever and shock fields ``(worlds,)``. A value
that is not uncertain is the same in every world; an uncertain one differs.
This is what lets one world and 100,000 worlds run the same code.

Uncertain parameters are addressed by path:

- ``threat_speed`` (any calibration parameter);
- ``actors.RUS.growth``;
- ``pairs.CHN-RUS.institutions`` (symmetric) or ``pairs.CHN-RUS.dependence.RUS``
  (directed: Russia's dependence on China);
- ``levers.<name>.size``, ``levers.<name>.start``;
- ``shocks.<name>.capability``, ``shocks.<name>.year``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.scenario.calibration import PARAMETERS, Calibration, check_behaviour_overrides
from sim.scenario.errors import InputError
from sim.scenario.forms import FIELDS, effect_of, initial, mode_bounds
from sim.scenario.sampling import from_unit, sampling_problem, support
from sim.scenario.schema import (
    Distribution,
    Lever,
    Pair,
    Scenario,
    Shock,
    TimePath,
    metadata_bounds,
)

ACTOR_FIELDS = (
    "capability", "growth", "volatility", "offensive", "salience", "leader_hazard",
    "instability", "distress", "patronage",
)  # fmt: skip
SYMMETRIC_FIELDS = (
    "institutions", "ideology_distance", "doctrinal_rivalry", "proximity", "disputes",
)  # fmt: skip
DIRECTED_FIELDS = ("stance", "trust", "dependence", "reach", "fear", "sanctions")
DIRECTED_DEFAULTS = {"trust": 0.5, "dependence": 0.0, "reach": 0.0, "fear": 0.0, "sanctions": 0.0}
LEVER_FIELDS = ("size", "start", "duration", "credibility")
SHOCK_FIELDS = ("year", "probability", "leader_change", *FIELDS)


@dataclass
class Worlds:
    """Per-world inputs of one ensemble: situation, behaviour and the sampled table.

    Attributes
    ----------
    actors
        Actor identifiers in scenario order; index ``i`` in every array.
    behaviour
        Calibration parameter -> array ``(worlds, 1)``.
    actor
        Actor field -> array ``(worlds, actors)``.
    pair
        Pair field -> array ``(worlds, actors, actors)``; directed fields read
        ``[w, i, j]`` = i's value toward j, symmetric fields are symmetric.
    lever
        Lever name -> field -> array ``(worlds,)``.
    shock
        Shock name -> field -> array ``(worlds,)`` (``nan`` for an unset sanctions level).
    sampled
        Uncertain path -> sampled values ``(worlds,)``, in declaration order.
    """

    actors: list[str]
    worlds: int
    behaviour: dict[str, np.ndarray]
    actor: dict[str, np.ndarray]
    pair: dict[str, np.ndarray]
    lever: dict[str, dict[str, np.ndarray]]
    shock: dict[str, dict[str, np.ndarray]]
    sampled: dict[str, np.ndarray] = field(default_factory=dict)

    def index(self, actor: str) -> int:
        """Position of an actor in every array."""
        return self.actors.index(actor)


def is_behaviour(path: str) -> bool:
    """Whether an uncertain path names a behaviour parameter (drawn per behaviour set)."""
    return "." not in path


def stream_key(path: str) -> str:
    """The random-stream name of an uncertain parameter, independent of how a pair is written.

    ``pairs.RUS-CHN.x`` and ``pairs.CHN-RUS.x`` name the same value, so they
    share a stream: the pair's members are sorted.
    """
    parts = path.split(".")
    if parts[0] == "pairs" and len(parts) >= 3:
        parts[1] = "-".join(sorted(parts[1].split("-")))
    return "parameter:" + ".".join(parts)


def calibration_mode(scenario: Scenario, calibration: Calibration) -> str:
    """How behaviour uncertainty is sampled: ``posterior``, ``ranges`` or ``none``."""
    mode = scenario.calibration_uncertainty
    if mode == "auto":
        return "posterior" if calibration.posterior is not None else "ranges"
    return mode


def posterior_rows(
    scenario: Scenario, calibration: Calibration, u: np.ndarray
) -> dict[str, np.ndarray]:
    """Values of the posterior set each world draws (``u`` uniform, ``(worlds,)``).

    Sets are drawn in proportion to their importance weights when the fit
    gave any, else with equal chances. Parameters the scenario fixes in
    ``[behaviour]`` or lists in ``uncertain`` keep those instead.
    """
    table = calibration.posterior
    last = len(table) - 1  # type: ignore[arg-type]
    if calibration.posterior_weights is None:
        rows = np.minimum((u * len(table)).astype(int), last)  # type: ignore[arg-type]
    else:
        cdf = np.cumsum(calibration.posterior_weights)
        rows = np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), last)
    own = {d.parameter for d in scenario.uncertain} | set(scenario.behaviour)
    return {
        name: table[rows, k]  # type: ignore[index]
        for k, name in enumerate(calibration.posterior_names)
        if name not in own
    }


def uncertain_parameters(scenario: Scenario, calibration: Calibration) -> list[Distribution]:
    """Every uncertain parameter of a run, in a fixed order.

    Calibration ranges come first (uniform over the calibrated range, when
    ``calibration_uncertainty = "ranges"``, and for the parameters a posterior
    does not hold when it is ``"auto"`` and there is a posterior), in
    calibration order; the
    scenario's own ``uncertain`` entries then replace any of them and add the
    situation values they name.
    """
    own = {u.parameter: u for u in scenario.uncertain}
    out: list[Distribution] = []
    mode = calibration_mode(scenario, calibration)
    judged = mode == "posterior" and scenario.calibration_uncertainty == "auto"
    if mode == "ranges" or judged:
        # By default the posterior's sets give the fitted parameters and ranges the judged ones.
        drawn = set(calibration.posterior_names) if judged else set()
        for name, (lo, hi) in calibration.ranges().items():
            if name in scenario.behaviour or name in drawn:
                continue  # an explicit override fixes the value
            out.append(
                own.pop(name, None)
                or Distribution(
                    parameter=name, dist="uniform", low=lo, high=hi, source="calibration"
                )
            )
    out.extend(own.values())
    return out


Bounds = tuple[float, float, tuple[bool, bool]]


def _bounds_of(scenario: Scenario, path: str) -> Bounds:
    """Admissible bounds of the value a path names; raises ``KeyError`` with a reason."""
    parts = path.split(".")
    if len(parts) == 1:
        spec = PARAMETERS.get(path)
        if spec is None:
            raise KeyError("unknown behaviour parameter; see docs/ODD.md")
        return spec.lower, spec.upper, (False, False)
    head, rest = parts[0], parts[1:]
    if head == "actors" and len(rest) == 2 and rest[0] in scenario.actors:
        if rest[1] not in ACTOR_FIELDS:
            raise KeyError(
                f"field {rest[1]!r} cannot be uncertain; allowed: {', '.join(ACTOR_FIELDS)}"
            )
        if isinstance(getattr(scenario.actors[rest[0]], rest[1]), TimePath):
            raise KeyError("this value follows a path in the scenario, so it cannot be uncertain")
        return _spec_bounds(rest[1])
    if head == "pairs" and len(rest) in (2, 3):
        members = rest[0].split("-")
        if len(members) != 2 or any(m not in scenario.actors for m in members):
            raise KeyError(f"pair {rest[0]!r} must be two actors 'A-B'")
        if len(rest) == 3 and rest[2] not in members:
            raise KeyError(f"{rest[2]!r} is not in pair {rest[0]}")
        allowed = SYMMETRIC_FIELDS if len(rest) == 2 else DIRECTED_FIELDS
        if rest[1] not in allowed and len(rest) == 2:
            raise KeyError(f"field {rest[1]!r} cannot be uncertain; allowed: {', '.join(allowed)}")
        if rest[1] not in allowed:
            raise KeyError(f"directed pair fields are {', '.join(allowed)}")
        who = rest[2] if len(rest) == 3 else members[0]
        other = members[1] if who == members[0] else members[0]
        field = "relation" if rest[1] == "stance" else rest[1]
        if any((f, who, other) in scenario.path_fields() for f in (rest[1], field)):
            raise KeyError("this value follows a path in the scenario, so it cannot be uncertain")
        return _spec_bounds(rest[1])
    if head == "levers" and len(rest) == 2:
        if rest[0] not in {lv.name for lv in scenario.levers}:
            known = ", ".join(lv.name for lv in scenario.levers) or "none"
            raise KeyError(f"no lever named {rest[0]!r}; levers: {known}")
        return _field_bounds(Lever, rest[1], LEVER_FIELDS)
    if head == "shocks" and len(rest) == 2:
        shock = next((s for s in scenario.shocks if s.name == rest[0]), None)
        if shock is None:
            known = ", ".join(s.name for s in scenario.shocks) or "none"
            raise KeyError(f"no shock named {rest[0]!r}; shocks: {known}")
        if rest[1] not in SHOCK_FIELDS:
            raise KeyError(
                f"field {rest[1]!r} cannot be uncertain; allowed: {', '.join(SHOCK_FIELDS)}"
            )
        if rest[1] in FIELDS:
            if getattr(shock, rest[1]) is None:
                raise KeyError(
                    f"the shock does not change {rest[1]}: give it a value in the shock first"
                )
            lo, hi = mode_bounds(rest[1], shock.mode(rest[1]))  # type: ignore[arg-type]
            return lo, hi, (False, False)
        if rest[1] == "year" and shock.successor is not None:
            raise KeyError("a succession happens at one date in every world, so its year is fixed")
        return _field_bounds(Shock, rest[1], SHOCK_FIELDS)
    raise KeyError(
        "expected a calibration parameter, actors.<ID>.<field>, pairs.<A-B>.<field>[.<ID>], "
        "levers.<name>.<field> or shocks.<name>.<field>"
    )


def _spec_bounds(name: str) -> Bounds:
    """Bounds of a situational field (:data:`~sim.scenario.forms.FIELDS`)."""
    spec = FIELDS[name]
    return spec.low, spec.high, (spec.low_open, False)


def _field_bounds(model: type, name: str, allowed: tuple[str, ...]) -> Bounds:
    """Bounds of a schema field and whether each is strict (``gt``/``lt``)."""
    if name not in allowed:
        raise KeyError(f"field {name!r} cannot be uncertain; allowed: {', '.join(allowed)}")
    lo, hi, strict_lo, strict_hi = metadata_bounds(model.model_fields[name].metadata)
    lo = -np.inf if lo is None else lo
    hi = np.inf if hi is None else hi
    return float(lo), float(hi), (strict_lo, strict_hi)


def check_uncertain(scenario: Scenario, calibration: Calibration, source: Path | str) -> None:
    """Check every uncertain path, that its distribution stays in bounds and can be sampled.

    Also that ``calibration_uncertainty = "posterior"`` has a posterior sample to draw from.
    """
    check_behaviour_overrides(scenario.behaviour, source)
    if scenario.calibration_uncertainty == "posterior" and calibration.posterior is None:
        raise InputError(
            source,
            "calibration_uncertainty",
            f"'posterior' needs a calibration file that names a posterior sample, and "
            f"{calibration.path} names none; use 'auto', 'ranges' or 'none'",
        )
    for i, dist in enumerate(scenario.uncertain):
        where = f"uncertain[{i}].parameter"
        if dist.parameter in scenario.behaviour:
            raise InputError(
                source,
                where,
                f"{dist.parameter!r} is also fixed in [behaviour]; keep one of the two",
            )
        try:
            lo, hi, strict = _bounds_of(scenario, dist.parameter)
        except KeyError as exc:
            raise InputError(source, where, f"{dist.parameter!r}: {exc.args[0]}") from None
        s_lo, s_hi = support(dist)
        if s_lo < lo or s_hi > hi or (strict[0] and s_lo <= lo) or (strict[1] and s_hi >= hi):
            raise InputError(
                source,
                f"uncertain[{i}]",
                f"{dist.parameter} may take values in [{s_lo:g}, {s_hi:g}] but must stay in "
                f"[{lo:g}, {hi:g}]; bound the distribution with low and high",
            )
        problem = sampling_problem(dist)
        if problem is not None:
            raise InputError(source, f"uncertain[{i}]", f"{dist.parameter}: {problem}")


def build_worlds(
    scenario: Scenario,
    calibration: Calibration,
    worlds: int,
    unit_draws: np.ndarray | None = None,
    fixed: dict[str, np.ndarray] | None = None,
) -> Worlds:
    """Per-world arrays for ``worlds`` worlds.

    Parameters
    ----------
    scenario, calibration
        The validated inputs.
    worlds
        Number of worlds.
    unit_draws
        ``(worlds, n_uncertain)`` points of the unit cube, one column per entry
        of :func:`uncertain_parameters`; ``None`` uses point values everywhere.
    fixed
        Path -> ``(worlds,)`` values imposed after sampling (a sweep's design),
        replacing any sampled value of the same path.
    """
    actors = list(scenario.actors)
    n = len(actors)
    idx = {a: i for i, a in enumerate(actors)}
    point = calibration.values() | scenario.behaviour
    behaviour = {k: np.full((worlds, 1), float(v)) for k, v in point.items()}
    t0 = scenario.time.start
    actor = {
        f: np.tile(
            np.array([initial(getattr(scenario.actors[a], f), t0) for a in actors]), (worlds, 1)
        )
        for f in ACTOR_FIELDS
    }
    pair: dict[str, np.ndarray] = {}
    for f in SYMMETRIC_FIELDS:
        base = np.full((n, n), float(Pair.model_fields[f].default))
        np.fill_diagonal(base, 0.0)
        pair[f] = base
    for f, default in DIRECTED_DEFAULTS.items():
        base = np.full((n, n), default)
        np.fill_diagonal(base, 0.0)
        pair[f] = base
    stance = np.zeros((n, n))
    for key, p in scenario.pairs.items():
        a, b = (idx[m] for m in key.split("-"))
        for f in SYMMETRIC_FIELDS:
            pair[f][a, b] = pair[f][b, a] = initial(getattr(p, f), t0)
        stance[a, b] = stance[b, a] = initial(p.relation, t0)
        for f in DIRECTED_FIELDS:
            for who, v in getattr(p, f).items():
                i = idx[who]
                j = b if i == a else a
                (stance if f == "stance" else pair[f])[i, j] = initial(v, t0)
    pair["stance"] = stance
    pair = {k: np.tile(v, (worlds, 1, 1)) for k, v in pair.items()}
    lever = {
        lv.name: {f: np.full(worlds, float(getattr(lv, f))) for f in LEVER_FIELDS}
        for lv in scenario.levers
    }
    shock = {
        s.name: {f: np.full(worlds, _shock_number(s, f)) for f in SHOCK_FIELDS}
        for s in scenario.shocks
    }
    out = Worlds(actors, worlds, behaviour, actor, pair, lever, shock)
    dists = uncertain_parameters(scenario, calibration)
    if unit_draws is not None and dists:
        if unit_draws.shape != (worlds, len(dists)):
            raise ValueError(f"unit_draws must be ({worlds}, {len(dists)}), got {unit_draws.shape}")
        for col, dist in enumerate(dists):
            values = from_unit(dist, unit_draws[:, col])
            out.sampled[dist.parameter] = values
            _assign(out, dist.parameter, values, idx)
    for path, values in (fixed or {}).items():
        values = np.broadcast_to(np.asarray(values, dtype=float), (worlds,)).copy()
        out.sampled[path] = values
        _assign(out, path, values, idx)
    return out


def _shock_number(shock: Shock, field: str) -> float:
    """A shock's number for ``field``: the level, amount or factor of its mode; ``nan`` if unset."""
    value = getattr(shock, field)
    if value is None:
        return np.nan
    return effect_of(field, value)[1] if field in FIELDS else float(value)


def _assign(out: Worlds, path: str, values: np.ndarray, idx: dict[str, int]) -> None:
    parts = path.split(".")
    if len(parts) == 1:
        out.behaviour[path] = values[:, None].copy()
    elif parts[0] == "actors":
        out.actor[parts[2]][:, idx[parts[1]]] = values
    elif parts[0] == "pairs":
        a, b = (idx[m] for m in parts[1].split("-"))
        if len(parts) == 3:
            out.pair[parts[2]][:, a, b] = values
            out.pair[parts[2]][:, b, a] = values
        else:
            i = idx[parts[3]]
            j = b if i == a else a
            out.pair[parts[2]][:, i, j] = values
    elif parts[0] == "levers":
        out.lever[parts[1]][parts[2]] = values.copy()
    else:
        out.shock[parts[1]][parts[2]] = values.copy()


def actors_token(n: int) -> tuple[int, ...]:
    """``n`` zeros: the compiled step reads the number of actors from this argument's type."""
    return (0,) * n


def behaviour_record(behaviour: dict[str, np.ndarray]) -> np.ndarray:
    """Behaviour parameters as one record per world, shape ``(worlds,)``.

    ``behaviour`` maps a parameter to its ``(worlds, 1)`` column; a record keeps
    one world's parameters side by side in memory, read by name in the kernel.
    """
    names = sorted(behaviour)
    worlds = len(next(iter(behaviour.values())))
    record = np.empty(worlds, dtype=np.dtype([(name, "f8") for name in names], align=True))
    for name in names:
        record[name] = behaviour[name][:, 0]
    return record
