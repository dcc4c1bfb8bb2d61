"""Machine instructions per request of the long tail's page kinds and of F2, counted by valgrind: repeatable.

    .venv/bin/python scripts/instructions_per_page.py [TREE …] [--kinds product,list,search,province,F2,home]
                                                      [--requests 20]

On this project's machines CPU time moves by a fifth between runs minutes apart, and even two checkouts
timed alternately in one session (scripts/cpu_per_page.py) cannot tell a 5 % change from the noise.
Instructions can: `valgrind --tool=callgrind` counts those of the process, whatever else the machine does
(the same count to within ~1 % run after run). For each tree (a checkout, default this one; several to
compare commits: `git worktree add /tmp/base <commit>`, the same venv) and each page kind, a child process
runs under callgrind with counting off: it loads the settings of scripts/profile_pages.py (production
settings, the catalogue cache on in Redis, the page cache off, the facet cube and search index kept as a
worker keeps them), requests 15 URLs of the kind, then the measured URLs once (their statements
prepared, their pieces cached), freezes what it holds and sets the collector up as a gunicorn worker does
(core/worker_gc.py). Then counting is switched on for the measured URLs, each followed by the worker's
collection, and off again. It prints instructions per request, the long tail's mix weighted by the
benchmark's shares, and each kind's ratio F2 / kind: what the benchmark's ratio would be if a request
cost only its own instructions (gunicorn's HTTP handling, the database and Redis are not counted: they
dilute the real ratio towards 1).

Slow: ~25 s a kind (valgrind runs Python ~50 times slower). PostgreSQL and Redis are the profile's
(PROFILE_DATABASE_URL, PROFILE_CACHE_URL). Product pages and F2 give the same count to within ~1 % run
after run; lists and searches moved by up to ~10 % (searches: the near-miss scan, which the database cuts
off after 150 ms or not; lists: a source not found), so compare the lowest of a few runs for those.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("product", "list", "search", "province", "F2")
FLOORS = {"F2": "/bench/floor/fortunes", "F1": "/bench/floor/trivial"}
FIXED = {"home": ("/", "/en/")}  # kinds outside the long tail's set (--kinds home), their pages in turn
WARM = 15


def child(tree, kind, count, folder):
    """Runs under valgrind: warm up, signal, run the measured requests when told, signal again."""
    os.environ["DJANGO_BENCH_FLOORS"] = "1"
    # Under valgrind a run outlasts the connection's 60 s: a reconnection (and the statements prepared
    # again) would land in some runs' counts and not others'.
    os.environ["DJANGO_CONN_MAX_AGE"] = "86400"
    os.chdir(tree)
    sys.path.insert(0, str(Path(tree) / "scripts"))
    sys.argv = sys.argv[:1]
    import profile_pages

    profile_pages.configure(shared_pieces=True)
    profile_pages.keep_facet_cubes()
    profile_pages.keep_search_index()
    from django.test import Client

    from core import worker_gc

    client = Client()
    if kind in FLOORS:
        urls = [FLOORS[kind]] * (WARM + count)
    elif kind in FIXED:
        urls = [FIXED[kind][n % len(FIXED[kind])] for n in range(WARM + count)]
    else:
        # Enough of every kind (province pages are 5 % of the set).
        urls = profile_pages.long_tail_lists(20 * (WARM + count))[0][f"tail_{kind}"]
        if len(urls) < WARM + count:
            raise SystemExit(f"only {len(urls)} URLs of {kind}: seed more data")
    measured = urls[WARM : WARM + count]
    for url in urls[:WARM] + measured:
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} did not answer 200")
    worker_gc.worker_started()
    folder = Path(folder)
    (folder / "ready").touch()
    while not (folder / "go").exists():
        time.sleep(0.05)
    for url in measured:
        client.get(url)
        worker_gc.request_finished()
    (folder / "done").touch()
    while (folder / "go").exists():
        time.sleep(0.05)


def _wait_for(path, process):
    while not path.exists():
        if process.poll() is not None:
            raise SystemExit(f"the measured process ended early ({process.returncode})")
        time.sleep(0.2)


def count(tree, kind, requests) -> float:
    """Instructions per request of `kind` in `tree`."""
    with tempfile.TemporaryDirectory(prefix="instructions-") as folder:
        folder = Path(folder)
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.%p",
            sys.executable,
            __file__,
            "--child",
            str(tree),
            kind,
            str(requests),
            str(folder),
        ]
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        with open(folder / "log", "w") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
            try:
                _wait_for(folder / "ready", process)
                subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True, capture_output=True)
                (folder / "go").touch()
                _wait_for(folder / "done", process)
                subprocess.run(["callgrind_control", "-i", "off", str(process.pid)], check=True, capture_output=True)
                subprocess.run(["callgrind_control", "-d", str(process.pid)], check=True, capture_output=True)
            finally:
                (folder / "go").unlink(missing_ok=True)
                process.wait(timeout=120)
        return sum(_instructions(dump) for dump in folder.glob("callgrind.*")) / requests


def _instructions(dump) -> int:
    """The instructions a callgrind dump counted: its `totals:` line (a dump asked for while counting was
    switched on and off says `summary: 0` at its head), or `summary:`, whichever is more."""
    found = [0]
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            found.append(int(line.split()[1]))
    return max(found)


def main():
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="*", default=[str(ROOT)])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_longtail import SHARES

    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    for tree in args.trees:
        figures = {kind: count(Path(tree).resolve(), kind, args.requests) for kind in kinds}
        if all(kind in figures for kind in SHARES):
            figures["mix"] = sum(figures[kind] * share for kind, share in SHARES.items())
        line = " ".join(f"{kind}={value / 1e6:.2f}M" for kind, value in figures.items())
        if "F2" in figures:
            ratios = " ".join(f"{kind}={figures['F2'] / value:.3f}" for kind, value in figures.items() if kind != "F2")
            line += f" | F2/kind: {ratios}"
        print(f"{tree}: instructions per request {line}", flush=True)


if __name__ == "__main__":
    main()
