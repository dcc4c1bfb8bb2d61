"""Fuzzing the back-office (issue 7): every add and change form of every registered ModelAdmin, as a
superuser and as a provincial staff member, and the spreadsheet imports, with generated data.

For each form the test first opens the page as a browser would and reads the <form> (its inputs, with
their current values, the inline rows and their management forms) and the Django form behind it (what
kind of value each field takes). Each generated request then posts what the browser would send with a
few fields replaced: text with NUL and control characters, ten thousand characters, Vietnamese, SQL and
HTML fragments; numbers out of range; malformed dates; ids of rows of any province (so another
province's producer, certificate or photo) and ids that do not exist; garbage bytes, truncated pictures,
decompression bombs and scripted PDFs for file fields; tampered management forms (negative or huge
counts, an inline row pointing at another province's photo with DELETE ticked); the admin's own
switches (_saveasnew, _popup, _to_field).

What must hold for every request:
- never a server error, never a traceback;
- a refused request (anything but a redirect after saving) changes nothing: the same number of rows in
  every table, and the edited record and the other province's record exactly as they were;
- a provincial staff member never changes a row of another province, accepted or not.

Requests are counted: each model's test asserts its own quota, and `test_every_registered_admin_is_fuzzed`
asserts that the quotas of all registered admins add up to at least 2,000 requests.
"""

import datetime
import hashlib
import io
import math
import struct
import zlib

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from certifications.resources import TEMPLATE_HEADERS
from core.admin.scoping import PROVINCE_PATHS, scope_queryset
from producers.models import StaffProvince
from tests.admin_world import build_world, png_bytes
from tests.site.fuzzing import (
    NASTY,
    Budget,
    changed_tables,
    check,
    emails,
    html_forms,
    number_values,
    row_counts,
    row_values,
    run_fuzz,
    text_values,
    values,
)
from trade.models import Enquiry

pytestmark = pytest.mark.django_db

MIN_REQUESTS = 2000
REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)
WHO = ("super", "staff")
VIEWS = ("add", "change")
# Generated requests per (model, user, view): every registered admin gets the same share.
PER_FORM = math.ceil(MIN_REQUESTS / (len(REGISTERED) * len(WHO) * len(VIEWS)))
IMPORTS = ["producers.producer", "products.product", "certifications.certifiedproduct"]
PER_IMPORT = 40  # per user, each a preview and sometimes its confirmation


def test_every_registered_admin_is_fuzzed():
    # Nothing is skipped: models whose admin refuses adding (enquiries, django-axes' logs) or refuses a
    # provincial staff member (accounts, groups, assignments) are fuzzed all the same; the answer is a 403.
    assert set(REGISTERED) == {model._meta.label_lower for model in admin.site._registry}
    assert len(REGISTERED) * len(WHO) * len(VIEWS) * PER_FORM >= MIN_REQUESTS
    importers = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "import_action")
    }
    assert importers == set(IMPORTS)


# --- The world ---------------------------------------------------------------------------------------


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the user forms hash passwords
    world = build_world()
    world.victim = get_user_model().objects.create_user("nv_khac", email="khac@example.org", is_staff=True)
    world.group = Group.objects.create(name="Nhóm thử")
    for s in (world.sl, world.qn):
        s.objects["enquiry"] = Enquiry.objects.create(
            reference="YC-THU",
            producer=s.producer,
            buyer_name="Người mua",
            email="mua@example.org",
            location="Hà Nội",
            message="Xin báo giá.",
        )
    world.attempt = AccessAttempt.objects.create(
        username="ai-do", ip_address="10.0.0.9", user_agent="x", get_data="", post_data="", failures_since_start=2
    )
    world.access_log = AccessLog.objects.create(username="ai-do", ip_address="10.0.0.9", user_agent="x")
    world.failure_log = AccessFailureLog.objects.create(username="ai-do", ip_address="10.0.0.9", user_agent="x")
    return world


def targets(world, label):
    """(the record a change form edits, another province's record or None) for a model."""
    sl, qn = world.sl, world.qn
    return {
        "auth.group": (world.group, None),
        "auth.user": (world.victim, None),
        "axes.accessattempt": (world.attempt, None),
        "axes.accesslog": (world.access_log, None),
        "axes.accessfailurelog": (world.failure_log, None),
        "producers.province": (sl.province, qn.province),
        "producers.producer": (sl.producer, qn.producer),
        "producers.staffprovince": (
            StaffProvince.objects.get(user=sl.staff),
            StaffProvince.objects.get(user=qn.staff),
        ),
        "products.productgroup": (world.category.group, None),
        "products.category": (world.category, None),
        "products.product": (sl.product, qn.product),
        "trade.enquiry": (sl.objects["enquiry"], qn.objects["enquiry"]),
        "certifications.certificate": (sl.certificate, qn.certificate),
        "certifications.certifiedproduct": (sl.entry, qn.entry),
    }[label]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def foreign_rows(user):
    """A digest of every row the user may not see, model by model: none of them may change."""
    if user.is_superuser:
        return None
    digest = {}
    for label in PROVINCE_PATHS:
        model = apps.get_model(label)
        mine = scope_queryset(model._base_manager.all(), user).values("pk")
        # What a form can change; not what the catalogue derives (a product's search text holds its
        # category's name, and categories are shared by every province).
        names = [f.attname for f in model._meta.concrete_fields if f.editable or f.primary_key]
        rows = model._base_manager.exclude(pk__in=mine).order_by("pk").values_list(*names)
        digest[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digest


# --- Generated values, by the kind of form field ------------------------------------------------------


def kind_of(field):
    if isinstance(field, forms.FileField):
        return "file"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "m2m"
    if isinstance(field, forms.ModelChoiceField | forms.models.InlineForeignKeyField):
        return "fk"
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return "bool"
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField | forms.TimeField):
        return "date"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return "number"
    if isinstance(field, forms.URLField):
        return "url"
    if isinstance(field, forms.EmailField):
        return "email"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    return "text"


def _png_with_size(width, height):
    """A PNG whose header declares width × height pixels and whose data is one row: a decompression bomb."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 4)) + chunk(b"IEND", b"")
    )


GOOD_PNG = png_bytes()
FILE_CONTENTS = st.one_of(
    st.binary(max_size=600),
    st.sampled_from(
        [
            b"",
            GOOD_PNG,
            GOOD_PNG[: len(GOOD_PNG) // 2],
            GOOD_PNG + b"<?php echo 1; ?>",
            _png_with_size(100_000, 100_000),
            _png_with_size(0, 0),
            b"\xff\xd8\xff\xe0" + b"\x00" * 40,
            b"GIF89a\x01\x00\x01\x00",
            b"RIFF\x00\x00\x00\x00WEBPVP8 ",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF",
            b"%PDF-1.4\n" + b"x" * 100,
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            b"<!doctype html><script>alert(1)</script>",
            b"PK\x03\x04" + b"\x00" * 30,
            b"MZ\x90\x00",
        ]
    ),
)
FILE_NAMES = st.one_of(
    st.sampled_from(
        ["anh.png", "scan.pdf", "logo.jpg", "a.svg", "../../etc/passwd", "x" * 300 + ".png", "ảnh đẹp.png"]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters='\r\n"\\/\x00'), min_size=1, max_size=30),
)
uploads = st.builds(
    lambda name, content, content_type: SimpleUploadedFile(name, content, content_type=content_type),
    FILE_NAMES,
    FILE_CONTENTS,
    st.sampled_from(["image/png", "application/pdf", "image/jpeg", "application/octet-stream", "text/html"]),
)
DATES = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y") if d.year >= 1000 else str(d)),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "31/02/2025",
            "00/00/0000",
            "32/13/2025",
            "29/02/2023",
            "1/1/1",
            "01/01/10000",
            "9999-12-31",
            "0001-01-01",
            "2025-13-45",
            "13:61",
            "25:00:00",
            "01/07/2025 24:00",
            "hôm qua",
            "-1",
            "1e9",
        ]
    ),
)
URLS = st.one_of(
    st.sampled_from(
        [
            "javascript:alert(1)",
            "http://[::1",
            "http://" + "a" * 300 + ".vn",
            "ftp://x",
            "//x",
            "http://ocop.gov.vn",
            "sonla.gov.vn/tin",
            "http://localhost:99999",
            "https://xn--",
            "http://\x00",
        ]
    ),
    text_values,
)
BOOLS = st.sampled_from(["on", "", "off", "0", "1", "false", "true", "\x00", "None"])
MANAGEMENT = st.sampled_from(
    ["-1", "0", "1", "2", "3", "1000", "1001", "99999999999999999999", "abc", "", "\x00", "1.5", "٣"]
)


def single_value(kind, pool, choices):
    junk = st.one_of(text_values, number_values)
    return {
        "text": st.one_of(text_values, values),
        "number": st.one_of(number_values, junk),
        "date": st.one_of(DATES, junk),
        "fk": st.one_of(st.sampled_from(pool), st.sampled_from(pool), junk) if pool else junk,
        "m2m": st.one_of(st.sampled_from(pool), junk) if pool else junk,
        "choice": st.one_of(st.sampled_from(choices), junk) if choices else junk,
        "bool": st.one_of(BOOLS, junk),
        "url": st.one_of(URLS, junk),
        "email": st.one_of(emails, junk),
        "management": st.one_of(MANAGEMENT, junk),
    }[kind]


def value_lists(kind, pool, choices):
    one = single_value(kind, pool, choices)
    if kind == "m2m":
        return st.lists(one, max_size=4)
    return st.one_of(one.map(lambda v: [v]), one.map(lambda v: [v]), st.lists(one, max_size=3))


# --- A form as the browser has it ----------------------------------------------------------------------


class FormShape:
    """A change or add form read from its page: what the browser sends, and the kind of each field."""

    def __init__(self, response, model):
        page = response.request["PATH_INFO"]
        form_id = f"{model._meta.model_name}_form"
        self.html = next(f for f in html_forms(response.content, page) if f.attrs.get("id") == form_id)
        self.baseline = self.html.data(submit="_save")
        self.baseline.pop("csrfmiddlewaretoken", None)
        self.kinds, self.pools, self.choices = {}, {}, {}
        context = response.context
        django_forms = [context["adminform"].form]
        for inline in context.get("inline_admin_formsets") or []:
            django_forms += [*inline.formset.forms, inline.formset.empty_form]
            for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
                self.kinds[f"{inline.formset.prefix}-{key}"] = "management"
        for form in django_forms:
            for bound in form:
                field = bound.field
                kind = kind_of(field)
                names = [bound.html_name]
                if isinstance(field.widget, forms.MultiWidget):
                    names += [f"{bound.html_name}_{i}" for i in range(len(field.widget.widgets))]
                for name in names:
                    self.kinds[name] = kind
                    if kind in ("fk", "m2m") and hasattr(field, "queryset"):
                        # Every row of the related table, whichever province it belongs to, as a string.
                        model_ = field.queryset.model
                        self.pools[name] = [str(pk) for pk in model_._base_manager.values_list("pk", flat=True)]
                        self.pools[name] += ["999999999"]
                    elif kind == "fk":  # the parent of an inline row
                        self.pools[name] = [str(getattr(form.instance, "pk", "") or "")]
                    if kind == "choice":
                        self.choices[name] = [str(k) for k, _ in _flat_choices(field.choices)] or [""]
        for name in self.html.names():
            self.kinds.setdefault(name, "text")
        self.kinds.pop("csrfmiddlewaretoken", None)
        self.inline_prefixes = [inline.formset.prefix for inline in context.get("inline_admin_formsets") or []]

    def names(self):
        return sorted(self.kinds)

    def strategy_for(self, name):
        kind = self.kinds[name]
        if kind == "file":
            return uploads.map(lambda upload: [upload])
        return value_lists(kind, self.pools.get(name), self.choices.get(name))


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield key, label


JUNK_KEYS = st.dictionaries(st.text(max_size=12), st.lists(values, max_size=2), max_size=2)
CONTROL_KEYS = {
    "_saveasnew": st.just("1"),
    "_continue": st.just("1"),
    "_addanother": st.just("1"),
    "_popup": st.sampled_from(["1", "", "x"]),
    "_to_field": st.sampled_from(["id", "pk", "name", "province", "password", "__class__", "", "x"]),
    "_changelist_filters": st.one_of(text_values, st.just("province__id__exact=1&o=1")),
    "_save": st.just("Lưu"),
}


def example_for(shape, *, other_target):
    """A generated request: the browser's data with a few fields replaced, dropped or added."""
    names = shape.names()
    mutation = st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), shape.strategy_for(name)))
    attack = st.none()
    if shape.inline_prefixes:
        # An inline row naming a row of another table (another province's photo or entry), DELETE ticked.
        pool = sorted({value for name, pool in shape.pools.items() if name.endswith("-id") for value in pool}) or ["1"]
        attack = st.one_of(
            st.none(),
            st.tuples(st.sampled_from(shape.inline_prefixes), st.sampled_from(pool), st.booleans()),
        )
    control = st.sampled_from(sorted(CONTROL_KEYS)).flatmap(lambda key: st.tuples(st.just(key), CONTROL_KEYS[key]))
    return st.fixed_dictionaries(
        {
            "mode": st.sampled_from(["browser", "browser", "browser", "browser", "empty", "raw"]),
            "replace": st.lists(mutation, max_size=4),
            "drop": st.lists(st.sampled_from(names), max_size=2),
            "control": st.one_of(st.just({}), st.just({}), st.lists(control, max_size=2).map(dict)),
            "junk_keys": JUNK_KEYS,
            "attack": attack,
            "raw": st.text(max_size=60),
            "target": st.sampled_from(["own", "other"]) if other_target else st.just("own"),
        }
    )


def build_data(shape, example):
    if example["mode"] == "empty":
        return {}
    data = {name: list(vals) for name, vals in shape.baseline.items()}
    for name, vals in example["replace"]:
        data[name] = vals
    for name in example["drop"]:
        data.pop(name, None)
    for key, vals in example["junk_keys"].items():
        data.setdefault(key, vals)
    data.update({key: [value] for key, value in example["control"].items()})
    if example["attack"] is not None:
        prefix, row_id, delete = example["attack"]
        data[f"{prefix}-0-id"] = [row_id]
        data[f"{prefix}-INITIAL_FORMS"] = ["1"]
        data[f"{prefix}-TOTAL_FORMS"] = [str(max(1, _int(data.get(f"{prefix}-TOTAL_FORMS"))))]
        if delete:
            data[f"{prefix}-0-DELETE"] = ["on"]
    return data


def _int(vals):
    try:
        return int(vals[0])
    except (TypeError, ValueError, IndexError):
        return 0


def accepted(response):
    """Saved: the admin redirects after a save; in a popup it answers a page that closes the popup."""
    if response.status_code == 302:
        return True
    return response.status_code == 200 and any(t.name == "admin/popup_response.html" for t in response.templates)


# --- Add and change forms -----------------------------------------------------------------------------


def discover(world, client, model, view, target):
    """The form's shape, read from the page as the user sees it, or as a superuser when the user may not open it."""
    url = admin_url(model, "add") if view == "add" else admin_url(model, "change", target.pk)
    response = client.get(url)
    if response.status_code != 200 or "adminform" not in (response.context or {}):
        response = logged_in(world.superuser).get(url)
    if response.status_code == 403 or "adminform" not in response.context:
        # Nobody may add these (enquiries come from buyers, login records from logins), or the page is
        # view-only: there is no form, and junk is all there is to post.
        return None
    assert response.status_code == 200, (model, view, response.status_code)
    shape = FormShape(response, model)
    if not shape.kinds:  # a view-only page of a record (provinces, for provincial staff)
        return None
    if view == "add" and target is not None:
        # Start from a real record's values (its change form), texts made different (names and numbers
        # are unique), so that generated requests get past the required fields and reach the checks
        # behind them, and the save.
        change = logged_in(world.superuser).get(admin_url(model, "change", target.pk))
        if change.status_code == 200 and "adminform" in change.context:
            filled = FormShape(change, model).baseline
            for name, vals in filled.items():
                kind = shape.kinds.get(name)
                if name in shape.baseline and "-" not in name and kind != "file":
                    shape.baseline[name] = [f"{v} 2" if kind == "text" and v else v for v in vals]
    return shape


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_forms_take_generated_data(world, label):
    model = apps.get_model(label)
    own, other = targets(world, label)
    budget = Budget()
    for who in WHO:
        user = world.superuser if who == "super" else world.sl.staff
        client = logged_in(user)
        for view in VIEWS:
            shape = discover(world, client, model, view, own)
            other_target = other is not None and view == "change"
            if shape is not None:
                strategy = example_for(shape, other_target=other_target)
            else:  # a page without a form (view only): junk is all there is to post
                strategy = st.fixed_dictionaries(
                    {
                        "junk_keys": JUNK_KEYS,
                        "target": st.sampled_from(["own", "other"]) if other_target else st.just("own"),
                    }
                )

            # Every example starts from the same world (it is rolled back after each), so the state
            # before a request is read once.
            rows = row_counts()
            records = {name: row_values(obj) for name, obj in (("own", own), ("other", other)) if obj is not None}
            foreign = foreign_rows(user)

            def one(
                example, client=client, user=user, who=who, view=view, shape=shape, before=(rows, records, foreign)
            ):
                rows, records, foreign = before
                target = own if example["target"] == "own" else other
                url = admin_url(model, "add") if view == "add" else admin_url(model, "change", target.pk)
                if shape is None:
                    response = client.post(url, example["junk_keys"])
                elif example["mode"] == "raw":
                    response = client.post(url, example["raw"], content_type="application/x-www-form-urlencoded")
                else:
                    response = client.post(url, build_data(shape, example))
                check(response, (label, who, view, example))
                budget.note(f"{who} {view}", response.status_code)
                if not accepted(response):
                    assert changed_tables(rows, row_counts()) == {}, (label, who, view, response.status_code, example)
                    for name, obj in (("own", own), ("other", other)):
                        if obj is not None:
                            assert row_values(obj) == records[name], (label, who, view, name, example)
                if foreign is not None:
                    assert foreign_rows(user) == foreign, ("another province's rows changed", label, view, example)
                if who == "staff" and example["target"] == "other" and "_saveasnew" not in example.get("control", {}):
                    # Not found, or refused before the record is looked up (no permission, a bad _to_field).
                    # (With _saveasnew the form adds a new record, and the other one is left alone: checked above.)
                    assert response.status_code in (400, 403, 404), (label, view, response.status_code)

            run_fuzz(strategy, one, examples=PER_FORM, budget=budget, label=f"{who} {view}")
    print(label, budget.report())
    for who in WHO:
        for view in VIEWS:
            assert budget.by_label[f"{who} {view}"] >= PER_FORM
    assert budget.requests >= len(WHO) * len(VIEWS) * PER_FORM


# --- Imports --------------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("label", IMPORTS)
def test_imports_take_generated_files(world, label):
    model = apps.get_model(label)
    headers = import_headers(label)
    budget = Budget()
    import_url, confirm_url = admin_url(model, "import"), admin_url(model, "process_import")
    for who in WHO:
        user = world.superuser if who == "super" else world.sl.staff
        client = logged_in(user)

        def one(example, client=client, user=user, who=who):
            kind, *details = example["file"]
            file_format = example["format"]
            if file_format == "match":
                file_format = "0" if kind == "table" and details[2] else "1"
            data = {"format": file_format, "resource": example["resource"]}
            if kind == "table":
                rows, shuffled, xlsx = details
                content = spreadsheet(headers, rows, shuffled, xlsx)
                data["import_file"] = SimpleUploadedFile(example["name"], content)
            elif kind == "bytes":
                data["import_file"] = SimpleUploadedFile(example["name"], details[0])
            province = {"own": world.sl.province.pk, "other": world.qn.province.pk}.get(
                example["province"], example["province"]
            )
            data["province"] = province
            if example["create_missing"]:
                data["create_missing"] = "on"
            rows_before = row_counts()
            foreign = foreign_rows(user)
            preview = client.post(import_url, data)
            budget.spend(f"{who} preview")
            check(preview, (label, who, example))
            budget.note(f"{who} preview", preview.status_code)
            # A preview saves nothing, whatever the file.
            assert changed_tables(rows_before, row_counts()) == {}, (label, who, example)
            context = preview.context or {}
            confirm_form = context.get("confirm_form")
            if confirm_form is None or example["confirm"] == "none":
                return
            confirm = {name: confirm_form[name].value() for name in confirm_form.fields}
            confirm = {
                name: ("on" if value is True else "" if value in (None, False) else value)
                for name, value in confirm.items()
            }
            if example["confirm"] == "tampered":
                for name, value in example["tamper"].items():
                    confirm[name] = world.qn.province.pk if value == "other" and name == "province" else value
            response = client.post(confirm_url, confirm)
            budget.spend(f"{who} confirm")
            check(response, (label, who, example, confirm))
            budget.note(
                f"{who} confirm",
                "saved" if response.get("Location") == admin_url(model, "changelist") else response.status_code,
            )
            saved = response.status_code == 302 and response["Location"] == admin_url(model, "changelist")
            if not saved:
                assert changed_tables(rows_before, row_counts()) == {}, ("a refused import saved rows", label, example)
            if foreign is not None:
                assert foreign_rows(user) == foreign, ("an import changed another province's rows", label, example)

        run_fuzz(import_example(world, label, headers), one, examples=PER_IMPORT)
    print(label, budget.report())
    for who in WHO:
        assert budget.by_label[f"{who} preview"] >= PER_IMPORT
