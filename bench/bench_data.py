"""Datasets on a real S3 API server (moto's standalone server on loopback), side by side
with s3fs/pandas used directly.

    python bench/bench_data.py [--objects 10000] [--files 1000] [--rows 1000000] [--repeat 3]

1. Fingerprint of a 10,000-object prefix (listing metadata only)   target <= 2 s
   anchor: the bare ``s3fs.find(detail=True)`` listing it is built on.
2. Second ``as_download`` of an unchanged 1,000-file dataset        target <= 0.2 s
   (what the runner does in Preparing: one listing, then hard links from the cache);
   anchor: ``s3fs.get`` of the same files, the copy a cache hit avoids.
3. ``to_pandas_dataframe()`` of a 1,000,000-row Parquet dataset     target <= 1.2x
   anchor: ``pandas.read_parquet("s3://…")`` through s3fs. Measured alternately,
   median of ``--repeat``.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import report, timed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from object_storage.servers import S3_KEY, S3_SECRET, S3Server

from jupyter_mlws import Workspace
from jupyter_mlws.data import Dataset, Datastore
from jupyter_mlws.data.materialize import download

BUCKET = "bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    server = S3Server.start()
    tmp = Path(tempfile.mkdtemp(prefix="mlws-bench-data-"))
    try:
        rows = run(server, tmp, args)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    report(rows)


def run(server: S3Server, tmp: Path, args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    fs = server.filesystem()
    fs.mkdir(BUCKET)
    print(f"uploading {args.objects} + {args.files} objects and a {args.rows}-row Parquet file…")
    # one bucket per measure: moto's listing cost grows with the bucket, not the prefix
    for name in ("many", "files", "table"):
        fs.mkdir(f"{BUCKET}-{name}")
    fs.pipe({f"{BUCKET}-many/many/{i:05d}.bin": b"x" for i in range(args.objects)})
    fs.pipe(
        {
            f"{BUCKET}-files/files/{i:04d}.txt": f"file {i}\n".encode() * 20
            for i in range(args.files)
        }
    )
    frame = pd.DataFrame(
        {
            "id": np.arange(args.rows),
            "x": np.random.default_rng(0).random(args.rows),
            "label": np.where(np.arange(args.rows) % 3 == 0, "a", "b"),
        }
    )
    buf = io.BytesIO()
    frame.to_parquet(buf)
    fs.pipe_file(f"{BUCKET}-table/table/part.parquet", buf.getvalue())

    ws = Workspace.init(tmp / "proj")
    stores = {
        name: Datastore.register_s3(
            ws,
            name,
            f"{BUCKET}-{name}",
            access_key=S3_KEY,
            secret_key=S3_SECRET,
            endpoint_url=server.endpoint,
            region="eu-west-1",
        )
        for name in ("many", "files", "table")
    }
    rows: list[tuple[str, str, str, str]] = []

    # 1. fingerprint of a 10,000-object prefix (alternating with the bare listing)
    store = stores["many"]
    ours_fps, anchor_lists = [], []
    for _ in range(args.repeat):
        fs.invalidate_cache()
        t, found = timed(lambda: fs.find(f"{BUCKET}-many/many", detail=True))
        anchor_lists.append(t)
        assert len(found) == args.objects
        ours_fps.append(
            timed(lambda: Dataset.File.from_files(path=(store, "many/**")).fingerprint)[0]
        )
    ours_fp, anchor_list = statistics.median(ours_fps), statistics.median(anchor_lists)
    rows.append(
        (
            f"fingerprint of {args.objects} objects",
            f"{ours_fp:.2f} s",
            f"{anchor_list:.2f} s (s3fs.find)",
            f"{ours_fp / anchor_list:.2f}x; target <= 2 s: {'ok' if ours_fp <= 2 else 'MISSED'}",
        )
    )

    # 2. second as_download of an unchanged 1,000-file dataset (alternating with the
    # listing it cannot avoid: that is how a changed version is noticed)
    files = Dataset.File.from_files(path=(stores["files"], "files/*.txt")).register(ws, "files")
    first, _ = timed(lambda: download(files, tmp / "run1" / "inputs", overwrite=True))
    seconds, listings = [], []
    for i in range(args.repeat):
        again = Dataset.get_by_name(ws, "files")
        seconds.append(timed(lambda a=again, i=i: download(a, tmp / f"run{i + 2}" / "inputs"))[0])
        fs.invalidate_cache()
        listings.append(timed(lambda: fs.find(f"{BUCKET}-files/files", detail=True))[0])
    second, listing = statistics.median(seconds), statistics.median(listings)
    remote = [f"{BUCKET}-files/files/{i:04d}.txt" for i in range(args.files)]
    local = [str(tmp / "anchor" / f"{i:04d}.txt") for i in range(args.files)]
    (tmp / "anchor").mkdir()
    anchor_get, _ = timed(lambda: fs.get(remote, local))
    rows.append(
        (
            f"2nd as_download, {args.files} files",
            f"{second:.3f} s (1st {first:.2f} s)",
            f"{anchor_get:.2f} s (s3fs.get); its listing alone {listing:.3f} s",
            f"{second / listing:.2f}x the listing; target <= 0.2 s: "
            f"{'ok' if second <= 0.2 else 'MISSED'}",
        )
    )

    # 3. to_pandas_dataframe of a 1,000,000-row Parquet dataset vs pandas via s3fs
    table = Dataset.Tabular.from_parquet_files(
        path=(stores["table"], "table/part.parquet")
    ).register(ws, "table")
    options = {
        "key": S3_KEY,
        "secret": S3_SECRET,
        "client_kwargs": {"endpoint_url": server.endpoint, "region_name": "eu-west-1"},
    }
    ours, theirs = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        df = table.to_pandas_dataframe()
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        anchor = pd.read_parquet(f"s3://{BUCKET}-table/table/part.parquet", storage_options=options)
        theirs.append(time.perf_counter() - t0)
        assert len(df) == len(anchor) == args.rows
    ratio = statistics.median(ours) / statistics.median(theirs)
    rows.append(
        (
            f"to_pandas_dataframe, {args.rows} rows",
            f"{statistics.median(ours):.2f} s",
            f"{statistics.median(theirs):.2f} s (pandas.read_parquet)",
            f"{ratio:.2f}x; target <= 1.2x: {'ok' if ratio <= 1.2 else 'MISSED'}",
        )
    )
    ws.store.close()
    return rows


if __name__ == "__main__":
    main()
