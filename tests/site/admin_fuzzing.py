"""Helpers of the back-office fuzz tests (tests/site/test_fuzz_admin.py): generated values by kind of form
field, a form as the browser has it (FormShape), generated requests from it, and the digest of the rows
a provincial staff member may not touch.
"""

import datetime
import hashlib
import struct
import zlib

from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from core.admin.scoping import PROVINCE_PATHS, scope_queryset
from tests.admin_world import png_bytes
from tests.site.fuzzing import (
    emails,
    number_values,
    text_values,
    values,
)
from tests.site.page_forms import html_forms


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
    # Not "." or "..": Django's uploaded-file object refuses them before any request is made (the fuzz run
    # failed in building its input, not in the admin), and no browser sends them as a file's name.
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters='\r\n"\\/\x00'), min_size=1, max_size=30).filter(
        lambda name: name not in {".", ".."}
    ),
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
        inlines = context.get("inline_admin_formsets") or []
        django_forms = [context["adminform"].form]
        for inline in inlines:
            django_forms += [*inline.formset.forms, inline.formset.empty_form]
            for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
                self.kinds[f"{inline.formset.prefix}-{key}"] = "management"
        for form in django_forms:
            for bound in form:
                self._read_field(form, bound)
        for name in self.html.names():
            self.kinds.setdefault(name, "text")
        self.kinds.pop("csrfmiddlewaretoken", None)
        self.inline_prefixes = [inline.formset.prefix for inline in inlines]

    def _read_field(self, form, bound):
        """The kind of a form field, under each name the browser sends it, and its possible values."""
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


# --- Reading a form -----------------------------------------------------------------------------


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
