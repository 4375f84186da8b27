"""JupyterLab for the browser test: Galata's settings, the mlws extensions from this
checkout, and a workspace seeded with runs the way users make them (the SDK)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

REPO = Path(__file__).resolve().parents[2]
c = get_config()  # type: ignore[name-defined]  # noqa: F821  (provided by traitlets)
configure_jupyter_server(c)

# Galata's helper extension, and (unless an installed wheel is under test, which serves
# its own) the prebuilt extension of this checkout (jlpm build:prod writes it there),
# under the folder name JupyterLab serves it by: its npm name.
c.LabServerApp.extra_labextensions_path = [
    str(Path(sys.modules["jupyterlab.galata"].__file__).parent)
]
if not os.environ.get("MLWS_BROWSER_INSTALLED"):
    extensions = Path(mkdtemp(prefix="mlws-labextensions-"))
    (extensions / "jupyter-mlws").symlink_to(REPO / "jupyter_mlws" / "labextension")
    c.LabServerApp.extra_labextensions_path.append(str(extensions))
c.ServerApp.jpserver_extensions = {"jupyter_mlws.server": True}

workspace = Path(os.environ.get("MLWS_BROWSER_WORKSPACE") or mkdtemp(prefix="mlws-browser-"))
os.environ["MLWS_WORKSPACE"] = str(workspace / ".mlws")
c.MlwsApp.workspace = str(workspace / ".mlws")
c.MlwsApp.refresh_interval_ms = 500


def _seed() -> None:
    from jupyter_mlws.workspace import Workspace

    ws = Workspace.init(workspace)
    if ws.store.find_experiment("seeded") is not None:
        return
    exp = ws.experiment("seeded")
    # the oldest run diverged: the compare view marks it Failed
    try:
        with exp.start_run("lr-1.0", params={"lr": 1.0, "epochs": 50}) as run:
            for step in range(5):
                run.log("loss", 2.0 + step, step=step)
            raise FloatingPointError("loss diverged")
    except FloatingPointError:
        pass
    for i, lr in enumerate((0.1, 0.03, 0.01)):
        with exp.start_run(f"lr-{lr}", params={"lr": lr, "epochs": 50}) as run:
            for step in range(50):
                run.log("loss", (1.0 + i) / (step + 1) + 0.01 * step, step=step)
                run.log("accuracy", 1 - 0.5 / (step + 1 + i), step=step)


def _seed_environments() -> None:
    """Two versions of an environment (one built, one failed) and a run that used one;
    build states are written as a build would leave them (no package index needed)."""
    from jupyter_mlws.environments import EnvironmentSpec, registry
    from jupyter_mlws.workspace import Workspace

    ws = Workspace.open(workspace / ".mlws")
    if ws.store.list_environments("sk"):
        return
    registry.register(ws.store, "sk", EnvironmentSpec.build(["six==1.16.0"]))
    ws.store.set_environment_lock("sk", 1, "# python 3.11\nsix==1.16.0\n", "ab" * 32)
    ws.store.set_environment_state("sk", 1, registry.READY, size_bytes=24 * 1024 * 1024)
    registry.register(ws.store, "sk", EnvironmentSpec.build(["six==0.0.999"]))
    ws.store.set_environment_state("sk", 2, registry.FAILED, error="No solution found: six")
    with ws.experiment("envs").start_run("in-sk") as run:
        run.add_properties({"mlws.environment": "sk:1", "mlws.environment.lock_hash": "ab" * 32})


def _seed_sweep_and_pipeline() -> None:
    """A finished two-trial sweep, and a two-step pipeline run twice (the second run
    reuses its first step), for the run panel's Trials and Steps views."""
    from jupyter_mlws import ScriptRunConfig
    from jupyter_mlws.hyperdrive import GridParameterSampling, HyperDriveConfig, choice
    from jupyter_mlws.pipeline import Pipeline, PipelineData, PipelineParameter, PythonScriptStep
    from jupyter_mlws.workspace import Workspace

    ws = Workspace.open(workspace / ".mlws")
    if ws.store.find_experiment("sweeps") is not None:
        return
    src = workspace / "kinds-src"
    src.mkdir(exist_ok=True)
    (src / "train.py").write_text(
        "import sys\nfrom jupyter_mlws import Run\nrun = Run.get_context()\n"
        "q = float(sys.argv[sys.argv.index('--quality') + 1])\n"
        "for step in range(3):\n    run.log('val_acc', q * (step + 1) / 3)\n"
    )
    (src / "prep.py").write_text(
        "import os, sys\nout = sys.argv[sys.argv.index('--out') + 1]\n"
        "open(os.path.join(out, 'data.txt'), 'w').write('rows')\n"
    )
    (src / "fit.py").write_text("import sys\nprint('fit', sys.argv[1:])\n")
    sweep = ws.experiment("sweeps").submit(
        HyperDriveConfig(
            run_config=ScriptRunConfig(src, "train.py"),
            hyperparameter_sampling=GridParameterSampling({"--quality": choice(0.4, 0.8)}),
            primary_metric_name="val_acc",
            primary_metric_goal="MAXIMIZE",
            max_total_runs=2,
            max_concurrent_runs=2,
        )
    )
    prepared = PipelineData("prepared")
    lr = PipelineParameter("lr", default_value=0.1)
    steps = [
        PythonScriptStep(
            "prep.py", name="prepare", source_directory=src, outputs=[prepared],
            arguments=["--out", prepared],
        ),
        PythonScriptStep(
            "fit.py", name="train", source_directory=src, inputs=[prepared],
            arguments=["--in", prepared, "--lr", lr],
        ),
    ]  # fmt: skip
    pipes = ws.experiment("pipes")
    pipes.submit(Pipeline(ws, steps=steps)).wait_for_completion(timeout=120)
    pipes.submit(Pipeline(ws, steps=steps), pipeline_parameters={"lr": 0.05}).wait_for_completion(
        timeout=120
    )
    sweep.wait_for_completion(timeout=120)


def _seed_endpoint_and_schedule() -> None:
    """An endpoint really deployed (a tiny model, ~4 s), sent five good requests and a bad
    one (500), then stopped (no process outlives the test; its request log stays for the
    telemetry chart); and a nightly schedule on a published pipeline."""
    from jupyter_mlws.pipeline import Pipeline, PythonScriptStep, Schedule
    from jupyter_mlws.serving.errors import EndpointInvokeError
    from jupyter_mlws.workspace import Workspace

    ws = Workspace.open(workspace / ".mlws")
    if ws.endpoints():
        return
    src = workspace / "endpoint-src"
    src.mkdir(exist_ok=True)
    (src / "model.json").write_text('{"factor": 2}')
    (src / "score.py").write_text(
        "def init():\n    pass\n\n\ndef run(data):\n"
        "    if not isinstance(data, list):\n        raise ValueError('expected a list')\n"
        "    return [x * 2 for x in data]\n"
    )
    ws.register_model("doubler", src / "model.json")
    endpoint = ws.deploy("doubler", ["doubler"], source_dir=src)
    key = endpoint.get_keys()["primary"]
    for i in range(5):
        endpoint.invoke([i], key=key)
    with contextlib.suppress(EndpointInvokeError):  # the 500 the errors chart shows
        endpoint.invoke({"not": "a list"}, key=key)
    endpoint.stop()
    steps = [PythonScriptStep("fit.py", name="train", source_directory=workspace / "kinds-src")]
    published = Pipeline(ws, steps=steps).publish("nightly-train")
    Schedule.create(
        ws, "nightly", pipeline_id=published.id, experiment_name="pipes", cron="0 3 * * *"
    )


_seed()
_seed_environments()
_seed_sweep_and_pipeline()
_seed_endpoint_and_schedule()
