"""Collected ``outputs/`` of a submitted run: links never lead out of the run."""

import textwrap
from pathlib import Path

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus


def test_links_out_of_outputs_are_left_out_and_the_run_log_says_so(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(
        textwrap.dedent(
            """
            import os
            os.makedirs("outputs/sub", exist_ok=True)
            open("outputs/sub/model.txt", "w").write("weights")
            open("secret-in-workdir.txt", "w").write("not an output")
            os.symlink("/etc/passwd", "outputs/p")
            os.symlink("/etc", "outputs/etc")
            os.symlink("../secret-in-workdir.txt", "outputs/up")
            os.symlink("sub", "outputs/same")
            """
        )
    )
    run = ws.experiment("links").submit(ScriptRunConfig(src, "train.py"))
    run.wait_for_completion()
    assert run.refresh().status is RunStatus.COMPLETED
    assert run.get_file_names() == ["outputs/same/model.txt", "outputs/sub/model.txt"]
    assert run.read_file("outputs/same/model.txt") == b"weights"
    log = run.get_logs()
    for refused in ("outputs/p", "outputs/etc", "outputs/up"):
        assert f"{refused} not collected: a symbolic link to outside outputs/" in log


def test_an_outputs_folder_that_is_itself_a_link_is_not_collected(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text("import os\nos.symlink('/etc', 'outputs')\n")
    run = ws.experiment("links").submit(ScriptRunConfig(src, "train.py"))
    run.wait_for_completion()
    assert run.get_file_names() == []
    assert "outputs not collected" in run.get_logs()
