"""Who may read a workspace: private by default, group-shared on request, whatever the umask.

Everything runs as a user would: ``mlws init`` and ``mlws run submit --wait`` as real
processes started with the umask under test, so the job runner, the SQLite files, the
blobs and the logs are all created under it.
"""

from __future__ import annotations

import grp
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]
TRAIN = (
    "import os\n"
    "from jupyter_mlws import Run\n"
    "Run.get_context().log('loss', 0.5)\n"
    "os.makedirs('outputs', exist_ok=True)\n"
    "open('outputs/model.txt', 'w').write('weights')\n"
)


def mlws(cwd: Path, umask: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(cwd / ".mlws")}
    proc = subprocess.run(
        [*MLWS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, umask=umask
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def project(tmp_path: Path, umask: int, *init_args: str) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN)
    secret = folder / "secret.txt"
    secret.write_text("only mine")
    secret.chmod(0o600)
    mlws(folder, umask, "init", *init_args)
    mlws(folder, umask, "run", "submit", "--wait", "train.py")
    return folder / ".mlws"


def modes_under(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mode bits incl. setgid, gid) of every folder and file."""
    found = {".": (stat.S_IMODE(root.stat().st_mode), root.stat().st_gid)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            if not stat.S_ISLNK(st.st_mode):
                found[str(path.relative_to(root))] = (stat.S_IMODE(st.st_mode), st.st_gid)
    return found


def blob_paths(found: dict[str, tuple[int, int]]) -> list[str]:
    return [p for p in found if p.startswith("blobs/") and p.count("/") == 2]


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_a_workspace_is_private_to_its_owner_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    root = project(tmp_path, umask)
    found = modes_under(root)
    for expected in ("mlws.db", "mlws.db-wal", "mlws.db-shm", "workspace.json", "runs"):
        assert expected in found or expected.endswith(("-wal", "-shm")), expected
    assert found["."][0] == 0o700
    for path, (mode, _gid) in found.items():
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}: readable by other users"
        is_dir = (root / path).is_dir()
        if is_dir:
            assert mode == 0o700, f"{path} is {oct(mode)}"
    assert found["mlws.db"][0] == 0o600 and found["workspace.json"][0] == 0o600
    blobs = blob_paths(found)
    assert len(blobs) >= 3  # train.py, secret.txt (0600 at the source), model.txt, manifest
    assert {found[p][0] for p in blobs} == {0o400}
    logs = [p for p in found if p.endswith(".log")]
    assert logs and all(found[p][0] == 0o600 for p in logs)


def _a_group_of_root() -> str:
    for name in ("users", "staff", "nogroup"):
        try:
            grp.getgrnam(name)
            return name
        except KeyError:
            continue
    pytest.skip("no group to share with on this machine")


def test_a_shared_group_workspace_gives_the_group_access_and_no_one_else(
    tmp_path: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give files to a group the test user may not be in")
    group = _a_group_of_root()
    gid = grp.getgrnam(group).gr_gid
    root = project(tmp_path, 0o077, "--shared-group", group)  # even a strict umask
    assert json.loads((root / "workspace.json").read_text())["shared_group"] == group
    found = modes_under(root)
    for path, (mode, owner_gid) in found.items():
        assert owner_gid == gid, f"{path} is not in group {group}"
        assert mode & 0o007 == 0, f"{path} is {oct(mode)}: readable by other users"
        if (root / path).is_dir():
            assert mode == 0o2770, f"{path} is {oct(mode)}"
    assert found["mlws.db"][0] == 0o660 and found["workspace.json"][0] == 0o660
    assert {found[p][0] for p in blob_paths(found)} == {0o440}


def test_an_unknown_shared_group_is_a_one_line_error_that_writes_nothing(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "MLWS_WORKSPACE": str(tmp_path / ".mlws")}
    proc = subprocess.run(
        [*MLWS, "init", "--shared-group", "no-such-group-xyz"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "no-such-group-xyz" in proc.stderr
    assert not (tmp_path / ".mlws").exists()
