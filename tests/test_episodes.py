"""History episodes are data: loading, one-line errors, and a new target needs no code."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import tomli_w

from sim.cli import main
from sim.experiments.validate import Validate, hindcasts, shipped_episodes
from sim.scenario.episode import SHARE_KINDS, load_episode
from sim.scenario.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "episode_1949_1975.toml"
SECOND = ROOT / "data" / "episode_1976_1991.toml"


def episode_data() -> dict:
    """The shipped episode as data, its files made absolute so that a copy resolves anywhere."""
    data = tomllib.loads(SHIPPED.read_text())
    for key in ("scenario", "milestones"):
        data[key] = str((SHIPPED.parent / data[key]).resolve())
    data["clashes"]["disputes"] = str((SHIPPED.parent / data["clashes"]["disputes"]).resolve())
    return data


def write_episode(tmp_path: Path, data: dict, name: str = "episode.toml") -> Path:
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data))
    return path


def test_the_shipped_episodes_load_and_name_their_files():
    assert SHIPPED in shipped_episodes()
    for path in shipped_episodes():
        episode = load_episode(path)
        assert Path(episode.scenario).is_file() and Path(episode.milestones).is_file()
        keys = [t.key for t in episode.targets]
        assert len(keys) == len(set(keys))
        for headline in episode.headline:
            assert episode.target(headline.target).kind in {"rupture", *SHARE_KINDS}
        for t in episode.targets:
            assert all(episode.years[0] <= y <= episode.years[1] for y in t.years)


def test_a_span_is_every_year_from_the_first_to_the_last():
    episode = load_episode(SHIPPED)
    assert episode.target("us_ussr_hostile").years == list(range(1950, 1970))
    assert episode.target("alliance_holds").years == list(range(1950, 1957))


def edit(data: dict, path: tuple, value) -> dict:
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


BAD = [
    (("targets", 0, "kind"), "rising", "targets[0].kind", "aligned_throughout"),
    (("targets", 6, "years"), [1962, 1968, 1974], "targets[6]", "exactly two years"),
    (("targets", 0, "span"), [1950, 1990], "targets[0].years", "1950-1975"),
    (("targets", 0, "at_least"), 1.5, "targets[0]", "share: at most 1"),
    (("targets", 0, "at_least"), float("nan"), "targets[0].at_least", "finite"),
    (("targets", 0, "pair"), ["CHN", "IND"], "targets[0].pair", "IND"),
    (("targets", 2, "column"), None, "targets[2]", "needs `column`"),
    (("headline", 0, "target"), "worst_year", "headline[0].target", "allowed"),
    (("targets", 1, "key"), "alliance_holds", "targets", "unique"),
    (("years",), [1975, 1950], "years", "forward"),
    (("colour",), "red", "colour", "unknown field"),
    (("scenario",), "nowhere.toml", "scenario", "not found"),
    (("targets", 0, "at_most"), 3.0, "targets[0]", "`at_most` belongs"),
    (("targets", 0, "than"), [["USA", "RUS"]], "targets[0]", "`than` belongs"),
]


@pytest.mark.parametrize(("path", "value", "field", "fragment"), BAD, ids=[b[2] for b in BAD])
def test_a_bad_episode_is_one_line_naming_the_field(tmp_path, path, value, field, fragment):
    bad = write_episode(tmp_path, edit(episode_data(), path, value))
    with pytest.raises(InputError) as caught:
        load_episode(bad)
    err = caught.value
    assert err.file == str(bad) and err.field.startswith(field), err.line()
    assert fragment in err.message, err.line()
    assert "\n" not in err.line()


def test_a_bad_episode_stops_wedge_validate_before_any_run(tmp_path, capsys):
    bad = write_episode(tmp_path, edit(episode_data(), ("targets", 0, "kind"), "rising"))
    out = tmp_path / "out"
    assert main(["validate", str(bad), "--runs", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and "targets[0].kind" in err[0]
    assert not out.exists()


def test_a_new_target_is_a_data_change(tmp_path):
    data = episode_data()
    data["targets"].append(
        {
            "key": "us_china_hostile_1951",
            "name": "US-China hostile during the Korean War",
            "history": "Chinese intervention in Korea, Oct 1950",
            "source": "milestones_1945_1975.csv (1950-06-25)",
            "kind": "hostile_median",
            "pair": ["USA", "CHN"],
            "years": [1951],
        }
    )
    path = write_episode(tmp_path, data)
    result = Validate(tuple(hindcasts([path])), runs=12).run(seed=5)
    card = result.parts[data["name"]].summary
    assert [t["key"] for t in card["targets"]][-1] == "us_china_hostile_1951"
    added = card["targets"][-1]
    assert added["rule"] == "every median ≤ −0.25"
    assert added["pass"] == (added["median"] <= -0.25)
    assert card["targets_total"] == 10


def test_two_episodes_give_two_scorecards_and_a_summary(tmp_path):
    first = write_episode(tmp_path, episode_data(), "a.toml")
    second = write_episode(tmp_path, {**episode_data(), "name": "second_look"}, "b.toml")
    out = tmp_path / "out"
    args = ["validate", str(first), str(second), "--runs", "8", "--out", str(out), "--quiet"]
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [e["episode"] for e in summary["episodes"]] == ["sino_soviet_1949_1975", "second_look"]
    for name in ("sino_soviet_1949_1975", "second_look"):
        assert (out / name / "scorecard.json").is_file() and (
            out / name / "manifest.json"
        ).is_file()
    one = json.loads((out / "second_look" / "scorecard.json").read_text())
    other = json.loads((out / "sino_soviet_1949_1975" / "scorecard.json").read_text())
    assert one["targets"] == other["targets"]  # the same worlds, the same targets
    assert summary["targets_total"] == 2 * one["targets_total"]


def test_a_scenario_replaces_the_hindcast_of_one_episode_only(tmp_path):
    with pytest.raises(InputError, match="one episode"):
        hindcasts([SHIPPED, SHIPPED], scenario=ROOT / "scenarios/history/sino_soviet_1949.toml")
    with pytest.raises(InputError, match="share a name"):
        hindcasts([SHIPPED, SHIPPED])


def test_the_second_episode_reads_the_1976_situation_and_its_own_records():
    episode = load_episode(SECOND)
    assert episode.scenario.endswith("normalisation_1976.toml")
    assert episode.milestones.endswith("milestones_1976_1991.csv")
    assert episode.years == (1977, 1991)
    kinds = {t.kind for t in episode.targets}
    assert {"never_aligned", "not_hostile_median", "closest_median", "crises_at_most"} <= kinds
    assert episode.target("us_china_closest").than == [("USA", "RUS"), ("CHN", "RUS")]


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ({"kind": "closest_median", "pair": ["USA", "CHN"], "years": [1960]}, "needs `than`"),
        (
            {"kind": "closest_median", "pair": ["USA", "CHN"], "years": [1960],
             "than": [["CHN", "USA"]]},
            "differs from `pair`",
        ),
        ({"kind": "crises_at_most", "pair": ["CHN", "RUS"]}, "needs it"),
        ({"kind": "crises_at_most", "pair": ["CHN", "RUS"], "at_most": -1.0}, "greater than"),
        (
            {"kind": "closest_median", "pair": ["USA", "CHN"], "years": [1960],
             "than": [["USA", "IND"]]},
            "IND",
        ),
    ],
)  # fmt: skip
def test_the_new_target_kinds_refuse_what_they_cannot_read(tmp_path, target, fragment):
    data = episode_data()
    data["targets"].append({"key": "extra", "name": "n", "history": "h", "source": "s", **target})
    with pytest.raises(InputError) as caught:
        load_episode(write_episode(tmp_path, data))
    assert fragment in caught.value.message, caught.value.line()
