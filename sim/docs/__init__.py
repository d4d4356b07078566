"""Generated documentation: the file references and the ODD parameter table.

Each is rendered from the code so that the documentation cannot drift from it
(one source of truth, STYLE practice 13): the scenario-file reference
(:mod:`sim.docs.scenarios`), the history-episode reference
(:mod:`sim.docs.episodes`) and the parameter table of ``ODD.md``
(:mod:`sim.docs.parameters`). :func:`write_docs` writes them into ``docs/``;
``wedge docs`` calls it, and ``tests/test_docs.py`` fails when the committed
files differ from what is generated now.
"""

from __future__ import annotations

from pathlib import Path

from sim.docs.episodes import episode_reference
from sim.docs.parameters import CALIBRATION, parameter_block, replace_block
from sim.docs.scenarios import scenario_reference


def write_docs(folder: Path) -> list[Path]:
    """Write ``folder/scenarios.md``, ``folder/episodes.md`` and the parameter table of ``ODD.md``.

    Parameters
    ----------
    folder
        The documentation folder (``docs/``). ``ODD.md`` must exist there with
        the markers :data:`~sim.docs.parameters.START` and
        :data:`~sim.docs.parameters.END`; the text between them is
        replaced, the rest is left as it is.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    reference = folder / "scenarios.md"
    reference.write_text(scenario_reference(), encoding="utf-8", newline="\n")
    episodes = folder / "episodes.md"
    episodes.write_text(episode_reference(), encoding="utf-8", newline="\n")
    odd = folder / "ODD.md"
    text = odd.read_text(encoding="utf-8")
    odd.write_text(
        replace_block(text, parameter_block(CALIBRATION)), encoding="utf-8", newline="\n"
    )
    return [reference, episodes, odd]
