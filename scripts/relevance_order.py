"""How long the search index takes to put a broad search's matches in relevance order, both ways.

    .venv/bin/python scripts/relevance_order.py [--searches "ca an,che,gao"] [--repeat 10]

Builds the search index of PROFILE_DATABASE_URL's published products (see scripts/profile_pages.py), then
for each search prints its number of matches and the milliseconds of its relevance order (the mean of
`--repeat` runs) with `np.lexsort` over the four columns and with the rows packed into one key
(`products/search_index.py` `_in_order`), after checking that both give the same order.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", default="ca an,gao,che,mat ong,nuoc mam")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    import profile_pages

    profile_pages.configure()
    import numpy as np

    from core.text import fold_vietnamese
    from products import search_index

    started = time.perf_counter()
    index = search_index.SearchIndex.build(search_index.Product.objects.published())
    print(f"index of {len(index):,} products built in {time.perf_counter() - started:.1f} s")
    packed = search_index._in_order
    try:
        search_index._in_order = lambda *columns: columns[-1][np.lexsort(columns[::-1])]
        for query in args.searches.split(","):
            words = fold_vietnamese(query).split()
            search = search_index.IndexSearch(index, words)
            rows = search.rows
            timings = {}
            for name, order in (("lexsort", search_index._in_order), ("packed", packed)):
                search_index._in_order = order
                result = index.relevance(rows, words, search.occurrences)
                began = time.perf_counter()
                for _ in range(args.repeat):
                    index.relevance(rows, words, search.occurrences)
                timings[name] = ((time.perf_counter() - began) / args.repeat * 1000, result)
            same = np.array_equal(timings["lexsort"][1], timings["packed"][1])
            print(
                f"{query!r}: {len(rows):,} matches, relevance order {timings['lexsort'][0]:.1f} ms with lexsort,"
                f" {timings['packed'][0]:.1f} ms packed{'' if same else ' (ORDERS DIFFER)'}"
            )
    finally:
        search_index._in_order = packed


if __name__ == "__main__":
    main()
