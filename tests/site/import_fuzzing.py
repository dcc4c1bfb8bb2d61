"""Helpers of the spreadsheet import fuzz test (tests/site/test_fuzz_admin.py): the columns of each import,
generated cells and files (CSV or XLSX), and a good line of each import to start from.
"""

import io

import openpyxl
from django.apps import apps
from django.contrib import admin
from hypothesis import strategies as st

from certifications.resources import TEMPLATE_HEADERS
from tests.site.admin_fuzzing import FILE_CONTENTS
from tests.site.fuzzing import (
    NASTY,
    number_values,
    text_values,
)


def import_headers(label):
    if label == "certifications.certifiedproduct":
        return list(TEMPLATE_HEADERS)
    model_admin = admin.site._registry[apps.get_model(label)]
    resource = model_admin.get_import_resource_classes(None)[0]()
    return [field.column_name for field in resource.get_import_fields()]


def cell_values(world):
    names = [
        world.sl.producer.name,
        world.qn.producer.name,
        world.sl.product.name,
        world.qn.product.name,
        world.category.name,
        world.sl.province.name,
        world.qn.province.name,
        "Hợp tác xã",
        "Doanh nghiệp",
        "Quảng Ninh",
        "UBND tỉnh Sơn La",
        "Tỉnh Hà Giang",  # a former province
        str(world.sl.producer.pk),
        str(world.qn.producer.pk),
        str(world.qn.entry.pk),
        "101/QĐ-UBND",
        "202/QĐ-UBND",
        "3",
        "4",
        "5",
        "2 sao",
        "5★",
        "4,0",
        "01/07/2025",
        "2025-07-01",
        "31/02/2025",
        "=1+1",
        '=HYPERLINK("http://x","y")',
        "@SUM(A1)",
        "",
    ]
    return st.one_of(st.sampled_from(names), st.sampled_from(names), text_values, number_values)


def spreadsheet(headers, rows, shuffled_headers, xlsx):
    header_row = list(shuffled_headers) if shuffled_headers is not None else list(headers)
    table = [header_row, *rows]
    if xlsx:
        book = openpyxl.Workbook()
        sheet = book.active
        for row in table:
            sheet.append([_xlsx_safe(cell) for cell in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    lines = []
    for row in table:
        lines.append(",".join('"' + str(cell).replace('"', '""') + '"' for cell in row))
    return "\n".join(lines).encode("utf-8")


def _xlsx_safe(cell):
    # openpyxl refuses control characters in a cell: what Excel could not have written anyway.
    return "".join(ch for ch in str(cell) if ch >= " " or ch in "\t\n")


def seed_row(world, label):
    """A good line of each import, by column (other columns blank): a new record in the user's province."""
    sl = world.sl
    return {
        "producers.producer": {"Tên chủ thể": "HTX Mới Thử", "Loại chủ thể": "Hợp tác xã", "Tỉnh, thành phố": "Sơn La"},
        "products.product": {"Tên sản phẩm": "Sản phẩm Mới", "Chủ thể": sl.producer.name, "Loại sản phẩm": "Chè thử"},
        "certifications.certifiedproduct": {
            "Số quyết định": "777/QĐ-UBND",
            "Ngày ký": "01/07/2025",
            "Cơ quan ban hành": "UBND tỉnh Sơn La",
            "Sản phẩm": sl.product.name,
            "Chủ thể": sl.producer.name,
            "Loại sản phẩm": "Chè thử",
            "Số sao": "4",
        },
    }[label]


def import_example(world, label, headers):
    cell = cell_values(world)
    seed = seed_row(world, label)
    good = [seed.get(header, "") for header in headers]
    # Good lines with a cell or two replaced: most files get past the headers to the checks of each cell.
    changes = st.one_of(
        st.just([]), st.just([]), st.lists(st.tuples(st.integers(0, len(headers) - 1), cell), max_size=2)
    )
    seeded_row = changes.map(lambda changes: [dict(changes).get(i, value) for i, value in enumerate(good)])
    seeded = st.builds(
        lambda rows, xlsx: ("table", rows, None, xlsx), st.lists(seeded_row, min_size=1, max_size=2), st.booleans()
    )
    return st.fixed_dictionaries(
        {
            "file": st.one_of(
                seeded,
                seeded,
                seeded,
                st.builds(
                    lambda rows, shuffled, xlsx: ("table", rows, shuffled, xlsx),
                    st.lists(st.lists(cell, min_size=len(headers), max_size=len(headers) + 1), min_size=1, max_size=4),
                    st.one_of(
                        st.none(), st.none(), st.permutations(headers), st.lists(text_values, max_size=len(headers))
                    ),
                    st.booleans(),
                ),
                st.builds(lambda content: ("bytes", content), FILE_CONTENTS),
                st.just(("none",)),
            ),
            "name": st.sampled_from(["tep.csv", "tep.xlsx", "tep.xls", "tep", "../tep.csv", "tệp.CSV"]),
            # The format that matches the file (XLSX is "0", CSV "1"), mostly; sometimes the other, or junk.
            "format": st.one_of(*[st.just("match")] * 4, st.sampled_from(["0", "1"]), st.sampled_from(NASTY[:12])),
            "resource": st.one_of(*[st.just("0")] * 4, st.sampled_from(["1", "-1", "x", ""])),
            "province": st.one_of(*[st.just("own")] * 4, st.just("other"), number_values, text_values),
            "create_missing": st.booleans(),
            "confirm": st.sampled_from(["as shown", "as shown", "tampered", "none"]),
            "tamper": st.dictionaries(
                st.sampled_from(
                    ["import_file_name", "original_file_name", "format", "resource", "province", "create_missing"]
                ),
                st.one_of(text_values, number_values, st.just("other")),
                min_size=1,
                max_size=2,
            ),
        }
    )
