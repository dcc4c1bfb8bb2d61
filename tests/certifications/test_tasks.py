"""Long recomputations run in the background worker (django-tasks, database backend): a rename that many
products follow is enqueued with the rename, the admin says so and shows the job's progress, and a worker
(`manage.py db_worker`, in this process and as a real separate process) picks the job up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from certifications.tasks import progress_key
from core.admin.scoping import NATIONAL_STAFF_GROUP
from products.models import Product
from tests import factories as f
from tests.admin_world import staff_user

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _tea_products(n=3):
    category = f.category("Chè")
    return category, [f.product(name=f"Sản phẩm {i}", category_obj=category) for i in range(n)]


def _rename(category, name):
    client = Client()
    client.force_login(staff_user(f"tw_{name[:5]}", group=NATIONAL_STAFF_GROUP))
    url = reverse("admin:products_category_change", args=[category.pk])
    return client, client.post(url, {"name": name, "name_en": "", "group": category.group_id}, follow=True)


def _search_texts(products):
    return list(Product.objects.filter(pk__in=[p.pk for p in products]).values_list("search_text", flat=True))


@pytest.mark.django_db
def test_a_small_rename_refreshes_at_once(settings):
    settings.COPIES_BACKGROUND_THRESHOLD = 10
    category, products = _tea_products()
    _client, response = _rename(category, "Trà búp")
    assert all("tra bup" in text for text in _search_texts(products))
    assert "chế độ nền" not in response.content.decode()


@pytest.mark.django_db
def test_a_big_rename_goes_through_the_task_and_says_so(settings, django_capture_on_commit_callbacks):
    settings.COPIES_BACKGROUND_THRESHOLD = 2
    category, products = _tea_products()
    with django_capture_on_commit_callbacks(execute=True):
        _client, response = _rename(category, "Trà búp")
    assert "chế độ nền" in response.content.decode()
    assert all("tra bup" in text for text in _search_texts(products))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_runs_an_enqueued_job_and_the_admin_shows_its_progress(settings):
    settings.TASKS = DATABASE_BACKEND
    settings.COPIES_BACKGROUND_THRESHOLD = 2
    category, products = _tea_products()
    client, _response = _rename(category, "Trà búp")
    job = DBTaskResult.objects.get()
    assert job.status == "READY"
    assert not any("tra bup" in text for text in _search_texts(products)), "nothing done in the request"
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    assert caches["catalogue"].get(progress_key(job.id)) == (3, 3)
    assert all("tra bup" in text for text in _search_texts(products))
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3/3 (100%)" in html
    # In Vietnamese, django-tasks' own English names included (locale/vi, ocop_catalogue/apps.py).
    assert "Task Result" not in html and "Chọn công việc để xem" in html
    assert "Thành công" in html and "xong lúc" in html.lower()
    assert "Công việc nền" in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_process_picks_the_job(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server (SQLite's is in this process's memory)")
    settings.TASKS = DATABASE_BACKEND
    settings.COPIES_BACKGROUND_THRESHOLD = 2
    category, products = _tea_products()
    _rename(category, "Trà búp")
    assert DBTaskResult.objects.get().status == "READY"
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ocop_catalogue.settings.base",
        DJANGO_TESTING="1",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    )
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    job = DBTaskResult.objects.get()
    assert job.status == "SUCCESSFUL", job.traceback
    assert job.worker_ids, "a worker process recorded itself on the job"
    assert all("tra bup" in text for text in _search_texts(products))
