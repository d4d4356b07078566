"""Behaviour parameters: what each one means (here) and its value (the calibration file).

The model's behaviour (how fast threat perceptions move, how much a reward
weighs against a partner's aid, how likely a crisis is at a given hostility)
is the same in every scenario: 1949 and 2024 differ in situation, not in how
states behave. This module is the single list of those parameters, with the
admissible bounds, unit and meaning of each; ``scenarios/calibration.toml``
holds their values, the range over which each is uncertain, and where the
value comes from. ``docs/ODD.md`` renders both as its parameter table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.scenario.errors import InputError
from sim.scenario.loader import read_toml, validation_error


@dataclass(frozen=True)
class Spec:
    """Meaning of one behaviour parameter.

    ``lower`` and ``upper`` are the admissible bounds (a value outside them
    makes no sense for the mechanism), not the calibrated range.
    """

    group: str
    unit: str
    lower: float
    upper: float
    meaning: str


def _s(group: str, unit: str, lower: float, upper: float, meaning: str) -> Spec:
    return Spec(group, unit, lower, upper, meaning)


INF = math.inf

PARAMETERS: dict[str, Spec] = {
    # --- threat perception (Walt 1987) -------------------------------------------------
    "threat_speed": _s("threat", "1/year", 0, 20, "Rate at which perceived threat moves toward its Walt target."),
    "threat_weight_proximity": _s("threat", "weight", 0, 1, "Weight of geographic proximity in j's capacity to threaten i."),
    "threat_weight_reach": _s("threat", "weight", 0, 1, "Weight of j's power-projection reach toward i."),
    "threat_weight_offensive": _s("threat", "weight", 0, 1, "Weight of j's offensive capability."),
    "baseline_suspicion": _s("threat", "share", 0, 1, "Intent attributed to a state that shows no hostility (anarchy's residual fear)."),
    "ideology_intent": _s("threat", "share per unit friction", 0, 2, "How much ideological friction reads as hostile intent."),
    # --- stance choice ------------------------------------------------------------------
    "stance_gain": _s("stance", "per unit motive", 0, 5, "Decisiveness: desired stance = tanh(gain * sum of motives); low values keep stances off the extremes."),
    "stance_speed": _s("stance", "1/year", 0, 20, "Rate at which a stance moves toward the desired stance with no institutions."),
    "inertia": _s("stance", "per unit of institutions", 0, 50, "Slowing of stance change by shared institutions: rate / (1 + inertia * I)."),
    "stance_noise": _s("stance", "1/sqrt(year)", 0, 1, "Standard deviation of idiosyncratic stance moves (diplomatic incidents, domestic politics)."),
    "w_threat": _s("stance", "per unit threat", 0, 10, "Weight of the perceived threat from j against a good stance toward j."),
    "w_balance": _s("stance", "per unit threat x relation", 0, 10, "Balancing: weight of j as a counterweight to those who threaten i (1 unless j is aligned with them, down to -1 for a full ally)."),
    "w_common_enemy": _s("stance", "per unit hostility x relation", 0, 10, "Common enemy: the same counterweight reading toward states i is hostile to, by hostility, not fear (Heider 1946; Maoz et al. 2007)."),
    "w_pivot": _s("stance", "per unit relation", 0, 10, "Pivot: pull toward j by how far i stands closer to a third state than j does, to be on better terms with each of two states than they are with each other (Dittmer 1981)."),
    "w_rival_bid": _s("stance", "per unit threat x stance", 0, 10, "Rival's bid: courting a non-partner that leans toward the states one fears more than toward oneself, to keep them apart (Moscow after Kissinger's 1971 visit to Beijing)."),
    "w_dependence_gain": _s("stance", "per unit dependence x trust", 0, 10, "Value of a trusted partner one depends on."),
    "w_dependence_risk": _s("stance", "per unit dependence x threat", 0, 10, "Vulnerability of depending on a feared partner."),
    "w_sanctions": _s("stance", "per unit sanctions", 0, 10, "Resentment of j's sanctions on i."),
    "w_ideology": _s("stance", "per unit ideological affinity", 0, 10, "Weight of ideological affinity (or friction) in the stance."),
    "w_trust": _s("stance", "per unit (2 trust - 1)", 0, 10, "Weight of leaders' personal trust."),
    "w_institutions": _s("stance", "per unit institutions", 0, 10, "Cost of breaking shared institutions, as a pull toward cooperation."),
    "w_reciprocity": _s("stance", "per unit of j's stance", 0, 1, "Partial reciprocity: response to j's stance toward i (< 1, Goldstein and Freeman 1990)."),
    "w_disputes": _s("stance", "per unit disputes", 0, 10, "Weight of open disputes (territory, Taiwan, Ukraine)."),
    "w_support": _s("stance", "per unit support received", 0, 10, "Pull toward a partner that helps in distress (gratitude and need)."),
    "w_deescalation": _s("stance", "per unit crisis memory x threat", 0, 10, "Pull back from a state one has just clashed with, in proportion to fearing it: fear of war after a clash (Kosygin-Zhou, 1969)."),
    "security_priority": _s("stance", "share", 0, 1, "How far a grave threat from a third state makes disputes and ideology recede toward the states that could stand against it (not its allies; 1: fully set aside at threat 1)."),
    "sanction_hostility": _s("stance", "stance units", 0.05, 1, "Hostility at which a state's sanctions bite fully; they fade as its stance warms above minus this."),
    "w_abandonment": _s("stance", "per unit abandonment", 0, 10, "Resentment of a partner that courts one's own threat (Snyder 1984)."),
    "w_counterbid": _s("stance", "per unit abandonment x leverage x patronage", 0, 10, "Counter-bid of a stronger partner that fears losing its partner to a rival."),
    "w_entrapment": _s("stance", "per unit entrapment", 0, 10, "Distance taken from a partner whose crises could drag one in (Snyder 1984)."),
    "w_reward": _s("levers", "per unit effective offer", 0, 10, "Pull of a wedge reward toward the state that offers it."),
    "driver_commitment": _s("levers", "stance motive per unit size", 0, 10, "Motive the driver puts behind its own lever: warmth toward the target of a reward, coldness under coercion."),
    "w_condition": _s("levers", "per unit effective offer", 0, 10, "Push away from the partner when a reward is conditional on distance."),
    "w_coercion": _s("levers", "per unit effective pressure", 0, 10, "Cost that coercion puts on association with the partner."),
    "sanction_relief": _s("levers", "share", 0, 1, "Share of the driver's sanctions lifted per unit of a reward's size."),
    # --- trust --------------------------------------------------------------------------
    "trust_build": _s("trust", "1/year", 0, 10, "Growth of leaders' trust from cooperation (summits) per unit of positive relation."),
    "trust_erosion": _s("trust", "1/year", 0, 10, "Loss of trust per unit of hostile relation."),
    "betrayal": _s("trust", "1/year", 0, 20, "Loss of trust per unit of abandonment (partner courting one's threat)."),
    "trust_fade": _s("trust", "1/year", 0, 2, "Drift of leaders' trust back toward neutral as memories fade."),
    "humiliation": _s("trust", "1/year", 0, 20, "Loss of trust of a dependent junior partner in a doctrinal rival."),
    "trust_reset": _s("trust", "trust level", 0, 1, "Trust toward a new leader before any record."),
    "trust_carryover": _s("trust", "share", 0, 1, "Share of the old trust that a new leader inherits."),
    "leader_reset": _s("trust", "share", 0, 1, "Share of the gap to the desired stance that a new leader closes at once."),
    # --- institutions -------------------------------------------------------------------
    "institution_build": _s("institutions", "1/year", 0, 5, "Growth of the institutional stock per unit of positive relation."),
    "institution_decay": _s("institutions", "1/year", 0, 5, "Decay of the institutional stock per unit of hostile relation."),
    # --- dependence ---------------------------------------------------------------------
    "dependence_speed": _s("dependence", "1/year", 0, 10, "Rate at which dependence follows its structural target."),
    "dependence_elasticity": _s("dependence", "per unit relation", 0, 1, "How much realised dependence follows the relation (trade follows the flag)."),
    "trade_diversion": _s("dependence", "share", 0, 2, "Share of trade lost to a sanctioning state that is diverted to the remaining partners."),
    # --- ideology -----------------------------------------------------------------------
    "polemic_rate": _s("ideology", "1/year", 0, 10, "Growth of doctrinal rivalry from hostility between ideologically close states."),
    "parity_rate": _s("ideology", "1/year", 0, 10, "Growth of doctrinal rivalry as two close states approach parity of capability."),
    "rivalry_decay": _s("ideology", "1/year", 0, 5, "Fading of doctrinal rivalry."),
    # --- endogenous events --------------------------------------------------------------
    "crisis_rate": _s("events", "crises/year", 0, 5, "Crisis hazard of a neutral pair with no threat."),
    "crisis_hostility": _s("events", "log-hazard per unit hostility", 0, 20, "Rise of the log crisis hazard with hostility."),
    "crisis_threat": _s("events", "log-hazard per unit threat", 0, 20, "Rise of the log crisis hazard with mutual threat."),
    "crisis_stance_drop": _s("events", "stance units", 0, 2, "Fall of both stances in a crisis or clash."),
    "crisis_threat_jump": _s("events", "threat units", 0, 1, "Rise of both threat perceptions in a crisis."),
    "crisis_trust_loss": _s("events", "trust units", 0, 1, "Loss of leaders' trust in a crisis."),
    "crisis_alarm": _s("events", "share", 0, 1, "Share of the alarm not yet held that a crisis adds on each side, per unit of proximity; the alarm adds to threat perception and fades at alarm_fade."),
    "alarm_fade": _s("events", "1/year", 0, 5, "Fading of the alarm that crises leave: a clash's alarm halves in ln 2 / alarm_fade years."),
    "restraint_gain": _s("events", "share per crisis per unit mutual threat", 0, 1, "Share of the restraint not yet held that a crisis adds between two states, per unit of their mutual threat; restraint damps the pair's crisis hazard and fades at restraint_fade. Crisis management after a frightening clash: border talks after Zhenbao and the Kosygin-Zhou meeting of 1969, the hotline after Cuba 1962."),
    "restraint_fade": _s("events", "1/year", 0, 5, "Fading of the restraint that frightening crises leave: it halves in ln 2 / restraint_fade years."),
    "crisis_memory": _s("events", "1/year", 0, 20, "Fading of the crisis intensity that drives entrapment fears."),
    "cutoff_rate": _s("events", "1/year", 0, 20, "Hazard that a patron cuts aid to a dependent it turns against, per unit of hostility x dependence."),
    "cutoff_share": _s("events", "share", 0, 1, "Share of structural dependence removed by an aid cut-off."),
    "cutoff_trust_loss": _s("events", "trust units", 0, 1, "Trust lost by the dependent when aid is cut."),
    "instability_hazard": _s("events", "per unit instability", 0, 50, "Multiplier of the leader-change hazard by regime instability."),
    "instability_decay": _s("events", "1/year", 0, 10, "Fading of regime instability."),
    "distress_instability": _s("events", "1/year", 0, 10, "Instability fed by economic distress."),
    # --- capability and economy ---------------------------------------------------------
    "distress_drag": _s("economy", "growth per year per unit distress", 0, 1, "Capability growth lost to economic distress."),
    "distress_recovery": _s("economy", "1/year", 0, 10, "Recovery from distress without help."),
    "support_recovery": _s("economy", "1/year per unit support", 0, 10, "Faster recovery from distress with a partner's help."),
    "aid_dependence": _s("economy", "1/year per unit support", 0, 10, "Dependence built by help received in distress."),
    "sanction_drag": _s("economy", "growth per year per unit", 0, 1, "Capability growth lost to sanctions, per unit of sanctions x dependence on the sanctioner."),
}  # fmt: skip


class Parameter(BaseModel):
    """One calibrated behaviour parameter: its value, uncertain range and source."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float
    low: float | None = None
    high: float | None = None
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _range(self) -> Parameter:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if self.low is not None and self.low > self.high:  # type: ignore[operator]
            raise ValueError(f"low ({self.low}) must not be above high ({self.high})")
        if self.low is not None and not self.low <= self.value <= self.high:  # type: ignore[operator]
            raise ValueError(
                f"value {self.value} must lie in [low, high] = [{self.low}, {self.high}]"
            )
        return self


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted sets, ``(sum w)^2 / sum w^2``.

    Equal weights give the number of sets; one set holding all the weight gives 1.
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


@dataclass(frozen=True)
class Calibration:
    """All behaviour parameters of the model, validated."""

    path: str
    parameters: dict[str, Parameter]
    posterior: np.ndarray | None = None
    """Accepted parameter sets of a fit, ``(sets, len(posterior_names))``, or ``None``."""
    posterior_names: tuple[str, ...] = ()
    posterior_weights: np.ndarray | None = None
    """Importance weight of each posterior set, summing to 1, or ``None`` (equal weights)."""

    def values(self) -> dict[str, float]:
        """Point values, name -> value."""
        return {k: p.value for k, p in self.parameters.items()}

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Uncertain ranges of the parameters that have one."""
        return {
            k: (p.low, p.high)
            for k, p in self.parameters.items()
            if p.low is not None and p.high is not None and p.low < p.high
        }


def parse_calibration(data: dict[str, Any], path: Path | str) -> Calibration:
    """Validate the content of a calibration file against :data:`PARAMETERS`.

    The optional top-level ``posterior`` names a CSV file (relative to the
    calibration file) of accepted parameter sets, one column per parameter:
    the joint sample a fit produced, which worlds then draw whole rows from.
    """
    data = dict(data)
    posterior_file = data.pop("posterior", None)
    unknown = [k for k in data if k not in PARAMETERS]
    if unknown:
        raise InputError(
            path, unknown[0], "unknown behaviour parameter; see docs/ODD.md for the list"
        )
    missing = [k for k in PARAMETERS if k not in data]
    if missing:
        raise InputError(
            path, missing[0], "behaviour parameter is missing from the calibration file"
        )
    parsed: dict[str, Parameter] = {}
    for name, spec in PARAMETERS.items():
        try:
            param = Parameter.model_validate(data[name])
        except ValidationError as exc:
            err = validation_error(Path(path), Parameter, exc)
            field = f"{name}.{err.field}" if err.field else name
            raise InputError(path, field, err.message) from None
        for label, v in (("value", param.value), ("low", param.low), ("high", param.high)):
            if v is not None and not spec.lower <= v <= spec.upper:
                raise InputError(
                    path,
                    f"{name}.{label}",
                    f"{v} is outside the admissible [{spec.lower}, {spec.upper}]",
                )
        parsed[name] = param
    if posterior_file is None:
        return Calibration(str(path), parsed)
    table, names = _read_posterior(Path(path), posterior_file)
    weights = None
    if WEIGHT in names:
        k = names.index(WEIGHT)
        raw = table[:, k]
        with np.errstate(over="ignore"):
            total = raw.sum()
        # Huge weights overflow their sum: scale them by the largest first. Otherwise divide
        # by the sum directly, which keeps the weights (and the draws) of every ordinary file.
        weights = raw / total if np.isfinite(total) else (raw / raw.max()) / (raw / raw.max()).sum()
        table = np.delete(table, k, axis=1)
        names = names[:k] + names[k + 1 :]
    return Calibration(str(path), parsed, table, names, weights)


WEIGHT = "weight"
"""Posterior column holding each set's importance weight (an ABC population step's output)."""


def _read_posterior(path: Path, name: object) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read and check a posterior CSV: known parameters (and ``weight``), numbers in bounds.

    The first line names the columns, each a behaviour parameter or ``weight``,
    each once; every further line is one parameter set with a finite number
    for every column, within the parameter's admissible bounds.
    """
    if not isinstance(name, str):
        raise InputError(path, "posterior", "must be the path of a CSV file")
    target = path.parent / name
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else "cannot be read as text"
        raise InputError(
            path, "posterior", f"{name!r} {reason} (looked in {target.parent})"
        ) from None
    lines = text.strip().splitlines()
    if not lines:
        raise InputError(
            target, "", "is empty; needs a header of parameter names and one row per set"
        )
    header = [h.strip() for h in lines[0].split(",")]
    for k, h in enumerate(header):
        if not h:
            raise InputError(target, "header", f"column {k + 1} has no name")
        if h not in PARAMETERS and h != WEIGHT:
            raise InputError(
                target, h, "unknown behaviour parameter in the posterior header; see docs/ODD.md"
            )
        if header.index(h) != k:
            raise InputError(target, h, "column is given twice in the posterior header")
    if len(lines) < 2:
        raise InputError(target, "", "needs at least one row of values after the header")
    rows = []
    for r, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) != len(header):
            raise InputError(
                target, f"line {r}", f"has {len(cells)} values for {len(header)} columns"
            )
        row = []
        for h, cell in zip(header, cells, strict=True):
            try:
                value = float(cell)
            except ValueError:
                raise InputError(target, h, f"line {r}: {cell.strip()!r} is not a number") from None
            if not math.isfinite(value):
                raise InputError(target, h, f"line {r}: must be a finite number, got {value}")
            row.append(value)
        rows.append(row)
    table = np.array(rows)
    for k, h in enumerate(header):
        if h == WEIGHT:
            if not np.all(table[:, k] >= 0.0):
                raise InputError(target, h, "weights must not be negative")
            if not np.any(table[:, k] > 0.0):
                raise InputError(target, h, "at least one weight must be positive")
            continue
        spec = PARAMETERS[h]
        outside = (table[:, k] < spec.lower) | (table[:, k] > spec.upper)
        if np.any(outside):
            r = int(np.argmax(outside))
            raise InputError(
                target,
                h,
                f"line {r + 2}: {table[r, k]:g} is outside the admissible "
                f"[{spec.lower}, {spec.upper}]",
            )
    return table, tuple(header)


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration TOML file."""
    path = Path(path)
    return parse_calibration(read_toml(path), path)


def check_behaviour_overrides(overrides: dict[str, float], path: Path | str) -> None:
    """Reject overrides that name no parameter or leave its admissible bounds."""
    for name, v in overrides.items():
        spec = PARAMETERS.get(name)
        if spec is None:
            raise InputError(
                path, f"behaviour.{name}", "unknown behaviour parameter; see docs/ODD.md"
            )
        if not spec.lower <= v <= spec.upper:
            raise InputError(
                path,
                f"behaviour.{name}",
                f"{v} is outside the admissible [{spec.lower}, {spec.upper}]",
            )
