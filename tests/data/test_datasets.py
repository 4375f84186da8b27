"""Datastores and datasets, the same suite on file://, moto's S3 server and Azurite."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pytest
from object_storage.servers import S3Server, StorageBackend

from jupyter_mlws import Workspace
from jupyter_mlws.data import Dataset, DatasetChangedWarning, Datastore
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)


def test_datastore_keeps_credentials_only_as_key_vault_references(
    ws: Workspace, backend: StorageBackend
) -> None:
    store = backend.register(ws, "raw")
    assert Datastore.get(ws, "raw").url == store.url
    record = ws.store.get_datastore("raw")
    clear = [v for v in record.options.values() if isinstance(v, str)]
    if backend.kind != "file":
        refs = [v for v in record.options.values() if isinstance(v, dict)]
        assert refs and all(set(r) == {"secret"} for r in refs)
        secret = ws.get_default_keyvault().get_secret(refs[0]["secret"])
        db = Path(ws.db_url.removeprefix("sqlite:///")).read_bytes()
        assert secret.encode() not in db
        assert secret not in (ws.root / "workspace.json").read_text()
        assert secret not in json.dumps(store.to_dict()) and secret not in clear
    assert "raw" in ws.datastores and "workspaceblobstore" in ws.datastores
    with pytest.raises(ResourceAlreadyExistsError):
        backend.register(ws, "raw")


def test_upload_and_download_round_trip(
    ws: Workspace, backend: StorageBackend, tmp_path: Path
) -> None:
    store = backend.register(ws, "raw")
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha")
    (src / "sub" / "b.txt").write_text("beta")
    store.upload(src, "up")
    assert store.download(tmp_path / "out", prefix="up") == 2
    assert (tmp_path / "out" / "sub" / "b.txt").read_text() == "beta"
    assert store.download(tmp_path / "out", prefix="up") == 0  # existing files kept


def test_file_dataset_versions_follow_the_data(
    ws: Workspace, backend: StorageBackend, tmp_path: Path
) -> None:
    for i in range(3):
        backend.write(f"images/{i}.png", b"x" * (i + 1))
    backend.write("other/skip.txt", b"no")
    store = backend.register(ws, "raw")
    ds = Dataset.File.from_files(path=(store, "images/**"))
    assert sorted(ds.to_path()) == ["/0.png", "/1.png", "/2.png"]
    v1 = ds.register(ws, "imgs")
    assert v1.version == 1
    again = Dataset.File.from_files(path=(store, "images/**")).register(ws, "imgs")
    assert again.version == 1  # same data, same version

    backend.write("images/1.png", b"changed!")
    with pytest.raises(ResourceAlreadyExistsError, match="create_new_version"):
        ds.register(ws, "imgs")
    v2 = ds.register(ws, "imgs", create_new_version=True)
    assert v2.version == 2 and v2.fingerprint != v1.fingerprint
    assert Dataset.get_by_name(ws, "imgs").version == 2
    assert Dataset.get_by_name(ws, "imgs", version=1).fingerprint == v1.fingerprint
    assert [d.ref for d in Dataset.list(ws)] == ["imgs:2"]

    old = Dataset.get_by_name(ws, "imgs", 1)
    with pytest.warns(DatasetChangedWarning, match=r"imgs:1 changed .*1 changed, 0 added"):
        paths = old.download(tmp_path / "dl")
    assert len(paths) == 3

    current = Dataset.get_by_name(ws, "imgs")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unchanged version warns of nothing
        with current.mount() as mounted:
            assert (Path(mounted) / "1.png").read_bytes() == b"changed!"
        target = tmp_path / "dl2"
        current.download(target)
        assert (target / "2.png").read_bytes() == b"xxx"
        with pytest.raises(ResourceAlreadyExistsError):
            current.download(target)
        current.download(target, overwrite=True)


def test_tabular_csv_and_parquet(ws: Workspace, backend: StorageBackend) -> None:
    import pandas as pd

    frame = pd.DataFrame({"x": range(100), "y": [float(i) / 2 for i in range(100)]})
    frame.loc[3, "y"] = None
    buf = io.BytesIO()
    frame.to_parquet(buf)
    backend.write("tables/part.parquet", buf.getvalue())
    backend.write("csv/a.csv", frame.iloc[:60].to_csv(index=False).encode())
    backend.write("csv/b.csv", frame.iloc[60:].to_csv(index=False).encode())
    store = backend.register(ws, "raw")

    pq = Dataset.Tabular.from_parquet_files(path=(store, "tables/part.parquet")).register(
        ws, "table"
    )
    df = pq.to_pandas_dataframe()
    assert list(df["x"]) == list(range(100))
    csv = Dataset.Tabular.from_delimited_files(path=(store, "csv/*.csv"))
    assert len(csv.to_pandas_dataframe()) == 100
    assert list(csv.skip(10).take(5).to_pandas_dataframe()["x"]) == [10, 11, 12, 13, 14]
    train, test = csv.random_split(0.8, seed=7)
    a, b = train.to_pandas_dataframe(), test.to_pandas_dataframe()
    assert len(a) + len(b) == 100 and not set(a["x"]) & set(b["x"])
    assert list(train.to_pandas_dataframe()["x"]) == list(a["x"])  # same seed, same split

    profile = pq.get_profile()
    assert profile["rows"] == 100
    y = next(c for c in profile["columns"] if c["name"] == "y")
    assert y["nulls"] == 1 and y["min"] == 0.0 and y["max"] == 49.5
    assert ws.store.dataset_profile("table", 1) == profile  # stored once per version


def test_bad_input_is_one_line_and_named(ws: Workspace, backend: StorageBackend) -> None:
    backend.write("csv/ragged.csv", b"a,b,c\n1,2,3\n4,5\n")
    store = backend.register(ws, "raw")
    with pytest.raises(ResourceNotFoundError, match=r"'nothing/\*\*' matches no files"):
        Dataset.File.from_files(path=(store, "nothing/**"))
    ragged = Dataset.Tabular.from_delimited_files(path=(store, "csv/ragged.csv"))
    with pytest.raises(InvalidParameterError, match=r"ragged.csv: .*Expected 3 columns") as info:
        ragged.to_pandas_dataframe()
    assert "\n" not in str(info.value)
    ragged.register(ws, "ragged")
    with pytest.raises(ResourceNotFoundError, match="dataset 'ragged' has no version 7"):
        Dataset.get_by_name(ws, "ragged", 7)
    with pytest.raises(ResourceNotFoundError, match="dataset 'nope' does not exist"):
        Dataset.get_by_name(ws, "nope")


def test_wrong_credentials_and_missing_buckets(
    ws: Workspace, request: pytest.FixtureRequest
) -> None:
    from object_storage.servers import AZURITE_ACCOUNT, S3_KEY

    s3 = request.getfixturevalue("s3_server")
    s3.make_bucket("exists")
    with pytest.raises(ResourceNotFoundError, match=r"datastore 'gone'.*not found"):
        Datastore.register_s3(
            ws,
            "gone",
            "no-such-bucket",
            access_key=S3_KEY,
            secret_key="x",
            endpoint_url=s3.endpoint,
        )
    assert "gone" not in ws.datastores  # nothing half-written
    strict = S3Server.start(enforce_auth=True)
    try:
        with pytest.raises(InvalidParameterError, match=r"datastore 'badcreds'.*access denied"):
            Datastore.register_s3(
                ws, "badcreds", "any-bucket", access_key="wrong", secret_key="wrong",
                endpoint_url=strict.endpoint,
            )  # fmt: skip
    finally:
        strict.stop()
    assert "badcreds" not in ws.datastores
    from object_storage.servers import azurite_missing_reason

    if azurite_missing_reason() is None:
        azurite = request.getfixturevalue("azurite_server")
        with pytest.raises(InvalidParameterError, match="access denied"):
            Datastore.register_azure_blob_container(
                ws,
                "badkey",
                "nocontainer",
                account_name=AZURITE_ACCOUNT,
                account_key="d3JvbmcK" * 11,
                blob_endpoint=azurite.blob_endpoint,
            )
