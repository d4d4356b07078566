"""Read scenario files: TOML, ``extends`` chains, and validation into :class:`Scenario`.

A scenario file is data. It is parsed with :mod:`tomllib`, merged with the
files it ``extends`` and validated by pydantic; nothing in it is evaluated or
imported. Errors become :class:`InputError` naming the file, the field and
what is allowed.

Merging rules for ``extends`` (a path, or a list of paths merged in order,
each relative to the file that names it):

- tables merge key by key, the extending file winning;
- ``shocks`` and ``levers`` merge by ``name`` (an item with a known name
  updates that item, a new name is appended); ``uncertain`` merges by
  ``parameter``;
- ``calibration`` is resolved relative to the file that sets it, and so is
  each ``csv`` of a time path, which is read into its points there.
"""

from __future__ import annotations

import csv
import math
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario, metadata_bounds

_KEYED_LISTS = {"shocks": "name", "levers": "name", "uncertain": "parameter"}
_KEY_MEANING = {
    "shocks": "the shock's name",
    "levers": "the lever's name",
    "uncertain": "a path such as 'threat_speed' or 'actors.RUS.growth'",
}


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning I/O and syntax errors into :class:`InputError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            path, "", f"cannot be read as UTF-8 text ({exc.__class__.__name__})"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "", f"TOML syntax error: {exc}") from None


_DEFAULT_CALIBRATION = "\x00default calibration"
"""Where the calibration is when no file of a chain names one: beside the first base.

Kept apart from ``calibration`` while merging, so that a file that names none
(a file of shocks only, extended after the base) cannot replace the one its
chain inherits.
"""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key == _DEFAULT_CALIBRATION and key in out:
            continue  # the first base's default stands
        if key in _KEYED_LISTS and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_keyed(out[key], value, _KEYED_LISTS[key])
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _merge_keyed(base: list[Any], over: list[Any], key: str) -> list[Any]:
    out = list(base)
    index = {
        item[key]: i
        for i, item in enumerate(out)
        if isinstance(item, dict) and isinstance(item.get(key), str)
    }
    for item in over:
        name = item.get(key) if isinstance(item, dict) else None
        if isinstance(name, str) and name in index:
            out[index[name]] = _merge(out[index[name]], item)
        else:
            out.append(item)
    return out


def _check_keyed_lists(data: dict[str, Any], path: Path) -> None:
    """The names that ``extends`` merges by (shock and lever names, uncertain paths) are strings.

    They are checked file by file, before merging, so that the error names the
    file and the entry as written there.
    """
    for table, key in _KEYED_LISTS.items():
        items = data.get(table)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict) and key in item and not isinstance(item[key], str):
                raise InputError(
                    path,
                    f"{table}[{i}].{key}",
                    f"must be a string, {_KEY_MEANING[table]} (got {item[key]!r})",
                )


def _resolve(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """Read ``path`` and everything it extends, merged; ``chain`` detects cycles."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise InputError(chain[-1], "extends", f"cycle of extends: {cycle}")
    data = read_toml(path)
    _check_keyed_lists(data, path)
    _read_path_files(data, path)
    if "calibration" in data:
        if not isinstance(data["calibration"], str):
            raise InputError(path, "calibration", "must be a path (a string)")
        data["calibration"] = str((path.parent / data["calibration"]).resolve())
    parents = data.pop("extends", [])
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise InputError(path, "extends", "must be a path or a list of paths to scenario files")
    merged: dict[str, Any] = {}
    for parent in parents:
        target = path.parent / parent
        if not target.is_file():
            raise InputError(path, "extends", f"{parent!r} not found (looked in {target.parent})")
        merged = _merge(merged, _resolve(target, (*chain, path)))
    merged = _merge(merged, data)
    if "calibration" not in merged and _DEFAULT_CALIBRATION not in merged:
        merged[_DEFAULT_CALIBRATION] = str((path.parent / "calibration.toml").resolve())
    return merged


def _path_tables(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(field path, table)`` of every table in ``actors`` and ``pairs`` that names a CSV."""
    found = []
    for top in ("actors", "pairs"):
        entries = data.get(top)
        if not isinstance(entries, dict):
            continue
        for key, fields in entries.items():
            if not isinstance(fields, dict):
                continue
            for name, value in fields.items():
                where = f"{top}.{key}.{name}"
                if isinstance(value, dict) and "csv" in value:
                    found.append((where, value))
                elif isinstance(value, dict):
                    found += [
                        (f"{where}.{who}", v)
                        for who, v in value.items()
                        if isinstance(v, dict) and "csv" in v
                    ]
    return found


def _read_path_files(data: dict[str, Any], path: Path) -> None:
    """Read every time path given as a CSV, relative to ``path``, into its points.

    The file is read as text (:mod:`csv`): a ``year`` column and the
    ``column`` of values, rows filtered by ``where``. The table keeps the
    resolved file name and gains ``path``, so the scenario as run carries
    the points it used.
    """
    for where, table in _path_tables(data):
        name, column, keep = table["csv"], table.get("column", "value"), table.get("where", {})
        if not isinstance(name, str):
            raise InputError(path, f"{where}.csv", "must be a path to a CSV file (a string)")
        if not isinstance(column, str):
            raise InputError(path, f"{where}.column", "must be a column name (a string)")
        if not isinstance(keep, dict):
            raise InputError(path, f"{where}.where", 'must be a table, e.g. { state = "CHN" }')
        target = (path.parent / name).resolve()
        table["csv"] = str(target)
        table["path"] = _csv_points(target, column, keep, path, where)


def _csv_points(
    target: Path, column: str, keep: dict[str, Any], path: Path, where: str
) -> list[list[float]]:
    """``[[year, value], ...]`` from a CSV file, in file order."""
    if not target.is_file():
        raise InputError(
            path, f"{where}.csv", f"{target.name!r} not found (looked in {target.parent})"
        )
    try:
        with target.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
            header = list(rows[0]) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"{where}.csv", f"cannot be read as CSV ({exc})") from None
    for need in ("year", column, *keep):
        if need not in header:
            raise InputError(
                path,
                f"{where}.csv",
                f"{target.name} has no column {need!r}; its columns: {', '.join(header) or 'none'}",
            )
    points = []
    for k, row in enumerate(rows, start=2):  # line numbers: the header is line 1
        if not all(_same(row[c], v) for c, v in keep.items()):
            continue
        try:
            year, value = float(row["year"]), float(row[column])
        except ValueError:
            raise InputError(
                path,
                f"{where}.csv",
                f"{target.name} line {k}: year {row['year']!r} and {column} {row[column]!r} must "
                "both be numbers",
            ) from None
        if not (math.isfinite(year) and math.isfinite(value)):
            raise InputError(path, f"{where}.csv", f"{target.name} line {k}: not a finite number")
        points.append([year, value])
    if not points:
        raise InputError(path, f"{where}.csv", f"{target.name}: no row matches where = {keep}")
    return points


def _same(cell: str, wanted: Any) -> bool:
    """Whether a CSV cell holds the wanted value (compared as numbers when both are numbers)."""
    if isinstance(wanted, bool) or not isinstance(wanted, int | float):
        return cell.strip() == str(wanted)
    try:
        return float(cell) == float(wanted)
    except ValueError:
        return False


_UNION_TAGS = {"Distribution", "GridAxis", "Number", "Table"}


def _is_tag(part: Any) -> bool:
    """Whether a location part is a pydantic union-member tag, not a field."""
    return isinstance(part, str) and ("[" in part or part in _UNION_TAGS)


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union-member tags (``function-after[...]``, class names) from a location."""
    return tuple(p for p in loc if not _is_tag(p))


def field_path(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into ``levers[0].target`` form."""
    out = ""
    for part in _clean(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """Field names allowed at the table that holds ``loc[-1]``, for unknown-field errors."""
    holder = _holder(model, loc)
    return list(holder.model_fields) if holder is not None else None


def _bounds_text(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """`` in [1, 1000000]`` (or one side) for the field at ``loc``, if it has bounds."""
    holder = _holder(model, loc)
    info = holder.model_fields.get(loc[-1]) if holder is not None and loc else None
    if info is None:
        return ""
    lo, hi, lo_open, hi_open = metadata_bounds(info.metadata)
    if lo is not None and hi is not None:
        return f" in {'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
    if lo is not None:
        return f" {'>' if lo_open else '>='} {lo}"
    if hi is not None:
        return f" {'<' if hi_open else '<='} {hi}"
    return ""


def _holder(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class of the table that holds ``loc[-1]``, or ``None`` if not a model."""
    current: Any = model
    keyed = False  # the next part is a key of a table of models (an actor id, a pair)
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        if keyed:
            keyed = False
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            current = _inner_model(info.annotation) if info else None
            keyed = info is not None and getattr(info.annotation, "__origin__", None) is dict
        else:
            current = None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside ``list[X]``, ``dict[str, X]`` or ``X``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _first_error(errors: list[Any]) -> Any:
    """The pydantic error to report: the first, or the best fit's first for a union.

    A table that fits no member of a union (a sweep's ``uncertain`` entry is a
    ``Distribution`` or a ``GridAxis``) is reported with the first error of the
    member that knows every key the table has, if one does; otherwise a grid
    axis with a bad value would be reported as a distribution with an unknown
    field ``values``.
    """
    first = errors[0]
    tag_at = next((k for k, p in enumerate(first["loc"]) if _is_tag(p)), None)
    if tag_at is None:
        return first
    prefix = first["loc"][:tag_at]
    members: dict[str, list[Any]] = {}
    for err in errors:
        loc = err["loc"]
        if loc[:tag_at] == prefix and len(loc) > tag_at and _is_tag(loc[tag_at]):
            members.setdefault(loc[tag_at], []).append(err)
    for found in members.values():
        if not any(e["type"] == "extra_forbidden" for e in found):
            return found[0]
    return first


def validation_error(path: Path, model: type[BaseModel], exc: ValidationError) -> InputError:
    """The first pydantic error as an :class:`InputError` with what is allowed."""
    err = _first_error(exc.errors(include_url=False))
    loc = _clean(tuple(err["loc"]))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_fields(model, loc)
        msg = "unknown field"
        if allowed:
            msg += f"; allowed: {', '.join(allowed)}"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif err["type"] == "int_parsing_size":  # pydantic: "Unable to parse input string ..."
        msg = f"must be a whole number{_bounds_text(model, loc)} (got {err['input']!r})"
    elif "input" in err and err["type"] not in ("value_error", "assertion_error"):
        msg = f"{msg} (got {err['input']!r})"
    head, sep, tail = msg.partition(": ")
    if not loc and sep and " " not in head:
        # Cross-field checks name their field at the start of the message.
        return InputError(path, head, tail)
    return InputError(path, field_path(loc), msg)


def scenario_dict(path: str | Path) -> dict[str, Any]:
    """The merged, unvalidated content of a scenario file and what it extends."""
    merged = _resolve(Path(path), ())
    default = merged.pop(_DEFAULT_CALIBRATION, None)
    merged.setdefault("calibration", default)
    return merged


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge and validate a scenario file.

    Parameters
    ----------
    path
        The scenario TOML file.
    overrides
        Optional table merged on top of the file (same rules as ``extends``),
        for notebooks and sweeps that change one value.

    Raises
    ------
    InputError
        For any problem with the file or what it extends.
    """
    path = Path(path)
    data = scenario_dict(path)
    if overrides:
        data = _merge(data, overrides)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, Scenario, exc) from None
