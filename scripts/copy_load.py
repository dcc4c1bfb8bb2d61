#!/usr/bin/env python
"""What loading the search index shared through a file of the host costs a worker, read or mapped.

    PROFILE_DATABASE_URL=postgres://…/ocop_1m .venv/bin/python scripts/copy_load.py [--rounds 2]

Builds the index of the published products (settings of scripts/profile_pages.py), writes it as a plain
pickle and as core/mapped_pickles.py writes it, then loads each in a fresh process, alternately, and prints
the load's milliseconds and the process's resident memory, its own (anonymous) and that of files (mapped
pages, which the host's processes share, counted as they are touched).
"""

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = """
import os, pickle, sys, time
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "ocop_catalogue.settings.base"
os.environ.setdefault("DJANGO_SECRET_KEY", "x" * 50)
import django
django.setup()
import products.search_index
from core import mapped_pickles
started = time.perf_counter()
how, path = sys.argv[1], sys.argv[2]
value = pickle.loads(open(path, "rb").read()) if how == "read" else mapped_pickles.load(path)
assert len(value) > 0
spent = (time.perf_counter() - started) * 1000
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
anon, file = (int(status[name].split()[0]) >> 10 for name in ("RssAnon", "RssFile"))
print(f"{{how}}: load {{spent:.1f}} ms; memory of its own {{anon}} MB, of files (shared) {{file}} MB")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    import profile_pages

    profile_pages.configure()
    from core import mapped_pickles
    from products.models import Product
    from products.search_index import SearchIndex

    started = time.perf_counter()
    index = SearchIndex.build(Product.objects.published())
    print(f"index of {len(index):,} products built in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as directory:
        plain, mapped = Path(directory) / "read.pickle", Path(directory) / "mapped.pickle"
        plain.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        stream, buffers = mapped_pickles.dumps(index)
        with open(mapped, "wb") as file:
            mapped_pickles.write(file, stream, buffers)
        print(f"files: {plain.stat().st_size >> 20} MB read, {mapped.stat().st_size >> 20} MB mapped")
        del index, stream, buffers
        code = LOAD.format(root=str(ROOT))
        for _ in range(args.rounds):
            for how, path in (("read", plain), ("mapped", mapped)):
                subprocess.run([sys.executable, "-c", code, how, str(path)], check=True)


if __name__ == "__main__":
    main()
