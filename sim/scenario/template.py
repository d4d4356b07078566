"""A new scenario file that extends a base: what ``wedge new NAME --from BASE`` writes.

The file extends the base, so it runs as it is (the base's situation under a
new name), and lists, commented out, the fields users most often change, each
with the base's value and its meaning from the schema: where relations start,
the capability of each actor, a wedge lever, a shock and an uncertain value.
Uncommenting a line and editing its value is the whole workflow.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import InputError
from sim.scenario.schema import Actor, Lever, Pair, Scenario, Shock

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,79}$")
"""What a new scenario may be called: it names its file and its results folder."""

PAIR_FIELDS = ("relation", "trust", "dependence", "fear", "sanctions", "institutions")
"""The pair fields a variant most often changes, in the order they are listed."""

ACTOR_FIELDS = ("capability", "growth", "distress", "instability")
"""The actor fields a variant most often changes."""


def _describe(model: type[BaseModel], field: str) -> str:
    return (model.model_fields[field].description or "").rstrip(".")


def _toml(value: Any) -> str:
    if isinstance(value, BaseModel):  # a time path or an effect: its inline table
        value = {k: v for k, v in value.model_dump(exclude_defaults=True).items() if v is not None}
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _line(key: str, value: Any, meaning: str, width: int = 34, limit: int = 100) -> str:
    """``# key = value  # meaning``, the meaning on the lines above when it does not fit."""
    text = f"# {key} = {_toml(value)}"
    inline = f"{text:<{width}}  # {meaning}"
    if len(inline) <= limit:
        return inline
    return "\n".join([*(f"# {line}" for line in textwrap.wrap(meaning, limit - 2)), text])


def _pair_key(base: Scenario, a: str, b: str) -> tuple[str, Pair]:
    for key in (f"{a}-{b}", f"{b}-{a}"):
        if key in base.pairs:
            return key, base.pairs[key]
    return f"{a}-{b}", Pair()


def template(name: str, base: Scenario, extends: str, base_label: str) -> str:
    """The text of a new scenario named ``name`` that extends ``base`` (at path ``extends``).

    ``base_label`` is how the base is named in the comments (its shipped name
    or file).
    """
    a, b = base.watch.partnership
    third = base.watch.third
    out = [
        f"# {name}: a variant of {base_label}, written by `wedge new {name} --from {base_label}`.",
        "#",
        "# It `extends` the base: everything the base says holds unless this file says",
        "# otherwise. Tables merge key by key; shocks and levers merge by `name`, uncertain",
        "# entries by `parameter`. Uncomment and edit what differs: each line below shows",
        "# the base's value and what the field means. Every field, its unit and what is",
        "# allowed: docs/scenarios.md (or `wedge schema`). Give a source for every value",
        "# that is not a judgement, and say when it is one.",
        "#",
        f"# Run it:      wedge run {name}.toml",
        f"# Against the base, on the same worlds:  wedge compare <base file> {name}.toml",
        f"extends = {_toml(extends)}",
        f"name = {_toml(name)}",
        f"title = {_toml(f'{name}: a variant of {base.name}')}",
        'description = """',
        "What this variant changes against the base, and why.",
        '"""',
        "",
        "# --- time --------------------------------------------------------------------",
        "# [time]",
        _line("horizon", base.time.horizon, "last year simulated (decimal year)"),
        "",
        "# --- where relations start (-1 hostile, 0 neutral, +1 allied) ------------------",
    ]
    for x, y in ((a, b), (third, a), (third, b)):
        key, pair = _pair_key(base, x, y)
        out.append(f"# [pairs.{key}]")
        for field in PAIR_FIELDS:
            value = getattr(pair, field)
            if isinstance(value, dict) and not value:
                value = {x: 0.0}
            out.append(_line(field, value, _describe(Pair, field)))
        out.append("")
    out.append("# --- the actors ----------------------------------------------------------------")
    for code, actor in base.actors.items():
        out.append(f"# [actors.{code}]")
        out += [_line(f, getattr(actor, f), _describe(Actor, f)) for f in ACTOR_FIELDS]
        out.append("")
    lever = base.levers[0] if base.levers else None
    out += [
        "# --- a wedge lever of the third power (a new `name` adds one, a base name edits it) -",
        "# [[levers]]",
        _line("name", lever.name if lever else "offer", _describe(Lever, "name")),
        _line("actor", third, _describe(Lever, "actor")),
        _line("target", lever.target if lever else b, _describe(Lever, "target")),
        _line("kind", lever.kind if lever else "reward", "reward or coercion"),
        _line("size", lever.size if lever else 0.5, _describe(Lever, "size")),
        _line("start", lever.start if lever else base.time.start + 1.0, _describe(Lever, "start")),
        _line("duration", lever.duration if lever else 5.0, _describe(Lever, "duration")),
        _line("credibility", lever.credibility if lever else 0.7, _describe(Lever, "credibility")),
        _line(
            "conditional",
            lever.conditional if lever else True,
            "paid for distance from the partner",
        ),
        "",
        "# --- a shock: an event from outside the model --------------------------------",
        "# [[shocks]]",
        _line("name", "my_shock", _describe(Shock, "name")),
        _line("year", base.time.start + 2.0, _describe(Shock, "year")),
        _line("actor", b, _describe(Shock, "actor")),
        _line("toward", a, _describe(Shock, "toward")),
        _line("capability", -0.1, _describe(Shock, "capability")),
        _line("fear", 0.2, _describe(Shock, "fear")),
        _line(
            "sanctions",
            {"add": 0.3, "ramp": 2.0},
            "raised by 0.3 over two years; a table gives set, add or scale, ramp and fade",
        ),
        _line("source", "where the event and its size come from", "a citation or `judgement`"),
        "",
        "# --- a value nobody knows: sampled in every world ------------------------------",
        "# [[uncertain]]",
        _line("parameter", f"pairs.{_pair_key(base, a, b)[0]}.fear.{b}", "what is uncertain"),
        _line("dist", "uniform", "uniform, loguniform, triangular or normal"),
        _line("low", 0.0, "smallest value"),
        _line("high", 0.3, "largest value"),
        "",
    ]
    return "\n".join(out)


def write_new(name: str, base_path: str | Path, out_path: str | Path, force: bool = False) -> Path:
    """Write a new scenario ``name`` extending the scenario file at ``base_path``.

    Raises
    ------
    InputError
        A name that cannot name a file and a results folder, a base that does
        not load, or an existing file (unless ``force``).
    """
    from sim.scenario.loader import load_scenario

    if not NAME.match(name):
        raise InputError(
            "NAME", "", f"{name!r}: use letters, digits, '_', '-' or '.', starting with a letter"
        )
    base_path, out_path = Path(base_path), Path(out_path)
    base = load_scenario(base_path)
    if out_path.exists() and not force:
        raise InputError(out_path, "", "exists; choose another --out or pass --force")
    extends = Path(os.path.relpath(base_path.resolve(), out_path.resolve().parent)).as_posix()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(template(name, base, extends, base_path.stem), encoding="utf-8")
    return out_path
