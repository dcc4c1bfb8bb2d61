"""Turn OCOP rating decisions written in the simple "decisions" format into the demo fixture's format.

    .venv/bin/python scripts/decisions_to_fixture.py decisions.json [more.json …] \
        --figures figures.json --programmes programmes.json --out fixtures/ocop_decisions.json

The demo's own: `make demo-fixture` (fixtures/sources/*.json; their format is fixtures/sources/FORMAT.md).

The decisions format (one object a decision, its products listed inside) is what a person copying a
province's published decision writes most easily; README "Demo data" describes both formats. Producers and
products are matched by their folded name (and province) against fixtures/demo.json and each other, so a
product rated twice (a re-evaluation) is one product with two entries. Nothing is filled in that the input
does not say: a decision without a signing date stays without one (its status shows as unknown).
"""

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from core.text import fold_vietnamese, slugify_vietnamese  # noqa: E402

NEW_CATEGORIES = {
    "thit-che-bien": ("Thịt và sản phẩm từ thịt", "Meat products"),
    "ruou": ("Rượu", "Rice wine and spirits"),
    "do-uong": ("Đồ uống khác", "Other drinks"),
    "banh-keo": ("Bánh kẹo", "Cakes and sweets"),
    "sinh-vat-canh": ("Sinh vật cảnh", "Ornamental plants and animals"),
    "hat-dieu": ("Hạt điều", "Cashew nuts"),
    "sua": ("Sữa và sản phẩm từ sữa", "Milk and dairy products"),
    "yen-sao": ("Yến sào", "Edible bird's nest"),
    "dau-an": ("Dầu ăn, hạt có dầu", "Cooking oils and oilseeds"),
    "trung-gia-cam": ("Trứng gia cầm", "Poultry eggs"),
    "san-pham-tay-rua": ("Sản phẩm tẩy rửa, vệ sinh", "Cleaning and hygiene products"),
    "hat-mac-ca": ("Hạt mắc ca, hạt dinh dưỡng", "Macadamia and other nuts"),
    "san-pham-tu-sen": ("Sản phẩm từ sen", "Lotus products"),
    "duong-mia": ("Đường, mật mía", "Cane sugar and molasses"),
}
# Slugs of demo.json products removed as duplicates (2d2f50c): kept out of use, so that the decisions' own copies
# of those products keep the addresses they were published under ("…-2") and a reloaded demo keeps one of each.
RETIRED_SLUGS = {"tra-hoa-vang-ba-che", "che-bup-tim-thanh-ba", "ecohost-hai-hau", "cao-ca-gai-leo-an-xuan"}
KIND_BY_PREFIX = (
    ("hợp tác xã", "cooperative"),
    ("htx", "cooperative"),
    ("tổ hợp tác", "cooperative_group"),
    ("tht", "cooperative_group"),
    ("công ty", "enterprise"),
    ("cty", "enterprise"),
    ("doanh nghiệp", "enterprise"),
    ("hộ", "household"),
    ("cơ sở", "household"),
)


# Abbreviations that sources use for the legal form, written out as the registered name is.
LEGAL_FORMS = (
    (re.compile(r"^(HTX|Htx)\b\.?\s*", re.UNICODE), "Hợp tác xã "),
    (re.compile(r"^(Cty|Cty\.|CT)\s+", re.UNICODE), "Công ty "),
    (re.compile(r"^Công ty CP\b\s*", re.UNICODE), "Công ty Cổ phần "),
    (re.compile(r"^THT\b\s*", re.UNICODE), "Tổ hợp tác "),
    (re.compile(r"^HKD\b\s*", re.UNICODE), "Hộ kinh doanh "),
)


def legal_name(name):
    name = " ".join(name.split())
    for pattern, replacement in LEGAL_FORMS:
        name = pattern.sub(replacement, name)
    return name.strip()


def name_key(name):
    return fold_vietnamese(legal_name(name))


def producer_kind(row):
    """The kind the source states, else the one the legal name itself says ("HTX …" is a cooperative)."""
    if row.get("producer_kind"):
        return row["producer_kind"]
    name = legal_name(row["producer"]).lower()
    for prefix, kind in KIND_BY_PREFIX:
        if name.startswith(prefix):
            return kind
    return None


class Builder:
    def __init__(self, demo):
        self.categories = {row["slug"]: row for row in demo["categories"]}
        self.new_categories = {}
        self.producer_keys = {(name_key(r["name"]), r["province"]): r["slug"] for r in demo["producers"]}
        self.product_keys = {(fold_vietnamese(r["name"]), r["producer"]): r["slug"] for r in demo["products"]}
        self.used_slugs = {r["slug"] for r in demo["producers"]} | {r["slug"] for r in demo["products"]}
        self.used_slugs |= RETIRED_SLUGS
        self.producers, self.products, self.certificates = [], [], []
        self.decisions = {}
        self.skipped = Counter()

    def slug(self, text):
        base = slugify_vietnamese(text, max_length=90) or "muc"
        slug, n = base, 2
        while slug in self.used_slugs:
            slug, n = f"{base}-{n}", n + 1
        self.used_slugs.add(slug)
        return slug

    def category(self, row):
        slug = row.get("category") or ""
        if slug in self.categories or slug in self.new_categories:
            return slug
        name, name_en = NEW_CATEGORIES.get(slug, (row.get("category_name") or "", ""))
        if not slug or not name:
            return None
        self.new_categories[slug] = {"slug": slug, "name": name, "name_en": name_en, "group": row.get("group") or 1}
        return slug

    def producer(self, row):
        key = (name_key(row["producer"]), row["province"])
        if key not in self.producer_keys:
            kind = producer_kind(row)
            if kind is None:
                return None
            slug = self.slug(row["producer"])
            self.producers.append(
                {
                    "slug": slug,
                    "name": legal_name(row["producer"]),
                    "kind": kind,
                    "province": row["province"],
                    "former_province": row.get("former_province"),
                    "address": row.get("commune") or "",
                    "source_url": row.get("source_url") or "",
                }
            )
            self.producer_keys[key] = slug
        return self.producer_keys[key]

    def product(self, row, producer, category, source_url):
        key = (fold_vietnamese(row["name"]), producer)
        if key not in self.product_keys:
            slug = self.slug(row["name"])
            self.products.append(
                {
                    "slug": slug,
                    "name": row["name"].strip(),
                    "producer": producer,
                    "category": category,
                    "description": "",
                    "source_url": source_url,
                }
            )
            self.product_keys[key] = slug
        return self.product_keys[key]

    def decision(self, row):
        entries = []
        for item in row.get("products", []):
            source_url = item.get("source_url") or row.get("source_url") or ""
            producer = self.producer(item) if item.get("producer") and item.get("province") else None
            category = self.category(item)
            if producer is None or category is None:
                self.skipped["products without a producer, its kind or a category"] += 1
                continue
            product = self.product(item, producer, category, source_url)
            if not item.get("stars"):
                self.skipped["products without stars (kept, without an entry)"] += 1
                continue
            if any(entry["product"] == product for entry in entries):
                continue
            notes = f"Nguồn: {source_url}" if item.get("source_url") else ""
            entries.append({"product": product, "stars": item["stars"], "score": item.get("score"), "notes": notes})
        key = (row.get("number"), row.get("province"))
        earlier = self.decisions.get(key) if row.get("number") else None
        if earlier is not None:
            # The same decision written up by two pages: one certificate, the products of both.
            known = {entry["product"] for entry in earlier["entries"]}
            for entry in entries:
                if entry["product"] not in known:
                    entry["notes"] = entry["notes"] or f"Nguồn: {row.get('source_url') or ''}".strip()
                    earlier["entries"].append(entry)
            return
        self.decisions[key] = certificate = {
            "kind": "ocop",
            "number": row.get("number") or "",
            "title": row["title"],
            "issuer": row.get("issuer") or "",
            "level": row.get("level") or "",
            "province": row.get("province"),
            "former_province": row.get("former_province"),
            "issued_on": row.get("issued_on") or None,
            "issued_year": row.get("issued_year"),
            "source_url": row.get("source_url") or "",
            "notes": row.get("notes") or "",
            "entries": entries,
        }
        self.certificates.append(certificate)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decisions", nargs="+", type=Path)
    parser.add_argument("--figures", type=Path, action="append", default=[])
    parser.add_argument("--programmes", type=Path, action="append", default=[])
    parser.add_argument("--demo", type=Path, default=BASE_DIR / "fixtures" / "demo.json")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    builder = Builder(json.loads(args.demo.read_text(encoding="utf-8")))
    for path in args.decisions:
        for row in json.loads(path.read_text(encoding="utf-8")):
            builder.decision(row)
    figures = [row for path in args.figures for row in json.loads(path.read_text(encoding="utf-8"))]
    programmes = [row for path in args.programmes for row in json.loads(path.read_text(encoding="utf-8"))]
    out = {
        "categories": list(builder.new_categories.values()),
        "producers": builder.producers,
        "products": builder.products,
        "certificates": builder.certificates,
        "figures": list(
            {
                (row["province"], row["as_of"], row["source_url"]): row
                for row in reversed(figures)
                if row.get("source_url") and row.get("as_of") and row.get("province")
            }.values()
        )[::-1],
        "programmes": [row for row in programmes if row.get("source_url")],
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts = {key: len(value) for key, value in out.items()}
    print(f"{args.out}: {counts}; skipped: {dict(builder.skipped)}")


if __name__ == "__main__":
    main()
