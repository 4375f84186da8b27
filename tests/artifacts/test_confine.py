"""Opening files below a folder without following links out of it."""

import os
from pathlib import Path

import pytest

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.artifacts.collect import collect_folder
from jupyter_mlws.artifacts.confine import PathEscapeError, open_beneath
from jupyter_mlws.exceptions import InvalidParameterError


def test_open_beneath_reads_and_creates_real_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_bytes(b"x")
    with os.fdopen(open_beneath(tmp_path, "a/f.txt"), "rb") as f:
        assert f.read() == b"x"
    fd = open_beneath(tmp_path, "new/deep/g.txt", os.O_WRONLY | os.O_CREAT, make_dirs=True)
    os.close(fd)
    assert (tmp_path / "new" / "deep" / "g.txt").is_file()


@pytest.mark.parametrize("where", ["folder", "file"])
def test_open_beneath_refuses_links_anywhere_on_the_path(tmp_path: Path, where: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.txt").write_bytes(b"secret")
    root = tmp_path / "root"
    root.mkdir()
    if where == "folder":
        (root / "a").symlink_to(outside)
    else:
        (root / "a").mkdir()
        (root / "a" / "f.txt").symlink_to(outside / "f.txt")
    with pytest.raises(PathEscapeError, match="symbolic link"):
        open_beneath(root, "a/f.txt")
    with pytest.raises(PathEscapeError):
        open_beneath(root, "a/f.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, make_dirs=True)
    assert (outside / "f.txt").read_bytes() == b"secret"


def test_open_beneath_refuses_fifos_and_unsafe_paths(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(PathEscapeError, match="not a regular file"):
        open_beneath(tmp_path, "pipe")  # and does not hang waiting for a writer
    for bad in ("../x", "/etc/passwd", "a//b", ""):
        with pytest.raises(InvalidParameterError):
            open_beneath(tmp_path, bad)


def test_collect_folder_keeps_inside_links_as_content_and_refuses_the_rest(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "outputs"
    (folder / "m").mkdir(parents=True)
    (folder / "m" / "w.bin").write_bytes(b"w")
    (folder / "private.txt").write_bytes(b"mine")
    (folder / "private.txt").chmod(0o600)
    (folder / "alias.bin").symlink_to("m/w.bin")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "dangling").symlink_to(tmp_path / "nowhere")
    blobs = BlobStore(str(tmp_path / "blobs"))
    collected = collect_folder(folder, blobs, "outputs")
    assert [e.path for e in collected.entries] == [
        "outputs/alias.bin",
        "outputs/m/w.bin",
        "outputs/private.txt",
    ]
    assert collected.refused == ["outputs/dangling", "outputs/passwd"]  # both point outside
    by_path = {e.path: e for e in collected.entries}
    assert blobs.get_bytes(by_path["outputs/alias.bin"].digest) == b"w"
    assert by_path["outputs/private.txt"].mode == 0o600
