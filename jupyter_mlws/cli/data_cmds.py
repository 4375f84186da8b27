"""``mlws datastore …`` and ``mlws dataset …``: storage connections and versioned data."""

from __future__ import annotations

from typing import Any

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.cli.params import parse_pairs
from jupyter_mlws.entities import DatasetVersion

DATASTORE_COLUMNS = ["name", "url", "options"]
DATASET_COLUMNS = ["dataset", "kind", "datastore", "pattern", "files", "created", "run"]


def _options_text(options: dict[str, Any]) -> dict[str, str]:
    return {
        k: f"<secret {v['secret']}>" if isinstance(v, dict) else str(v) for k, v in options.items()
    }


def dataset_row(v: DatasetVersion) -> dict[str, object]:
    return {
        "dataset": v.ref,
        "kind": v.kind,
        "datastore": v.datastore,
        "pattern": v.pattern,
        "files": f"{v.file_count} ({v.total_bytes} B)",
        "created": fmt_time(v.created_ms),
        "run": v.run_id[:8] if v.run_id else "",
    }


# ---- datastores ------------------------------------------------------------------------
@click.group("datastore")
def datastore() -> None:
    """Named storage connections (file://, s3://, az://, gs://)."""


@datastore.command("register")
@click.argument("name")
@click.argument("url")
@click.option("-o", "--option", "options", multiple=True, help="key=value storage option.")
@click.option(
    "-s",
    "--secret-option",
    "secret_options",
    multiple=True,
    help="key=SECRET: an option (credential) taken from the key vault.",
)
@click.option("--overwrite", is_flag=True, help="Replace a datastore of that name.")
@json_option
def register_datastore(
    name: str,
    url: str,
    options: tuple[str, ...],
    secret_options: tuple[str, ...],
    overwrite: bool,
) -> None:
    """Register URL as datastore NAME (credentials only as key-vault secrets)."""
    from jupyter_mlws.data import Datastore
    from jupyter_mlws.data.filesystems import CREDENTIAL_OPTIONS

    plain: dict[str, Any] = dict(parse_pairs(options, "--option"))
    clear = sorted(set(plain) & CREDENTIAL_OPTIONS)
    if clear:
        raise click.UsageError(
            f"{clear[0]} is a credential: store it with `mlws secret set NAME` and pass "
            f"--secret-option {clear[0]}=NAME (argv is visible to other users)"
        )
    for key, secret in parse_pairs(secret_options, "--secret-option").items():
        plain[key] = {"secret": secret}
    ctx = get_ctx()
    store = Datastore.register(ctx.workspace(), name, url, plain, overwrite=overwrite)
    ctx.out.record(_datastore_fields(store.to_dict()), data=store.to_dict())


def _datastore_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"], "url": data["url"], "options": _options_text(data["options"])}


@datastore.command("list")
@json_option
def list_datastores() -> None:
    """Every datastore, the default (workspaceblobstore) first."""
    stores = [d.to_dict() for d in get_ctx().workspace().datastores.values()]
    get_ctx().out.table([_datastore_fields(d) for d in stores], DATASTORE_COLUMNS, data=stores)


@datastore.command("show")
@click.argument("name")
@json_option
def show_datastore(name: str) -> None:
    from jupyter_mlws.data import Datastore

    data = Datastore.get(get_ctx().workspace(), name).to_dict()
    get_ctx().out.record(_datastore_fields(data), data=data)


@datastore.command("delete")
@click.argument("name")
@json_option
def delete_datastore(name: str) -> None:
    """Forget datastore NAME (its data is not touched; refused while datasets use it)."""
    from jupyter_mlws.data import Datastore

    Datastore.get(get_ctx().workspace(), name).unregister()
    get_ctx().out.record({"deleted": name})


@datastore.command("upload")
@click.argument("name")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("-t", "--target", default="", help="Folder on the datastore.")
@click.option("--overwrite", is_flag=True)
@json_option
def upload(name: str, src: str, target: str, overwrite: bool) -> None:
    """Upload the folder SRC to datastore NAME."""
    from jupyter_mlws.data import Datastore

    store = Datastore.get(get_ctx().workspace(), name)
    store.upload(src, target, overwrite=overwrite)
    get_ctx().out.record({"datastore": name, "uploaded": src, "target": target or "/"})


@datastore.command("download")
@click.argument("name")
@click.option("-p", "--prefix", default="", help="Folder on the datastore.")
@click.option("-o", "--out", "target", default=".", show_default=True, type=click.Path())
@click.option("--overwrite", is_flag=True)
@json_option
def download_datastore(name: str, prefix: str, target: str, overwrite: bool) -> None:
    """Download the files under PREFIX of datastore NAME."""
    from jupyter_mlws.data import Datastore

    store = Datastore.get(get_ctx().workspace(), name)
    count = store.download(target, prefix=prefix, overwrite=overwrite)
    get_ctx().out.record({"datastore": name, "files": count, "path": target})


# ---- datasets ----------------------------------------------------------------------------
@click.group("dataset")
def dataset() -> None:
    """Versioned datasets, their profiles and lineage."""


@dataset.command("register")
@click.argument("name")
@click.argument("pattern")
@click.option("-d", "--datastore", "store_name", default="workspaceblobstore", show_default=True)
@click.option(
    "--tabular",
    type=click.Choice(["csv", "parquet"]),
    help="A tabular dataset of CSV or Parquet files (default: a file dataset).",
)
@click.option("--separator", default=",", show_default=True, help="CSV separator.")
@click.option("--description")
@json_option
def register_dataset(
    name: str,
    pattern: str,
    store_name: str,
    tabular: str | None,
    separator: str,
    description: str | None,
) -> None:
    """Register what PATTERN matches (e.g. 'images/**') as the next version of NAME
    (unchanged data keeps its version)."""
    from jupyter_mlws.data import Dataset, Datastore

    ws = get_ctx().workspace()
    path = (Datastore.get(ws, store_name), pattern)
    if tabular == "csv":
        ds: Any = Dataset.Tabular.from_delimited_files(path, separator=separator)
    elif tabular == "parquet":
        ds = Dataset.Tabular.from_parquet_files(path)
    else:
        ds = Dataset.File.from_files(path)
    version = ds.register(ws, name, description=description, create_new_version=True)
    info = version.version_info
    get_ctx().out.record(dataset_row(info), data=info.to_dict())


@dataset.command("list")
@click.argument("name", required=False)
@json_option
def list_datasets(name: str | None) -> None:
    """The latest version of every dataset, or every version of NAME."""
    from jupyter_mlws.data import Dataset

    found = Dataset.list(get_ctx().workspace(), name)
    get_ctx().out.table(
        [dataset_row(v) for v in found], DATASET_COLUMNS, data=[v.to_dict() for v in found]
    )


def _get(ref: str) -> Any:
    from jupyter_mlws.data import Dataset

    return Dataset.get(get_ctx().workspace(), ref)


@dataset.command("show")
@click.argument("ref")
@json_option
def show_dataset(ref: str) -> None:
    """One version: NAME (latest) or NAME:VERSION."""
    ds = _get(ref)
    info = ds.version_info
    fields = {
        **dataset_row(info),
        "fingerprint": info.fingerprint,
        "reader": info.reader,
        "description": info.description or "",
    }
    get_ctx().out.record(fields, data=info.to_dict())


@dataset.command("profile")
@click.argument("ref")
@json_option
def profile(ref: str) -> None:
    """Rows, and per column: type, nulls, min, max (computed once per version)."""
    ds = _get(ref)
    if ds.version_info.kind != "tabular":
        raise click.UsageError(f"dataset {ds.ref} is a file dataset: only tabular ones profile")
    result = ds.get_profile()
    get_ctx().out.table(result["columns"], ["name", "type", "nulls", "min", "max"], data=result)
    if not get_ctx().json:
        get_ctx().out.text(f"{result['rows']} rows")


@dataset.command("download")
@click.argument("ref")
@click.option("-o", "--out", "target", default=".", show_default=True, type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@json_option
def download_dataset(ref: str, target: str, force: bool) -> None:
    """Write a dataset version's files into a folder."""
    ds = _get(ref)
    paths = ds.download(target, overwrite=force)
    get_ctx().out.record({"dataset": ds.ref, "files": len(paths), "path": target})


@dataset.command("lineage")
@click.argument("ref")
@json_option
def lineage(ref: str) -> None:
    """dataset → runs that read or wrote it → models registered from them → endpoints."""
    ds = _get(ref)
    result = ds.lineage()
    fields = {
        "dataset": result["dataset"],
        "written by": ", ".join(result["written_by"]),
        "read by": ", ".join(result["read_by"]),
        "read after it changed": ", ".join(result["changed_in"]),
        "models": ", ".join(m["model"] for m in result["models"]),
        "endpoints": ", ".join(e["endpoint"] for e in result["endpoints"]),
    }
    get_ctx().out.record(fields, data=result)
