"""The background jobs in the back-office (django-tasks' database backend): what runs, and how far it is."""

from django.contrib import admin
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from certifications.tasks import progress_key

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class BackgroundJobAdmin(DBTaskResultAdmin):
    list_display = ("job", "status", "progress", "enqueued_at", "started_at", "finished_at")

    @admin.display(description=_("công việc"), ordering="task_path")
    def job(self, job):
        return job.task_name

    # The parent's two computed fields, under translated names (its own are plain English strings).
    @admin.display(description=_("chi tiết lỗi"))
    def formatted_traceback(self, job):
        return super().formatted_traceback(job)

    @admin.display(description=_("hẹn chạy lúc"))
    def display_run_after(self, job):
        return super().display_run_after(job)

    @admin.display(description=_("tiến độ"))
    def progress(self, job):
        try:
            done, total = caches["catalogue"].get(progress_key(job.id)) or (None, None)
        except Exception:  # noqa: BLE001 - the cache down: progress unknown, the page still shows
            done, total = None, None
        if total is None:
            return "—"
        percent = 100 if not total else round(100 * done / total)
        return f"{done:,}/{total:,} ({percent}%)".replace(",", ".")
