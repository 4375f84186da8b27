"""Reading tabular datasets with pyarrow, their row steps, and their profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.data.filesystems import translated
from jupyter_mlws.entities import DatasetFile
from jupyter_mlws.exceptions import InvalidParameterError, MissingExtraError

if TYPE_CHECKING:
    from jupyter_mlws.data.dataset import TabularDataset


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.csv
        import pyarrow.parquet
    except ModuleNotFoundError:
        raise MissingExtraError("pyarrow", "data") from None
    return pyarrow


def read_table(ds: TabularDataset, files: Sequence[DatasetFile]) -> Any:
    pa = _pyarrow()
    fs, _ = ds.datastore.filesystem()
    base = ds.base_path()
    paths = [f"{base}/{f.path}" if f.path else base for f in files]
    if len(files) == 1 and ds.base_path().endswith("/" + files[0].path):
        paths = [base]
    fmt = ds.reader.get("format")
    what = f"reading {ds._what()}"
    if fmt == "parquet":
        parts = [_translated_parquet(what, pa, ds, fs, p, f.size) for p, f in zip(paths, files)]
        table = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="default")
    elif fmt == "csv":
        table = pa.concat_tables(
            [_read_csv(pa, fs, p, ds.reader) for p in paths], promote_options="default"
        )
    else:
        raise InvalidParameterError(f"unknown tabular format {fmt!r}")
    return apply_steps(pa, table, ds.reader.get("steps", []))


def _translated_parquet(
    what: str, pa: Any, ds: TabularDataset, fs: Any, path: str, size: int
) -> Any:
    return translated(what, lambda: _read_parquet(pa, ds, fs, path, size))


def _read_parquet(pa: Any, ds: TabularDataset, fs: Any, path: str, size: int) -> Any:
    if ds.datastore.is_local:
        return pa.parquet.read_table(path)
    # The listing that checked the version gave the size: no second HEAD per file.
    with fs.open(path, "rb", size=size) as fh:
        return pa.parquet.read_table(fh)


def _read_csv(pa: Any, fs: Any, path: str, reader: dict[str, Any]) -> Any:
    parse = pa.csv.ParseOptions(delimiter=reader.get("separator", ","))
    read = pa.csv.ReadOptions(autogenerate_column_names=not reader.get("header", True))
    try:
        with fs.open(path, "rb") as fh:
            return pa.csv.read_csv(fh, read_options=read, parse_options=parse)
    except pa.ArrowInvalid as exc:  # ragged rows, bad quoting, …
        line = str(exc).strip().splitlines()[0]
        raise InvalidParameterError(f"{path.rsplit('/', 1)[-1]}: {line}") from None


def apply_steps(pa: Any, table: Any, steps: Sequence[dict[str, Any]]) -> Any:
    import numpy as np

    for step in steps:
        op = step.get("op")
        if op == "take":
            table = table.slice(0, int(step["n"]))
        elif op == "skip":
            table = table.slice(int(step["n"]))
        elif op == "split":
            rng = np.random.default_rng(int(step["seed"]))
            first = rng.random(table.num_rows) < float(step["p"])
            mask = first if int(step["part"]) == 0 else ~first
            table = table.filter(pa.array(mask))
        else:
            raise InvalidParameterError(f"unknown dataset step {op!r}")
    return table


def profile(table: Any) -> dict[str, Any]:
    pa = _pyarrow()
    columns = []
    for name, column in zip(table.column_names, table.columns):
        entry: dict[str, Any] = {
            "name": name,
            "type": str(column.type),
            "nulls": int(column.null_count),
            "min": None,
            "max": None,
        }
        if column.num_chunks and (
            pa.types.is_integer(column.type)
            or pa.types.is_floating(column.type)
            or pa.types.is_temporal(column.type)
            or pa.types.is_string(column.type)
            or pa.types.is_boolean(column.type)
        ):
            try:
                bounds = pa.compute.min_max(column).as_py()
                entry["min"], entry["max"] = _plain(bounds["min"]), _plain(bounds["max"])
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
                pass
        columns.append(entry)
    return {"rows": int(table.num_rows), "columns": columns}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # dates and timestamps as ISO text
