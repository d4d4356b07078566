"""The history-episode reference (``docs/episodes.md``), generated from the episode schema.

An episode file is what ``wedge validate`` scores the model on; a user who
writes one for another period reads here which fields it has, what each
target kind measures and what is allowed.
"""

from __future__ import annotations

from sim.docs.scenarios import GENERATED, docstring, field_table
from sim.scenario import episode
from sim.scenario.episode import KINDS, Clashes, Episode, Headline, Shape, Target

_TABLES = [
    ("Top level", "top-level", Episode),
    ("[[targets]]", "targets", Target),
    ("[[headline]]", "headline", Headline),
    ("[shape]", "shape", Shape),
    ("[clashes]", "clashes", Clashes),
]


def episode_reference() -> str:
    """Markdown reference of the episode file format: layout, target kinds, field tables."""
    years = docstring(episode).split("Years are calendar years", 1)[1]
    out = [
        GENERATED.format(what="sim/scenario/episode.py"),
        "",
        "# History episode files",
        "",
        "A history episode is what `wedge validate` scores the model against: the scenario "
        "that starts from the episode's situation with only exogenous events scheduled, the "
        "records it cites (milestones, disputes), and the targets: what history did, the data "
        "that say so, how the model's runs are measured and the pass rule. Episodes are data "
        "(`data/episode_*.toml`); adding a target or an episode needs no code. "
        "`wedge validate` scores every shipped episode, or the files it is given; "
        "`wedge check FILE` validates one. A bad file stops either with one line naming the "
        "file, the field and what is allowed.",
        "",
        "Paths (`scenario`, `milestones`, `clashes.disputes`) are relative to the episode "
        "file. The milestones file is a CSV with columns `date` (`YYYY-MM-DD`), `pair`, "
        "`event`, `kind` (`exogenous`: scheduled as a shock; `outcome`: what the model "
        "should produce, never an input; `context`) and `note`; the disputes file is a COW "
        "MID extract with `state1`, `state2`, `year` and `cowmidonset`.",
        "",
        "## Target kinds",
        "",
        "| kind | what the runs must show |",
        "| --- | --- |",
        *(f"| `{kind}` | {words} |" for kind, words in KINDS.items()),
        "",
        " ".join(("Years are calendar years" + years).split()),
        "",
    ]
    for heading, _, model in _TABLES:
        out += [f"## {heading}", "", docstring(model), "", field_table(model, tables=_TABLES), ""]
    return "\n".join(out)
