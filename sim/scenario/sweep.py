"""Typed, validated form of a sweep file.

A sweep asks "what would it take?": it varies levers and uncertain
parameters of one or more base scenarios over a design, runs replicates of
every design point, and analyses the outcomes. The vocabulary follows the
EMA Workbench (Kwakkel 2017): *levers* are what a strategist chooses,
*uncertainties* what nobody controls, *outcomes* what is measured.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.schema import Distribution, Strict

OUTCOMES = ("p_split", "p_rupture", "r_partnership")


class GridAxis(Strict):
    """A parameter stepped over listed values (for the ``grid`` design) or a range (others).

    ``parameter`` uses the paths of scenario ``uncertain`` entries
    (``levers.<name>.size``, ``pairs.CHN-RUS.fear.RUS``, ``w_reward``, ...).
    """

    parameter: str = Field(description="Path of the value to vary (as in scenario `uncertain`).")
    values: list[float] = Field(
        default_factory=list, description="Values for a grid design (at least two)."
    )
    low: float | None = Field(None, description="Lower bound for sampled designs.")
    high: float | None = Field(None, description="Upper bound for sampled designs.")
    label: str = Field("", description="Readable name for plots.")

    @model_validator(mode="after")
    def _some_range(self) -> GridAxis:
        if not self.values and (self.low is None or self.high is None):
            raise ValueError("give `values` (for a grid) or `low` and `high`")
        if self.values and len(set(self.values)) < 2:
            raise ValueError("a grid axis needs at least two values, not all the same")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Question(Strict):
    """The question a sweep asks, stated as data; its report answers it in its first sentence.

    Two kinds:

    - ``smallest_lever``: the smallest value of a lever at which an outcome's
      share of runs rises above ``threshold``, at each value (or bin) of the
      uncertainty ``given`` ("the smallest offer that raises P(split) above 10%,
      by Russia's fear of China"). Shares are pooled over whatever else the
      design varies, in the cells of the lever-by-``given`` heat map.
    - ``drivers``: which swept parameters move an outcome most (Sobol total
      index or Morris mu*; ``sobol`` and ``morris`` designs only).
    """

    ask: Literal["smallest_lever", "drivers"] = Field(
        description=(
            "`smallest_lever`: the smallest value of `lever` whose runs have `outcome` in more "
            "than `threshold` of them, for each value of `given`; `drivers`: the parameters "
            "with the largest sensitivity indices of `outcome` (sobol or morris designs)."
        )
    )
    outcome: Literal["p_split", "p_rupture", "r_partnership"] = Field(
        "p_split",
        description=(
            "The outcome asked about; `smallest_lever` needs an event (`p_split`, `p_rupture`)."
        ),
    )
    threshold: float | None = Field(
        None,
        gt=0.0,
        lt=1.0,
        description="`smallest_lever`: the share of runs to exceed, e.g. 0.10 for 10%.",
    )
    lever: str | None = Field(
        None, description="`smallest_lever`: path of the lever whose smallest value is sought."
    )
    given: str | None = Field(
        None,
        description=(
            "`smallest_lever`: path of a swept parameter the answer is given for, value by "
            "value (binned when sampled); without it the answer pools over every other parameter."
        ),
    )

    @model_validator(mode="after")
    def _complete(self) -> Question:
        if self.ask == "smallest_lever":
            if self.threshold is None or self.lever is None:
                raise ValueError("smallest_lever needs `threshold` and `lever`")
            if self.outcome not in ("p_split", "p_rupture"):
                raise ValueError("smallest_lever asks about an event: `p_split` or `p_rupture`")
        elif any(v is not None for v in (self.threshold, self.lever, self.given)):
            raise ValueError("drivers takes only `outcome`")
        return self


class Analysis(Strict):
    """What to analyse and plot."""

    question: Question | None = Field(
        None,
        description=(
            "The question the sweep asks (`[analysis.question]`); the report's first "
            "sentence answers it."
        ),
    )

    heatmap: list[tuple[str, str]] = Field(
        default_factory=list,
        description="Pairs of parameters [x, y] to draw P(split) heat maps over.",
    )
    group_by: str | None = Field(
        None, description="Parameter whose levels split the time-to-split curves."
    )
    sensitivity: bool = Field(
        True, description="Sobol (sobol design) or Morris (morris design) indices of the outcomes."
    )
    noise_floor: bool = Field(
        False,
        description=(
            "Add a dummy parameter that changes nothing to a Sobol or Morris design: its "
            "indices are the level that sampling noise alone reaches, so a parameter ranked "
            "below it cannot be told from one without effect (Zadeh et al. 2017)."
        ),
    )
    discovery: bool = Field(
        True, description="Scenario discovery: PRIM boxes where splits concentrate."
    )
    discovery_behaviour: bool = Field(
        False,
        description=(
            "Let PRIM boxes restrict behaviour (calibration) parameters too: those "
            "`sweep_calibration` adds and those each run draws from the calibration's ranges. "
            "By default a box restricts only the sweep's own levers and uncertainties, the "
            "parameters its question is about."
        ),
    )
    prim_threshold: float = Field(
        0.5, gt=0.0, le=1.0, description="PRIM peeling stops when box density reaches this share."
    )


class Sweep(Strict):
    """A complete sweep file."""

    name: str = Field(description="Short name; the default output folder is runs/sweeps/<name>/.")
    title: str = Field("", description="One-line description for reports.")
    scenarios: list[str] = Field(
        min_length=1, description="Base scenario files, relative to this file; each is swept."
    )
    seed: int = Field(ge=0, description="Root seed of the sweep.")
    design: Literal["grid", "lhs", "sobol", "morris"] = Field(
        "grid", description="Experimental design over `levers` and `uncertain`."
    )
    points: int = Field(
        16,
        ge=1,
        le=1_000_000,
        description=(
            "Design size: lhs = points; sobol = base sample N (N (2d + 2) points, N a power of 2); "
            "morris = trajectories (r (d + 1) points). Ignored for grid."
        ),
    )
    morris_levels: int = Field(4, ge=2, le=20, description="Grid levels of the Morris design.")
    replicates: int = Field(100, ge=1, le=1_000_000, description="Runs per design point.")
    chunk_size: int = Field(
        4096, ge=1, le=1_000_000, description="Runs per chunk; fixed, independent of workers."
    )
    sample_scenario_uncertainty: bool = Field(
        True, description="Also sample each scenario's own uncertain parameters in every run."
    )
    sweep_calibration: bool = Field(
        False,
        description=(
            "Add every calibration parameter that has an uncertain range as a swept uncertainty "
            "(uniform over the range), e.g. for a global sensitivity analysis."
        ),
    )
    levers: list[GridAxis] = Field(default_factory=list, description="Strategy values varied.")
    uncertain: list[Distribution | GridAxis] = Field(
        default_factory=list, description="Uncertainties varied by the design."
    )
    outcomes: list[Literal["p_split", "p_rupture", "r_partnership"]] = Field(
        default_factory=lambda: ["p_split", "p_rupture"],
        description=(
            "Outcomes analysed: `p_split` and `p_rupture` (shares of runs with the event by "
            "the horizon; heat maps, sensitivity, scenario discovery) and `r_partnership` "
            "(the mean relation of the watched partnership at the horizon, -1 to 1; "
            "sensitivity only). A continuous outcome varies across design points even where "
            "splits are rare, so its sensitivity indices are not drowned by sampling noise."
        ),
    )
    analysis: Analysis = Field(default_factory=Analysis)

    @model_validator(mode="after")
    def _consistent(self) -> Sweep:
        axes = self.axes()
        if not axes and not self.sweep_calibration:
            raise ValueError("levers/uncertain: a sweep needs at least one parameter to vary")
        names = [a.parameter for a in axes]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"levers/uncertain: {sorted(dup)[0]!r} is listed twice")
        if self.design == "grid":
            if self.sweep_calibration:
                raise ValueError(
                    "sweep_calibration: calibration ranges are sampled, so they need design "
                    "'lhs', 'sobol' or 'morris', not 'grid'"
                )
            for a in axes:
                if not isinstance(a, GridAxis) or not a.values:
                    raise ValueError(
                        f"design: a grid needs `values` for every parameter; {a.parameter} has none"
                    )
        if self.design == "morris" and self.points < 2:
            raise ValueError(
                "points: a Morris design needs at least 2 trajectories (the spread of the "
                f"elementary effects is taken over them), got {self.points}"
            )
        if self.design == "morris" and self.morris_levels % 2:
            raise ValueError(
                "morris_levels: must be an even number (an odd number of levels biases "
                f"the Morris sample), got {self.morris_levels}"
            )
        if self.design == "sobol" and self.points & (self.points - 1):
            raise ValueError(
                f"points: the Sobol base sample must be a power of 2, got {self.points}"
            )
        for pair in self.analysis.heatmap:
            for p in pair:
                if p not in names:
                    raise ValueError(f"analysis.heatmap: {p!r} is not a swept parameter")
        if self.analysis.group_by is not None and self.analysis.group_by not in names:
            raise ValueError(f"analysis.group_by: {self.analysis.group_by!r} is not swept")
        if self.analysis.question is not None:
            self._check_question(self.analysis.question, names)
        return self

    def _check_question(self, question: Question, names: list[str]) -> None:
        where = "analysis.question"
        if question.outcome not in self.outcomes:
            raise ValueError(f"{where}.outcome: {question.outcome!r} is not in `outcomes`")
        if question.ask == "drivers" and self.design not in ("sobol", "morris"):
            raise ValueError(f"{where}.ask: drivers needs a sobol or morris design")
        levers = [a.parameter for a in self.levers]
        if question.lever is not None and question.lever not in levers:
            raise ValueError(f"{where}.lever: {question.lever!r} is not one of `levers`")
        if question.given is not None and (
            question.given not in names or question.given == question.lever
        ):
            raise ValueError(
                f"{where}.given: {question.given!r} is not a swept parameter other than the lever"
            )

    def axes(self) -> list[Distribution | GridAxis]:
        """Every swept parameter, levers first."""
        return [*self.levers, *self.uncertain]
