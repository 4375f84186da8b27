"""v1 datasets and datastores, written as v1 code is: upload to the default datastore,
register and read back by name and version, named inputs of submitted v1 runs (direct,
mount, download), run outputs, URL paths, and typed errors for bad input."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

IRIS = (
    "sepal_length,sepal_width,petal_length,petal_width,species\n"
    "5.1,3.5,1.4,0.2,setosa\n"
    "4.9,3.0,1.4,0.2,setosa\n"
    "7.0,3.2,4.7,1.4,versicolor\n"
    "6.4,3.2,4.5,1.5,versicolor\n"
    "6.3,3.3,6.0,2.5,virginica\n"
)

# A training script as v1 samples write it: the dataset comes from the run's inputs.
TRAIN = """\
import argparse, os
from azureml.core import Dataset, Run

parser = argparse.ArgumentParser()
parser.add_argument("--input-id")
parser.add_argument("--data-folder")
parser.add_argument("--out")
args = parser.parse_args()

run = Run.get_context()
iris = run.input_datasets["iris"]
df = iris.to_pandas_dataframe()
run.log("rows", len(df))
run.log("columns", len(df.columns))
same = Dataset.get_by_id(run.experiment.workspace, id=args.input_id)
run.log("same_rows", len(same.to_pandas_dataframe()))
folder = args.data_folder
assert folder == run.input_datasets["files"], (folder, run.input_datasets)
run.log("files", len(os.listdir(folder)))
with open(os.path.join(args.out, "summary.txt"), "w") as f:
    f.write(f"{len(df)} rows")
print("trained on", iris.name, iris.version)
"""


@pytest.fixture
def iris_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "train-dataset"
    folder.mkdir()
    (folder / "iris.csv").write_text(IRIS)
    (folder / "notes.txt").write_text("two files in the folder\n")
    return folder


def test_tabular_dataset_from_an_upload_registered_and_read_back(
    v1: object, iris_dir: Path
) -> None:
    from azureml.core import Dataset, Datastore, Workspace
    from azureml.data.dataset_factory import TabularDatasetFactory

    ws = Workspace.from_config()
    datastore = ws.get_default_datastore()
    assert datastore.name == "workspaceblobstore" and datastore.datastore_type == "AzureBlob"
    assert Datastore(ws).name == Datastore.get(ws, "workspaceblobstore").name
    assert set(ws.datastores) == {"workspaceblobstore"}
    datastore.upload_files(
        files=[str(iris_dir / "iris.csv")],
        target_path="train-dataset/tabular/",
        overwrite=True,
        show_progress=True,
    )
    dataset = Dataset.Tabular.from_delimited_files(
        path=[(datastore, "train-dataset/tabular/iris.csv")]
    )
    assert Dataset.Tabular is TabularDatasetFactory
    assert dataset.id is None
    preview = dataset.take(3).to_pandas_dataframe()
    assert list(preview["species"]) == ["setosa", "setosa", "versicolor"]

    first = dataset.register(
        workspace=ws, name="iris", description="iris flowers", tags={"kind": "csv"}
    )
    assert (first.name, first.version, first.id) == ("iris", 1, "iris:1")
    assert first.description == "iris flowers"
    # The same data again is the same version; changed data needs create_new_version.
    assert dataset.register(ws, "iris").version == 1
    (iris_dir / "iris.csv").write_text(IRIS + "5.9,3.0,5.1,1.8,virginica\n")
    datastore.upload_files(
        [str(iris_dir / "iris.csv")], target_path="train-dataset/tabular", overwrite=True
    )
    again = Dataset.Tabular.from_delimited_files((datastore, "train-dataset/tabular/iris.csv"))
    second = again.register(ws, "iris", create_new_version=True)
    assert second.version == 2

    latest = Dataset.get_by_name(ws, name="iris")
    assert latest.version == 2 and len(latest.to_pandas_dataframe()) == 6
    from jupyter_mlws.data import DatasetChangedWarning

    with pytest.warns(DatasetChangedWarning, match="iris:1 changed"):  # read as it is now
        assert len(Dataset.get_by_name(ws, "iris", version=1).to_pandas_dataframe()) == 6
    assert Dataset.get_by_id(ws, "iris:2").version == 2
    assert set(ws.datasets) == {"iris"} and ws.datasets["iris"].version == 2

    # File datasets: a folder on a datastore, its files, download and mount.
    datastore.upload(src_dir=str(iris_dir), target_path="raw", overwrite=True, show_progress=False)
    files = Dataset.File.from_files(path=[(datastore, "raw/")])
    assert sorted(files.to_path()) == ["/iris.csv", "/notes.txt"]
    target = iris_dir.parent / "downloaded"
    got = files.download(target_path=str(target), overwrite=False)
    assert sorted(Path(p).name for p in got) == ["iris.csv", "notes.txt"]
    with files.mount() as context:
        assert sorted(p.name for p in Path(context.mount_point).iterdir()) == [
            "iris.csv",
            "notes.txt",
        ]
    parquet_dir = iris_dir.parent / "pq"
    parquet_dir.mkdir()
    latest.to_pandas_dataframe().to_parquet(parquet_dir / "iris.parquet")
    datastore.upload(str(parquet_dir), "parquet", overwrite=True)
    from azureml.data.datapath import DataPath

    table = Dataset.Tabular.from_parquet_files(path=DataPath(datastore, "parquet/*.parquet"))
    assert table.to_pandas_dataframe().shape == (6, 5)


def test_named_inputs_and_outputs_of_a_submitted_v1_run(
    v1: object, iris_dir: Path, tmp_path: Path
) -> None:
    from azureml.core import Dataset, Experiment, Run, ScriptRunConfig, Workspace
    from azureml.data import OutputFileDatasetConfig

    ws = Workspace.from_config()
    datastore = ws.get_default_datastore()
    datastore.upload(str(iris_dir), "iris-data", overwrite=True, show_progress=False)
    iris = Dataset.Tabular.from_delimited_files(path=(datastore, "iris-data/iris.csv"))
    iris = iris.register(ws, "iris")
    folder = Dataset.File.from_files(path=(datastore, "iris-data/**"))  # left unregistered

    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    output = OutputFileDatasetConfig(name="summary", destination=(datastore, "out/{run-id}"))
    config = ScriptRunConfig(
        source_directory=str(src),
        script="train.py",
        arguments=[
            "--input-id",
            iris.as_named_input("iris"),
            "--data-folder",
            folder.as_named_input("files").as_download(),
            "--out",
            output.register_on_complete("iris-summary").as_upload(),
        ],
        compute_target="local",
    )
    run = Experiment(ws, "train-with-datasets").submit(config)
    details = run.wait_for_completion(show_output=False)
    assert details["status"] == "Completed", run.get_details_with_logs()["logFiles"]
    metrics = run.get_metrics()
    assert metrics["rows"] == 5 and metrics["columns"] == 5 and metrics["same_rows"] == 5
    assert metrics["files"] == 2

    inputs = {d["consumptionDetails"]["inputName"]: d for d in details["inputDatasets"]}
    assert set(inputs) == {"iris", "files"}
    assert inputs["iris"]["consumptionDetails"]["mechanism"] == "Direct"
    assert inputs["files"]["consumptionDetails"]["mechanism"] == "Download"
    assert inputs["iris"]["dataset"].id == "iris:1"
    # The unregistered folder was saved anonymously: not listed among named datasets.
    assert inputs["files"]["dataset"].name.startswith("_v1-anonymous-")
    assert "iris-summary" in ws.datasets and not any(n.startswith("_v1") for n in ws.datasets)
    outputs = details["outputDatasets"]
    assert [o["outputDetails"]["outputName"] for o in outputs] == ["summary"]
    summary = Dataset.get_by_name(ws, "iris-summary")
    assert summary.to_path() == ["/summary.txt"]
    assert Run(run.experiment, run.id).get_details()["inputDatasets"][0]["dataset"].name


def test_bad_input_gives_typed_errors(v1: object, iris_dir: Path, tmp_path: Path) -> None:
    from azureml.core import Dataset, Datastore, Workspace
    from azureml.exceptions import NotAvailableError, UserErrorException

    from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError

    ws = Workspace.from_config()
    datastore = ws.get_default_datastore()
    with pytest.raises(UserErrorException, match="dataset 'nope'") as missing:
        Dataset.get_by_name(ws, "nope")
    assert isinstance(missing.value, ResourceNotFoundError)
    with pytest.raises(UserErrorException, match="name:version"):
        Dataset.get_by_id(ws, "no-version-here")
    with pytest.raises(ResourceNotFoundError, match="matches no files"):
        Dataset.Tabular.from_delimited_files(path=[(datastore, "nowhere/*.csv")])
    with pytest.raises(InvalidParameterError, match="inside the datastore"):
        Dataset.File.from_files(path=(datastore, "../outside/**"))
    with pytest.raises(UserErrorException, match="give \\(datastore, 'path'\\)"):
        Dataset.File.from_files(path=42)
    with pytest.raises(UserErrorException, match="datastore 'missing' does not exist"):
        Datastore(ws, "missing")
    with pytest.raises(NotAvailableError, match="register_azure_file_share"):
        Datastore.register_azure_file_share(ws, "share", "files", "account", account_key="k")
    with pytest.raises(NotAvailableError, match="include_path"):
        Dataset.Tabular.from_delimited_files((datastore, "x.csv"), include_path=True)
    datastore.upload(str(iris_dir), "raw", show_progress=False)
    files = Dataset.File.from_files((datastore, "raw"))
    with pytest.raises(InvalidParameterError, match="must be an identifier"):
        files.as_named_input("not an identifier")


@pytest.fixture
def web_server(iris_dir: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(iris_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_web_url_path_is_read_through_a_datastore_for_its_host(
    v1: object, web_server: str
) -> None:
    from azureml.core import Dataset, Workspace

    ws = Workspace.from_config()
    dataset = Dataset.Tabular.from_delimited_files(path=f"{web_server}/iris.csv")
    assert len(dataset.to_pandas_dataframe()) == 5
    registered = dataset.register(ws, "web-iris")
    assert Dataset.get_by_name(ws, "web-iris").to_pandas_dataframe().shape == (5, 5)
    assert registered.datastore.name in ws.datastores
    assert ws.datastores[registered.datastore.name].url == web_server
