"""From public data to the model's scales: one guide entry per situational field, as data.

Each :class:`FieldGuide` says, for one field of ``[actors.ID]`` or ``[pairs.A-B]``,
what its unit and range are, how a value can be derived from public data, a worked
example from the shipped scenarios, what its extremes mean, and whether its scale is a
judgement (then the shipped values are the reference points). Where the project maps
data onto a scale by a rule of its own (COPDAB to a relation, a trade share to a
dependence), the rule is given in :attr:`FieldGuide.convention` and called the
project's convention: none of these rules is a standard of the literature.

:data:`RELATION_SCALE` is a verbal scale for signed relations, each point tied to a
value in a shipped file where one exists. :mod:`sim.docs.guide` renders both, with the
shipped values read from the files, so the reference points stay current.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    """A value in a shipped scenario that a guide entry quotes: tests check it is still there.

    ``where`` is written as in the rendered reference: an actor (``CHN``), a pair as
    keyed in the file (``USA-RUS``), or one side of a pair (``CHN→RUS``: China's
    value toward Russia).
    """

    scenario: str
    where: str
    value: float


@dataclass(frozen=True)
class FieldGuide:
    """How to set one situational field from data.

    Attributes
    ----------
    name
        The field, as written in scenario files (``relation`` also covers ``stance``).
    unit
        Unit and meaning of the scale; the range is given by ``low``, ``high``.
    low, high, low_open
        The field's admissible range (``low_open``: ``low`` itself excluded); a test
        checks them against the schema.
    source
        The data it is derived from, in a few words, for the summary table.
    data
        How to derive a value from public data.
    example
        A worked example from the shipped scenarios: the value and where it came from.
    anchor
        The shipped value the example quotes.
    extremes
        What the ends of the scale mean.
    judgement
        True when the level on the model's scale is a judgement; the shipped values
        are then the reference points.
    note
        Where the scale is a judgement, and what the model does with the field.
    convention
        A rule of the project's own that maps data onto the scale, if any.
    """

    name: str
    unit: str
    low: float
    high: float
    source: str
    data: str
    example: str
    anchor: Anchor
    extremes: str
    judgement: bool
    note: str
    convention: str = ""
    low_open: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        """The scenario fields the entry covers: ``relation`` also covers ``stance``."""
        return ("relation", "stance") if self.name == "relation" else (self.name,)


@dataclass(frozen=True)
class ScalePoint:
    """One step of the verbal scale of relations; ``anchor`` is the shipped value it cites."""

    value: float
    reading: str
    anchor: Anchor | None = None


_1949 = "history/sino_soviet_1949"
_2024 = "baseline_2024"

ACTOR_GUIDE: tuple[FieldGuide, ...] = (
    FieldGuide(
        name="capability",
        unit="share of world material capability (COW CINC scale)",
        low=0.0,
        high=1.0,
        low_open=True,
        source="COW NMC v7 `cinc`",
        data="The `cinc` value of the start year in COW National Material Capabilities v7 "
        "(`data/capabilities_cow_nmc_v7.csv`; Singer, Bremer and Stuckey 1972): the mean of "
        "the state's shares of world military spending, military personnel, iron and steel, "
        "primary energy, total and urban population. The series ends in 2022; for a later "
        "start use the last coded year and say so.",
        example="China in late 1949: `cinc` 1949 = 0.10405, written 0.104 "
        "(`history/sino_soviet_1949`, data/HINDCAST.md). The 2024 baseline uses 2022, the "
        "last coded year: the United States 0.124, China 0.234, Russia 0.038.",
        anchor=Anchor(_1949, "CHN", 0.104),
        extremes="1 would be all of the world's capability, near 0 a negligible state. Threat "
        "reads only a pair's ratio (j's share of the two states' combined capability), and "
        "states outside the scenario are present only as the rest of the world.",
        judgement=False,
        note="A measurement. CINC does not count nuclear weapons (China's 1964 bomb is a +3% "
        "shock in the hindcast, a judgement), and `RUS` is the USSR until 1991: its fall "
        "from 0.129 (1990) to 0.067 (1992) is mostly the breakup (data/README.md).",
    ),
    FieldGuide(
        name="growth",
        unit="trend growth of the capability share, fraction per year (0.02 = +2%/yr)",
        low=-0.5,
        high=0.5,
        source="trend of COW `cinc`",
        data="The slope of an OLS fit of log(`cinc`) on the year. In a hindcast, over the "
        "simulated years: the realised trend, which a forecaster at the start could not "
        "know, used because the hindcast tests the political dynamics, not a forecast of "
        "capability. In a forecast, a recent trend of the same series, adjusted for the "
        "years ahead.",
        example="China 1949-1975: slope +0.00534 a year, written 0.0053 "
        "(`history/sino_soviet_1949`). The United States in the 2024 baseline: CINC 0.148 "
        "(2010) to 0.124 (2022), about -1.5% a year, written -0.012 ('slightly slower "
        "ahead', a judgement).",
        anchor=Anchor(_1949, "CHN", 0.0053),
        extremes="0: the share holds (the state grows as fast as the world). The bounds, "
        "±0.5, are ±50% a year, far outside any trend on record.",
        judgement=False,
        note="Data in a hindcast; the forward trend of a forecast is a judgement, and a "
        "natural `[[uncertain]]` entry (the baseline samples China's).",
    ),
    FieldGuide(
        name="volatility",
        unit="yearly standard deviation of log capability growth",
        low=0.0,
        high=0.5,
        source="yearly changes of COW `cinc`",
        data="The sample standard deviation of the yearly changes of log(`cinc`) over the "
        "period. With a small trend this is close to the spread around the trend that the "
        "model draws (data/HINDCAST.md). Leave out years of breakup or war that the "
        "scenario schedules as shocks, or they count twice.",
        example="China 1949-1975: 0.0575, written 0.058 (`history/sino_soviet_1949`). The "
        "2024 baseline writes 0.02-0.03 with no derivation in the file.",
        anchor=Anchor(_1949, "CHN", 0.058),
        extremes="0: capability follows its trend exactly; 0.05: the share drifts by about "
        "5% a year around the trend by chance.",
        judgement=False,
        note="A measurement where derived. It is chance variation of capability; dated "
        "losses and gains belong in `[[shocks]]`.",
    ),
    FieldGuide(
        name="offensive",
        unit="offensive military capability, 0-1",
        low=0.0,
        high=1.0,
        source="force structure (judgement)",
        data="No public series maps onto it. Read the force structure (global navies and "
        "carriers, strategic bombers and missiles, nuclear weapons, bases abroad: the IISS "
        "*Military Balance*) and size (COW NMC `milex`, `milper`), and place each state "
        "against the shipped values.",
        example="`history/sino_soviet_1949`: the United States 1.0 (the only global navy and "
        "strategic air force); the USSR 0.8 (the largest land army, 3,600 thousand "
        "personnel in COW `milper` 1949, the bomb from August 1949, no global navy); China "
        "0.25 (a large infantry army, no navy, little air force, no bomb), raised by 0.15 "
        "over 1964-67 as its bomb became a deliverable force.",
        anchor=Anchor(_1949, "RUS", 0.8),
        extremes="0: no force able to strike beyond its borders; 1: a global expeditionary "
        "force (the United States in both shipped eras).",
        judgement=True,
        note="The scale is the project's own. It enters the threat others perceive from the "
        "state (ODD 7.1).",
    ),
    FieldGuide(
        name="salience",
        unit="weight of ideology in the state's foreign policy, 0-1",
        low=0.0,
        high=1.0,
        source="judgement",
        data="No public series measures it. V-Dem's indicators of regime legitimation by "
        "ideology can help rank states, not convert them; the usual evidence is whether "
        "doctrine is argued in foreign policy (public polemics, export of revolution, "
        "doctrine in treaties and speeches).",
        example="`history/sino_soviet_1949`: China 0.9 (revolutionary Marxism-Leninism at the "
        "centre of foreign policy; 1.0 after the Cultural Revolution shock of 1966), the "
        "USSR 0.8, the United States 0.5 (anti-communism weighs, but below security). "
        "`baseline_2024`: 0.3 for all three (ideology low-intensity today, Bekkevold 2024).",
        anchor=Anchor(_1949, "CHN", 0.9),
        extremes="0: ideology plays no part in the state's motives; 1: it governs its foreign "
        "policy.",
        judgement=True,
        note="Salience scales the whole ideological affinity (ODD 7.2), so it "
        "decides how much `ideology_distance` and `doctrinal_rivalry` matter to the state.",
    ),
    FieldGuide(
        name="leader_hazard",
        unit="changes of leader per year in calm times",
        low=0.0,
        high=2.0,
        source="leader records (Archigos): changes / years",
        data="Count the changes of leader over a comparable period, in Archigos (Goemans, "
        "Gleditsch and Chiozza 2009) or official records, and divide by the years: the rate "
        "of a constant hazard, about 1 / mean tenure. Leave out the changes the scenario "
        "schedules as shocks (see [Leader changes](#leader-changes)).",
        example="The United States in `history/sino_soviet_1949`: five changes of president "
        "in the 26 years 1949-1975 (1953, 1961, 1963, 1969, 1974), 5 / 26 = 0.19. The USSR "
        "0.02: its two changes of the period are scheduled shocks. `baseline_2024`: the "
        "United States 0.15 (turnover every 4-8 years), China and Russia 0.04 (judgement: "
        "no term limit in China since 2018).",
        anchor=Anchor(_1949, "USA", 0.19),
        extremes="0: the leader never changes in calm times; 0.125: once in 8 years on "
        "average; 1: once a year. Regime instability multiplies it.",
        judgement=False,
        note="A measurement for states with regular turnover, rough with a handful of "
        "changes. For long-ruling leaders the years at hand hold no change to count, so the "
        "small residual hazard is a judgement.",
    ),
    FieldGuide(
        name="instability",
        unit="regime instability at the start, 0-1",
        low=0.0,
        high=1.0,
        source="judgement (coups, irregular exits)",
        data="No conversion. Cues: irregular exits of leaders in Archigos, coup attempts "
        "(Powell and Thyne 2011), adverse regime changes in the Political Instability Task "
        "Force data. The shipped scenarios start every state at 0 and add instability by "
        "shocks.",
        example="China in late 1949: 0 (a new regime, but in full control of the Mainland; "
        "`history/sino_soviet_1949`). The Cultural Revolution adds 0.5 over 1966-67. A Russian "
        "defeat in Ukraine adds 0.2-0.7 (`russian_defeat_ukraine`: 0.2 a regime that "
        "rallies after a negotiated retreat, 0.7 open elite conflict, short of a "
        "revolution at 1).",
        anchor=Anchor(_1949, "CHN", 0.0),
        extremes="0: a stable regime; 1: revolution or the regime's collapse.",
        judgement=True,
        note="Instability multiplies the hazard of a change of leader (see "
        "[Leader changes](#leader-changes)), grows with economic distress and decays at a "
        "calibrated rate (ODD 7.9, 7.10).",
    ),
    FieldGuide(
        name="distress",
        unit="economic distress at the start, 0 none to 1 collapse",
        low=0.0,
        high=1.0,
        source="falls in output (COW `irst`, `pec`; GDP)",
        data="Size the fall in output against the state's normal level: GDP (e.g. the "
        "Maddison Project), industrial output, or COW NMC iron and steel (`irst`) and "
        "energy (`pec`). The level on the 0-1 scale is a judgement anchored to collapses on "
        "record.",
        example="China in late 1949: 0.4 (`history/sino_soviet_1949`, sampled 0.2-0.6): COW "
        "NMC iron and steel 158 kt in 1949 against 1,349 kt in 1952, energy 33 against 48 "
        "Mt. The Russian defeat adds 0.2-0.9 (`russian_defeat_ukraine`): 0.2 a recession "
        "like 2015 (CINC -6%), 0.5 a crisis like 1998 on top of a lost war, 0.9 close to "
        "the early-1990s collapse.",
        anchor=Anchor(_1949, "CHN", 0.4),
        extremes="0: a normal economy; 1: a collapse like Russia's in the 1990s.",
        judgement=True,
        note="The data give the order, the level is a judgement. Distress decays (faster "
        "with partners' help), drags growth, feeds instability, and help from a willing "
        "patron deepens the helped state's dependence on it (ODD 7.10).",
    ),
    FieldGuide(
        name="patronage",
        unit="willingness to spend resources keeping partners close, 0-1",
        low=0.0,
        high=1.0,
        source="aid given (judgement)",
        data="No conversion. Cues: aid and credit given (OECD DAC statistics for Western "
        "donors, AidData for Chinese official finance, histories of Soviet credits), and "
        "whether the state has bailed out partners before.",
        example="`history/sino_soviet_1949`: the United States 0.7 (the Marshall Plan years), "
        "the USSR 0.6 (large technical aid to China on hard terms), China 0.3. "
        "`baseline_2024`: China 0.6 (keener than the West to help Russia, Bekkevold 2024), "
        "the United States 0.5, Russia 0.3; `russian_defeat_ukraine` samples China's over "
        "the whole range.",
        anchor=Anchor(_2024, "CHN", 0.6),
        extremes="0: no help in partners' distress and no counter-bids; 1: whatever it takes.",
        judgement=True,
        note="It scales the help a state gives partners in distress and the "
        "counter-bid it makes when a partner flirts with its rival (ODD 7.6, 7.10).",
    ),
)
"""Guide entries for the fields of ``[actors.ID]``."""

PAIR_GUIDE: tuple[FieldGuide, ...] = (
    FieldGuide(
        name="relation",
        unit="-1 hostile to +1 allied; `stance` is one side's, the relation the lower of the two",
        low=-1.0,
        high=1.0,
        source="COPDAB or Goldstein-scaled event data (project rule)",
        data="Event data: COPDAB (Azar 1980; `data/copdab_us_ussr_1948_1978.csv`, US-USSR "
        "1948-1978), or Goldstein-scaled event data such as ICEWS or GDELT (Goldstein 1992 "
        "weights each event from -10 to +10). Take the yearly mean of each side's net "
        "cooperation minus conflict toward the other. Without event data, read the sign from "
        "alliances (ATOP), rivalries (Thompson and Dreyer 2011) and MIDs, and place the "
        "level on the verbal scale above. `relation` sets both stances; "
        "`stance = { X = ... }` gives one side its own value.",
        convention="r = score / the largest magnitude in the series over the era, so the "
        "most hostile year on record maps to -1 and zero stays zero (data/HINDCAST.md). "
        "COPDAB levels are on the dataset's own scale: the linear map is the project's "
        "convention, not a measurement. The same rule for Goldstein-scaled data is a "
        "proposal no shipped file uses yet.",
        example="The US stance toward the USSR in `history/sino_soviet_1949`: COPDAB "
        "`us2ussr` 1949 = -12.01, and the largest magnitude in the 1948-1978 series is 15.31 "
        "(`ussr2us` 1948): -12.01 / 15.31 = -0.78. The Soviet side: the mean of `ussr2us` "
        "1948-1950, -9.59, / 15.31 = -0.63 (the single 1949 value, -3.90, is an outlier).",
        anchor=Anchor(_1949, "USA-RUS", -0.78),
        extremes="-1: war, or the most hostile year on record; 0: neutral (the default for an "
        "unlisted pair); +1: the closest alliance.",
        judgement=True,
        note="Where no event series exists (US-China in 1949, every pair in 2024) the level "
        "is a judgement placed on the verbal scale. Give the keener side its own `stance`: "
        "cooperation needs both sides, so the cooler side sets the relation.",
    ),
    FieldGuide(
        name="institutions",
        unit="stock of joint institutions (summits, consultations, exercises, exchanges), 0-1",
        low=0.0,
        high=1.0,
        source="ATOP obligations; counts of summits, consultations, exercises",
        data="ATOP (Leeds et al. 2002; `data/alliances_atop51.csv`) tells which formal "
        "obligations exist: defence, offence, neutrality, non-aggression, consultation. "
        "Counts of summits, strategic consultations, joint exercises and exchanges give the "
        "density (`data/present_day_indicators.csv`). Beware the alliance on paper: ATOP "
        "codes the 1950 Sino-Soviet defence pact until 1980, through the split and the 1969 "
        "border war (data/README.md).",
        example="China-Russia in `baseline_2024`: 0.7, from 18 rounds of strategic security "
        "consultations and 100+ joint exercises since 2003. In late 1949: China-USSR 0.15 "
        "(party ties and Soviet experts: thin), US-USSR 0.05 (the UN Security Council and "
        "little else), US-China 0 (no diplomatic relations).",
        anchor=Anchor(_2024, "CHN-RUS", 0.7),
        extremes="0: no diplomatic relations; 1: the densest web of ties two states can have.",
        judgement=True,
        note="No established conversion from treaties or counts. The model builds "
        "institutions by cooperation and dismantles them faster by hostility, and they slow "
        "every change of stance (ODD 7.5): a high value makes a relation hard to move either "
        "way.",
    ),
    FieldGuide(
        name="ideology_distance",
        unit="ideological distance, 0 same doctrine to 1 opposite systems",
        low=0.0,
        high=1.0,
        source="Freedom House / V-Dem / Polity gap (project rule)",
        data="Regime-type scores measure the gap on the democracy-autocracy axis: Freedom "
        "House's 0-100 aggregate score (recent decades; the survey starts in the 1970s), "
        "V-Dem's liberal democracy index (0-1, from 1789), Polity's `polity2` (-10 to +10, "
        "from 1800). They do not see doctrine: two autocracies of one creed, or of rival "
        "creeds, score alike.",
        convention="A first cut: distance = the "
        "gap in Freedom House aggregate scores / 100, or the gap in V-Dem's liberal "
        "democracy index, or the `polity2` gap / 20; then judge how far doctrine adds to "
        "the gap or narrows it.",
        example="`baseline_2024`: US-China 0.8, US-Russia 0.7, China-Russia 0.3. China and "
        "Russia both score near the bottom of every democracy index, so the gap rule puts "
        "them near 0; the 0.3 is a judgement ('different systems, a shared wish to keep "
        "Western ideas out', Bekkevold 2024). The 1949 file sets 0.9 between the United "
        "States and each communist state ('opposite systems'), a judgement: a regime-type "
        "gap measures democracy, not a contest between two universal doctrines.",
        anchor=Anchor(_2024, "CHN-RUS", 0.3),
        extremes="0: the same doctrine; 1: opposite systems. With doctrinal rivalry, "
        "closeness turns into friction.",
        judgement=True,
        note="A data-based first cut, then judgement. The model does not move distance; a "
        "shock or a time path does (ODD 7.2).",
    ),
    FieldGuide(
        name="doctrinal_rivalry",
        unit="contest to lead the same ideological camp, 0-1",
        low=0.0,
        high=1.0,
        source="Thompson-Dreyer rivalry types; judgement",
        data="Thompson and Dreyer (2011) type each strategic rivalry as spatial, positional, "
        "ideological or interventionary (`data/rivalries_1945_1975.csv`). An ideological "
        "rivalry between states of one doctrine is doctrinal rivalry; one between opposite "
        "camps (US-USSR) belongs in `ideology_distance`, not here. Public polemics between "
        "the two parties are the usual evidence of the level. In a hindcast the start of a "
        "rivalry is an outcome, not an input: the China-USSR rivalry coded from 1958 must "
        "emerge.",
        example="China-USSR in `history/sino_soviet_1949`: 0.1 (low before Stalin's death), "
        "then +0.2 with Khrushchev's secret speech in 1956 (sampled 0.1-0.3); the model does "
        "the rest. China-Russia 2024: 0 (no contest to lead a camp). US-USSR 1949: 0 (rival "
        "camps, not a contest inside one).",
        anchor=Anchor(_1949, "CHN-RUS", 0.1),
        extremes="0: no contest; 1: open schism, each claiming to lead the camp. It has no "
        "effect between opposite systems (distance 1).",
        judgement=True,
        note="The model grows it where both states care about a shared doctrine, "
        "from polemics and from approaching parity, and lets it fade slowly (ODD 7.2): set "
        "the start only.",
    ),
    FieldGuide(
        name="proximity",
        unit="geographic proximity, 0 oceans apart to 1 a long shared land border",
        low=0.0,
        high=1.0,
        source="COW contiguity; forces in contact",
        data="COW Direct Contiguity (Stinnett et al. 2002) codes a land or river border (type "
        "1) and separation by at most 12, 24, 150 or 400 miles of water (types 2-5). The "
        "shipped files also count where the two sides' forces face each other (bases, "
        "fleets), since in the model proximity lets capability be brought to bear; the "
        "locations of past MIDs (MIDLOC) show where forces have met.",
        convention="A long land border is 1; no "
        "border but forces facing each other 0.2-0.3; oceans apart with no forces in "
        "contact 0.",
        example="China-Russia: 1.0 in both eras (a 4,200 km land border). US-USSR 1949: 0.3 "
        "(the Bering Strait; forces face each other in Germany, Austria, Korea and Japan), "
        "as US-Russia in 2024 (NATO's eastern flank). US-China: 0.3 in 1949 (US forces in "
        "Japan, Okinawa, the Philippines; the Seventh Fleet), 0.2 in 2024.",
        anchor=Anchor(_1949, "USA-RUS", 0.3),
        extremes="0: oceans apart, no forces in contact; 1: a long shared land border.",
        judgement=True,
        note="A land border is data; every value in between is a judgement. The model does "
        "not move proximity; a shock or a time path does.",
    ),
    FieldGuide(
        name="disputes",
        unit="stakes in open disputes between the two, 0-1",
        low=0.0,
        high=1.0,
        source="MIDs, ICB crises, ICOW claims; judgement on stakes",
        data="MIDs (`data/mids_cow_v5_1946_1975.csv`: hostility level, years with a dispute), "
        "ICB crises (Brecher and Wilkenfeld) and the ICOW territorial, river and maritime "
        "claims (Hensel) identify and date the issues; ICOW also rates each claim's "
        "salience. How much is at stake on the 0-1 scale is a judgement.",
        example="US-USSR in `history/sino_soviet_1949`: 0.7 (Germany and Berlin, MID 26, "
        "1948-49, use of force; Eastern Europe; Korea; the MID file codes a US-USSR dispute "
        "in 22 of the 30 years 1946-1975). US-China: 0.4 in 1949 (Taiwan, China's UN seat), "
        "0.6 after the Korean War shock and 0.7 after the 1954 US-ROC treaty. US-Russia "
        "2024: 0.8 (the war in Ukraine, NATO enlargement).",
        anchor=Anchor(_1949, "USA-RUS", 0.7),
        extremes="0: no open dispute; 1: the largest stakes two states can dispute.",
        judgement=True,
        note="The data say which disputes exist and when; the level is a judgement. The "
        "model does not move disputes; a shock or a time path does.",
    ),
    FieldGuide(
        name="trust",
        unit="the named leader's trust in the other leader, 0 none, 0.5 neutral, 1 full",
        low=0.0,
        high=1.0,
        source="leader meetings, personal record (judgement)",
        data="No conversion. Evidence: the number of leaders' meetings and visits, and the "
        "personal record (humiliations, betrayals, promises kept or broken) in memoirs and "
        "histories.",
        example="China-Russia in `baseline_2024`: 0.8 each, from 42 Xi-Putin meetings "
        "2013-2023 (`present_day_indicators.csv`). China-USSR in late 1949: China 0.3 (Mao "
        "treated as a minor vassal in Moscow, Trofimov 2019; sampled 0.2-0.45), the USSR "
        "0.35 (Stalin's suspicion of Mao). US-USSR 1949: 0.15 each (Truman and Stalin after "
        "Potsdam and the Berlin blockade).",
        anchor=Anchor(_2024, "CHN→RUS", 0.8),
        extremes="0: no trust; 0.5: neutral, no record either way (the default, and no "
        "motive either way); 1: full personal trust.",
        judgement=True,
        note="Trust is personal: a change of leader resets it (see [Leader "
        "changes](#leader-changes)); the model builds it by cooperation and breaks it by "
        "hostility, betrayal and humiliation (ODD 7.4).",
    ),
    FieldGuide(
        name="dependence",
        unit="the named actor's structural dependence on the other, 0-1",
        low=0.0,
        high=1.0,
        source="COW dyadic trade shares; strategic import shares (project rule)",
        data="COW Dyadic Trade v4 (`data/trade_cow_v4.csv`, to 2014; `flow1` = imports of "
        "`state1` from `state2`), divided by the state's total trade (COW national totals "
        "or the IMF Direction of Trade Statistics), gives the partner's share of its trade. "
        "For a strategic good, take the partner's share of that import (Russia's share of "
        "China's crude imports, `present_day_indicators.csv`). Coded zeros in COW trade are "
        "gaps, not an end of trade (data/README.md).",
        convention="The larger of the partner's "
        "share of the state's total trade and its share of a strategic import without ready "
        "substitute, read directly as the level (0.2 = a fifth), raised by judgement for "
        "aid, credit or technology the state cannot replace.",
        example="`baseline_2024`: China on Russia 0.2, Russia's 19.6% share of China's crude "
        "imports in 2024; Russia on China 0.5, a judgement above any single share (China "
        "its first market and source of technology). `history/sino_soviet_1949`: China on "
        "the USSR 0.6 (one-way Soviet aid, sampled 0.45-0.75); US-USSR 0.02 each (US "
        "imports from the USSR USD 44m in 1949, exports 7m).",
        anchor=Anchor(_2024, "CHN→RUS", 0.2),
        extremes="0: no dependence; 1: cannot do without the partner.",
        judgement=True,
        note="Shares are data, the level is the convention above plus judgement. The value is "
        "structural: realised dependence falls as relations sour and sanctions bite, and "
        "sanctioned trade is diverted to other partners (ODD 7.3).",
    ),
    FieldGuide(
        name="reach",
        unit="the named actor's power-projection reach toward the other, 0-1",
        low=0.0,
        high=1.0,
        source="bases, fleets, long-range forces (judgement)",
        data="No conversion. Evidence: forces and bases near the other (the IISS *Military "
        "Balance*), navies and long-range aviation able to operate against it, missiles in "
        "range. Reach is directed: China's toward Russia and Russia's toward China differ.",
        example="`history/sino_soviet_1949`: the USSR toward China 0.8 (forces in the Far "
        "East, Mongolia and Port Arthur), China toward the USSR 0.2; the United States "
        "toward the USSR 0.7, the USSR toward the United States 0.4 (reach to US allies, not "
        "to the US). `baseline_2024`: China toward Russia 0.4 ('in no position to encircle "
        "Russia', Bekkevold 2024).",
        anchor=Anchor(_1949, "RUS→CHN", 0.8),
        extremes="0: cannot bring force to bear on the other; 1: can bring all of it.",
        judgement=True,
        note="The named actor's reach raises the threat the other perceives "
        "from it (ODD 7.1). The model does not move reach; a shock or a time path does.",
    ),
    FieldGuide(
        name="fear",
        unit="extra threat the named actor perceives from the other beyond Walt's terms "
        "(threat units, 0-1)",
        low=0.0,
        high=1.0,
        source="judgement, sized against the model's own threat",
        data="No dataset. Size it against the threat the model computes from Walt's terms "
        "(capacity times intent, ODD 7.1): the scenario files state it where they use fear.",
        example="Russia's fear of China in `baseline_2024`: 0.05 (sampled 0-0.15: the thinly "
        "populated Far East, Trofimov 2019). Shocks: Czechoslovakia adds 0.15 to China's "
        "fear of the USSR in 1968, about the whole Walt threat China perceives from a "
        "friendly USSR at the start (0.11, `history/sino_soviet_1949`); `far_east_tension` "
        "adds 0.05-0.4 to Russia's, where 0.15 more than doubles its Walt threat from China "
        "(about 0.12).",
        anchor=Anchor(_2024, "RUS→CHN", 0.05),
        extremes="0: no threat beyond Walt's terms (the default); 1: the greatest threat, "
        "whatever the capabilities.",
        judgement=True,
        note="The model does not move fear; a shock or a time path does.",
    ),
    FieldGuide(
        name="sanctions",
        unit="the named actor's sanctions on the other, 0 none to 1 embargo",
        low=0.0,
        high=1.0,
        source="TIES, GSDB; trade data for the bite",
        data="TIES (Morgan, Bapat and Kobayashi 2014) and the Global Sanctions Data Base "
        "(Felbermayr et al. 2020) say which sanctions are in force and of what kind (total "
        "or partial trade bans, export controls, financial, arms, travel). Trade data show "
        "the bite: Soviet imports from the US fell from USD 28m (1948) to 7m (1949) and 1m "
        "(1950) under the Export Control Act and COCOM (`trade_cow_v4.csv`).",
        convention="Anchors: 1 a total embargo (the US on China from December 1950: its "
        "exports to China nil from 1951, its imports from 1954); 0.6 a strategic export "
        "embargo while ordinary trade goes on (the US on the USSR, 1949); 0.2-0.3 controls "
        "or tariffs on "
        "part of trade (the US on China in 1949 and 2024); 0.8 broad sanctions such as the "
        "US on Russia after 2022.",
        example="US sanctions on the USSR in `history/sino_soviet_1949`: 0.6, the strategic "
        "embargo above; set to 1 on China by the Korean War embargo shock.",
        anchor=Anchor(_1949, "USA→RUS", 0.6),
        extremes="0: none; 1: an embargo, no trade at all.",
        judgement=True,
        note="0 and 1 are data; levels between are judgements on the anchors above. Sanctions "
        "on the books bite in proportion to the sanctioner's hostility, so an embargo "
        "relaxes as relations warm (ODD 7.3).",
    ),
)
"""Guide entries for the fields of ``[pairs.A-B]`` (``relation`` covers ``stance``)."""

GUIDE: dict[str, FieldGuide] = {
    field: entry for entry in (*ACTOR_GUIDE, *PAIR_GUIDE) for field in entry.fields
}
"""Every situational field -> its guide entry (``relation`` and ``stance`` share one)."""

RELATION_SCALE: tuple[ScalePoint, ...] = (
    ScalePoint(-1.0, "the floor: war, or the most hostile year on record (under the COPDAB "
               "rule, the USSR toward the US in 1948, -15.31)"),
    ScalePoint(-0.78, "Cold War hostility: the US toward the USSR in 1949 (COPDAB -12.01 / "
               "15.31)", Anchor(_1949, "USA-RUS", -0.78)),
    ScalePoint(-0.6, "open hostility short of war between great powers: the US and Russia in "
               "2024 (sanctions, the war in Ukraine)", Anchor(_2024, "USA-RUS", -0.6)),
    ScalePoint(-0.5, "a new rivalry before any war: China and the US in late 1949",
               Anchor(_1949, "USA-CHN", -0.5)),
    ScalePoint(-0.4, "rivalry between entangled economies: the US and China in 2024",
               Anchor(_2024, "USA-CHN", -0.4)),
    ScalePoint(0.4, "an alignment before a treaty: China and the USSR in late 1949, Moscow "
               "the cooler side", Anchor(_1949, "CHN-RUS", 0.4)),
    ScalePoint(0.6, "a close partnership: China and Russia in 2024 ('best in history' in "
               "both leaders' words)", Anchor(_2024, "CHN-RUS", 0.6)),
    ScalePoint(1.0, "the ceiling: the closest alliance"),
)  # fmt: skip
"""Points of the verbal scale that shipped files fix; the outcome thresholds and the
neutral default are added from the schema when the scale is rendered."""
