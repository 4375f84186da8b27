import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError, WorkspaceError
from jupyter_mlws.store import engine


def test_init_creates_embedded_default(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    assert ws.root == (tmp_path / "proj" / ".mlws").resolve()
    config = json.loads((ws.root / "workspace.json").read_text())
    assert config["db_url"] == "sqlite:///mlws.db"
    assert (ws.root / "mlws.db").is_file()
    assert ws.db_url.startswith("sqlite:////")


def test_current_walks_up_to_nearest_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.init(tmp_path / "proj")
    deep = tmp_path / "proj" / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.delenv("MLWS_WORKSPACE", raising=False)
    monkeypatch.chdir(deep)
    assert Workspace.current().root == ws.root


def test_env_variable_wins_over_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Workspace.init(tmp_path / "other")
    Workspace.init(tmp_path / "proj")
    monkeypatch.chdir(tmp_path / "proj")
    monkeypatch.setenv("MLWS_WORKSPACE", str(tmp_path / "other"))
    assert Workspace.current().root == other.root


def test_falls_back_to_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLWS_WORKSPACE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    ws = Workspace.current()
    assert ws.root == tmp_path / "home" / ".mlws"
    assert (ws.root / "workspace.json").is_file()


def test_open_missing_workspace_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="mlws init"):
        Workspace.open(tmp_path / "nowhere")


def test_corrupt_config_names_the_fix(tmp_path: Path) -> None:
    root = tmp_path / "proj" / ".mlws"
    root.mkdir(parents=True)
    (root / "workspace.json").write_text("{not json")
    with pytest.raises(WorkspaceError, match=r"not valid JSON.*mlws init --force"):
        Workspace.open(tmp_path / "proj")


def test_unknown_setting_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "proj" / ".mlws"
    root.mkdir(parents=True)
    (root / "workspace.json").write_text(json.dumps({"db_urll": "x"}))
    with pytest.raises(WorkspaceError, match="unknown or misspelled"):
        Workspace.open(tmp_path / "proj")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    with ws.store.write() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(WorkspaceError, match="upgrade"):
        engine.ensure_schema(engine.make_engine(ws.db_url))


def test_unknown_run_and_experiment(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    with pytest.raises(ResourceNotFoundError):
        ws.get_run("0" * 32)
    with pytest.raises(ResourceNotFoundError):
        ws.store.get_experiment("nope")


def test_get_run_takes_the_references_the_cli_takes(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    with ws.experiment("mnist").start_run() as first:
        pass
    with ws.experiment("mnist").start_run() as second:
        pass
    assert ws.get_run("mnist:2").id == second.id
    assert ws.get_run(first.id[:6]).id == first.id
    assert ws.get_run(first.id).id == first.id
    with pytest.raises(ResourceNotFoundError, match="mnist:9"):
        ws.get_run("mnist:9")
    with pytest.raises(InvalidParameterError, match="too short"):
        ws.get_run(first.id[:4])


def test_details_hide_database_password(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    ws.db_url = "postgresql+psycopg://me:s3cret@db/mlws"
    assert "s3cret" not in json.dumps(ws.details())
    assert os.fspath(ws.root) in ws.details()["root"]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"heartbeat_seconds": "fast"}, "heartbeat_seconds must be a positive number, got 'fast'"),
        ({"version": "2"}, "version must be a positive integer, got '2'"),
        ({"lost_after_seconds": True}, "lost_after_seconds must be a positive number"),
        ({"lost_after_seconds": -1}, "lost_after_seconds must be a positive number, got -1"),
        ({"local_max_concurrency": 1.5}, "local_max_concurrency must be a positive integer or"),
        ({"snapshot": {"max_files": "many"}}, "snapshot.max_files must be a positive integer"),
        ({"snapshot": []}, "snapshot must be an object"),
        ({"db_url": 5}, "db_url must be a non-empty string, got 5"),
    ],
)
def test_settings_of_the_wrong_type_are_named_when_the_workspace_opens(
    tmp_path: Path, settings: dict[str, object], named: str
) -> None:
    ws = Workspace.init(tmp_path / "proj")
    config = json.loads((ws.root / "workspace.json").read_text())
    (ws.root / "workspace.json").write_text(json.dumps({**config, **settings}))
    _forget_opened(ws)
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(tmp_path / "proj")
    assert named in str(caught.value) and "workspace.json" in str(caught.value)


def test_null_concurrency_and_integer_seconds_are_fine(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    config = json.loads((ws.root / "workspace.json").read_text())
    config.update(heartbeat_seconds=1, local_max_concurrency=None)
    (ws.root / "workspace.json").write_text(json.dumps(config))
    _forget_opened(ws)
    assert Workspace.open(tmp_path / "proj").config.heartbeat_seconds == 1


def _forget_opened(ws: Workspace) -> None:
    from jupyter_mlws.tracking.workspace import _forget

    _forget(ws.root)


def _mlws(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_mlws.cli", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refused_urls() -> list[str]:
    urls = ["postgresql+psycopg://me:wrong@127.0.0.1:1/mlws"]  # nothing listens on port 1
    server = os.environ.get("MLWS_TEST_POSTGRES_URL")
    if server:  # a real server: a role that does not exist, with a wrong password
        from sqlalchemy.engine import make_url

        bad = make_url(server).set(username="mlws_no_such_role", password="wrong")
        urls.append(bad.render_as_string(hide_password=False))
    return urls


@pytest.mark.parametrize("db_url", _refused_urls())
def test_a_failed_init_force_leaves_workspace_json_as_it_was(tmp_path: Path, db_url: str) -> None:
    env = {"MLWS_WORKSPACE": str(tmp_path / ".mlws")}
    assert _mlws(tmp_path, "init", env=env).returncode == 0
    before = (tmp_path / ".mlws" / "workspace.json").read_bytes()
    proc = _mlws(tmp_path, "init", "--db-url", db_url, "--force", env=env)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "wrong" not in proc.stderr  # the password is not echoed
    assert (tmp_path / ".mlws" / "workspace.json").read_bytes() == before
    assert _mlws(tmp_path, "run", "list", env=env).returncode == 0  # still usable


UNPRIVILEGED_PYTHON = "/usr/bin/python3"


def _as_nobody(code: str, cwd: Path, workspace: Path) -> subprocess.CompletedProcess:
    """``code`` run by the unprivileged user ``nobody`` against this package."""
    import site

    paths = [str(Path(__file__).resolve().parents[2]), *site.getsitepackages()]
    env = {
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.pathsep.join(paths),
        "MLWS_WORKSPACE": str(workspace),
    }
    return subprocess.run(
        [
            "runuser",
            "-u",
            "nobody",
            "--",
            "env",
            *(f"{k}={v}" for k, v in env.items()),
            UNPRIVILEGED_PYTHON,
            "-c",
            code,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _nobody_can_import(tmp_path: Path) -> str | None:
    """Why this test cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root, to run a second process as the unprivileged user nobody"
    if not shutil.which("runuser") or not os.path.exists(UNPRIVILEGED_PYTHON):
        return "needs runuser and /usr/bin/python3"
    probe = _as_nobody("import jupyter_mlws.tracking", tmp_path, tmp_path / "none")
    if probe.returncode != 0:
        return f"nobody cannot import the package here: {probe.stderr.strip()[-200:]}"
    return None


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder every user may enter (pytest's own temporary folders are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="mlws-shared-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("unreadable", ["folder", "database"])
def test_a_workspace_of_another_user_is_one_line_naming_the_path(
    shared: Path, unreadable: str
) -> None:
    reason = _nobody_can_import(shared)
    if reason:
        pytest.skip(reason)
    ws = Workspace.init(shared / "proj")
    if unreadable == "folder":
        ws.root.chmod(0o700)
        denied = ws.root / "workspace.json"
    else:
        ws.root.chmod(0o755)
        (ws.root / "workspace.json").chmod(0o644)
        (ws.root / "mlws.db").chmod(0o600)
        denied = ws.root / "mlws.db"
    sdk = _as_nobody(
        "from jupyter_mlws import start_run\n"
        "from jupyter_mlws.exceptions import WorkspaceError\n"
        "try:\n"
        "    start_run('e')\n"
        "except WorkspaceError as exc:\n"
        "    print(exc)\n",
        shared,
        ws.root,
    )
    assert sdk.returncode == 0 and sdk.stderr == "", sdk.stderr
    assert len(sdk.stdout.strip().splitlines()) == 1
    assert f"permission denied on {denied}" in sdk.stdout
    cli = _as_nobody(
        "import sys\nfrom jupyter_mlws.cli import main\nsys.argv = ['mlws', 'run', 'list']\nmain()",
        shared,
        ws.root,
    )
    assert cli.returncode != 0
    assert cli.stderr.strip().splitlines() == [cli.stderr.strip()], cli.stderr
    assert str(denied) in cli.stderr and "Traceback" not in cli.stderr
