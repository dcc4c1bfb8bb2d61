"""CPU milliseconds per request of the long tail's page kinds, for comparing two commits side by side.

    .venv/bin/python scripts/cpu_per_page.py [TREE] [--shared-pieces]   (TREE: a checkout, default this one)

Runs the long-tail benchmark's own URLs (scripts/bench_longtail.py, 80 of each kind) through Django's test
client in one process, with the settings of scripts/profile_pages.py (production settings, the catalogue
cache off, the facet cube and the search index kept as a worker keeps them), twice, and prints the lower
CPU time (`time.process_time`: this process only, not PostgreSQL's) per kind and the mix weighted by the
benchmark's shares. `--shared-pieces` keeps the catalogue cache on (Redis, page cache off) as the
long-tail benchmark's workers run: the filters' choices kept too. Run it on two worktrees alternately
(`git worktree add /tmp/base <commit>`, the same venv) to compare commits under the same machine load:
single runs drift with what else the machine does.
"""

import os
import sys
import time
from pathlib import Path

ROUNDS = 2
PER_KIND = 80


def main():
    shared = "--shared-pieces" in sys.argv[1:]
    arguments = [argument for argument in sys.argv[1:] if argument != "--shared-pieces"]
    tree = Path(arguments[0] if arguments else Path(__file__).resolve().parents[1]).resolve()
    os.chdir(tree)
    sys.path.insert(0, str(tree / "scripts"))
    sys.argv = sys.argv[:1]
    import profile_pages

    profile_pages.configure(shared_pieces=True) if shared else profile_pages.configure()
    profile_pages.keep_facet_cubes()
    profile_pages.keep_search_index()
    from django.test import Client

    client = Client()
    lists, shares = profile_pages.long_tail_lists(PER_KIND)
    cpu = {}
    for kind, urls in lists.items():
        urls = urls[:PER_KIND]
        for url in urls[:5]:
            client.get(url)
        best = None
        for _round in range(ROUNDS):
            started = time.process_time()
            for url in urls:
                client.get(url)
            spent = (time.process_time() - started) / len(urls) * 1000
            best = spent if best is None else min(best, spent)
        cpu[kind.removeprefix("tail_")] = best
    mix = sum(cpu[kind] * share for kind, share in shares.items())
    figures = " ".join(f"{kind}={ms:.1f}" for kind, ms in cpu.items())
    print(f"{tree}: CPU ms per request {figures} mix={mix:.1f}")


if __name__ == "__main__":
    main()
