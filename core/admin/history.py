"""The history of back-office changes (django-simple-history): why each row changed, and the guard on its
history and revert pages.

`ChangeHistoryAdminMixin` goes in the bases of every catalogue ModelAdmin: each save and deletion made in
the admin records its reason (what was added, which fields changed, a deletion), row by row for inlines
and bulk deletions too; the "revert" page of a version checks the live row through the admin first, so
it never shows or restores what the user may not see.
"""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin.hardening import safe_pk
from core.admin.stale import StaleFormGuardMixin


class ChangeHistoryAdminMixin(StaleFormGuardMixin):
    """Put in the bases of every catalogue ModelAdmin, before Django's (or django-simple-history's) admin.
    It refuses saves made from a stale form too (core.admin.stale)."""

    @admin.display(description=gettext_lazy("cập nhật"), ordering="updated_at")
    def updated(self, obj):
        return timezone.localtime(obj.updated_at).strftime("%d/%m/%Y")

    def save_model(self, request, obj, form, change):
        obj._change_reason = change_reason(form, change)
        super().save_model(request, obj, form, change)
        if getattr(obj, "_copies_enqueued", False):
            # A rename that many products follow: their copies are recomputed by the background worker.
            messages.info(
                request,
                format_html(
                    _('Các sản phẩm liên quan đang được cập nhật ở chế độ nền; xem tiến độ ở <a href="{}">{}</a>.'),
                    reverse("admin:django_tasks_database_dbtaskresult_changelist"),
                    _("Việc chạy nền"),
                ),
            )

    def save_formset(self, request, form, formset, change):
        # Django's save_formset, one row at a time, so that each row's history says why it changed.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = _("Xoá trong trang quản trị")
            obj.delete()
        changed = {id(f.instance): f for f in formset.forms}
        for obj in instances:
            inline_form = changed.get(id(obj))
            obj._change_reason = change_reason(inline_form, obj.pk is not None) if inline_form else ""
            obj.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        inline = inline_changes(formsets) if change else ""
        record = form.instance.history.first() if inline and hasattr(form.instance, "history") else None
        if record is not None:
            # The parent's own version says what changed in its rows too (a star changed on a decision's
            # entry once read "Lưu lại, không đổi gì" on the decision); each row keeps its own history.
            own = change_reason(form, change) if form.changed_data else ""
            reason = "; ".join(part for part in (own, inline) if part)[:100]
            type(record).objects.filter(pk=record.pk).update(history_change_reason=reason)

    def delete_model(self, request, obj):
        obj._change_reason = _("Xoá trong trang quản trị")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one, for the history's reason (admin bulk deletions are a handful of rows).
        for obj in queryset:
            self.delete_model(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history loads the version straight from the history table: check the live row first
        # (through get_object, and so the admin's queryset and permissions).
        model = self.model
        if model._default_manager.filter(pk=safe_pk(model, object_id)).exists():
            self.get_object(request, object_id)
        safe_pk(model.history.model, version_id)  # a malformed version id is "not found" too
        return super().history_form_view(request, object_id, version_id, extra_context)


def change_reason(form, change):
    """The history's reason for a save from an admin form: what was added, or which fields changed."""
    if not change:
        return _("Thêm trong trang quản trị")
    opts = form._meta.model._meta
    labels = []
    for name in form.changed_data:
        try:
            labels.append(str(opts.get_field(name).verbose_name))
        except FieldDoesNotExist:
            continue
    return (_("Sửa: %(fields)s") % {"fields": ", ".join(labels)})[:100] if labels else _("Lưu lại, không đổi gì")


def inline_changes(formsets):
    """What a save changed in the rows of its inlines, in words ("Sửa sản phẩm được chứng nhận: hạng sao"),
    from what each formset's save(commit=False) recorded (new, changed and deleted objects)."""
    parts = []
    for formset in formsets:
        opts = formset.model._meta
        name = str(opts.verbose_name)
        fields = []
        for _obj, names in getattr(formset, "changed_objects", []):
            for field in names:
                try:
                    label = str(opts.get_field(field).verbose_name)
                except FieldDoesNotExist:
                    continue
                if label not in fields:
                    fields.append(label)
        added, deleted = len(getattr(formset, "new_objects", [])), len(getattr(formset, "deleted_objects", []))
        if added:
            parts.append(_("Thêm %(n)s %(name)s") % {"n": added, "name": name})
        if fields:
            parts.append(_("Sửa %(name)s: %(fields)s") % {"name": name, "fields": ", ".join(fields)})
        if deleted:
            parts.append(_("Xoá %(n)s %(name)s") % {"n": deleted, "name": name})
    return "; ".join(parts)
