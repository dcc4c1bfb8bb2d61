"""Fuzzing the back-office: every add and change form of every registered ModelAdmin, as a
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

import math

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from producers.models import StaffProvince
from tests.admin_world import build_world
from tests.site.admin_fuzzing import (
    JUNK_KEYS,
    accepted,
    admin_url,
    build_data,
    discover,
    example_for,
    foreign_rows,
    logged_in,
)
from tests.site.fuzzing import (
    Budget,
    changed_tables,
    check,
    row_counts,
    row_values,
    run_fuzz,
)
from tests.site.import_fuzzing import import_example, import_headers, spreadsheet
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
        # The background jobs' list is read-only (no add, no change): every form answers 403.
        "django_tasks_database.dbtaskresult": (
            _a_job() if label == "django_tasks_database.dbtaskresult" else None,
            None,
        ),
    }[label]


def _a_job():
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"source": "category", "pk": 0}},
        task_path="certifications.tasks.refresh_copies",
        backend_name="default",
        run_after=timezone.now(),
    )


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
