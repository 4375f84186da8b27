"""Key auth: on by default, two keys, regenerated keys take over, never stored in clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving.keys import ENV_KEY
from jupyter_mlws.serving.runtime.keys import hash_key

from .support import client, register_linear, wait_until


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_keys_are_never_stored_or_logged_in_clear(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source)
    keys = ep.get_keys()
    assert set(keys) == {"primary", "secondary"} and keys["primary"] != keys["secondary"]
    new = ep.regen_key("secondary")
    with client(ep, new) as http:
        wait_until(lambda: http.post("/score", json={"data": [[1, 0, 0]]}).status_code == 200)
        http.post("/score", json={"raise": "boom"})
    ws.store.close()  # checkpoint nothing away: read the files as they are
    stored = b"".join(p.read_bytes() for p in _files_under(ws.root))
    for key in [*keys.values(), new]:
        assert key.encode() not in stored
    assert hash_key(keys["primary"]).encode() in stored  # what is kept is the hash
    fingerprints = {k.slot: k.fingerprint for k in ep.list_keys()}
    assert fingerprints["primary"] == hash_key(keys["primary"])[:8]


def test_regenerating_a_key_revokes_the_old_one(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source)
    old = ep.get_keys()
    new_primary = ep.regen_key("primary")
    body = {"data": [[1, 0, 0]]}
    with client(ep, old["primary"]) as http:
        wait_until(lambda: http.post("/score", json=body).status_code == 401, timeout_s=10)
    with client(ep, new_primary) as http:
        assert http.post("/score", json=body).status_code == 200
    with client(ep, old["secondary"]) as http:
        assert http.post("/score", json=body).status_code == 200
    with pytest.raises(InvalidParameterError):
        ep.regen_key("tertiary")


def test_a_later_session_needs_the_key(
    ws: Workspace, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    keys = ws.deploy("ep", ["linear"], source_dir=source).get_keys()
    later = ws.endpoint("ep")  # a new handle knows no key
    assert later.get_keys() == {}
    with pytest.raises(InvalidParameterError) as info:
        later.invoke({"data": [[1, 0, 0]]})
    assert ENV_KEY in info.value.message
    assert later.invoke({"data": [[1, 0, 0]]}, key=keys["secondary"])["scores"] == [1.0]
    monkeypatch.setenv(ENV_KEY, keys["primary"])
    assert later.invoke({"data": [[1, 0, 0]]})["scores"] == [1.0]


def test_auth_can_be_turned_off(ws: Workspace, source: Path, tmp_path: Path) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source, auth="none")
    assert ep.get_keys() == {}
    with client(ep) as http:
        assert http.post("/score", json={"data": [[0, 0, 1]]}).json()["scores"] == [3.0]
