"""No silent lost updates in the back-office: a change form carries the id of the record's latest history
entry (django-simple-history) when it was opened; saving it after someone else has saved the record is
refused, with what they changed, by whom and when, and the user's own input kept in the form.

The form shown with the refusal carries the new latest id, so saving it again is a deliberate choice.
A post without the field (a script, a revert page) is not checked.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

HISTORY_FIELD = "_history_token"
MAX_LISTED = 8


def latest_history_id(obj):
    history = getattr(type(obj), "history", None)
    if obj is None or obj.pk is None or history is None:
        return None
    return history.filter(id=obj.pk).order_by("-history_id").values_list("history_id", flat=True).first()


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _short(value):
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def describe_changes(obj, since) -> str:
    """What was saved to `obj` after its history entry `since`, as one message."""
    records = list(type(obj).history.filter(id=obj.pk, history_id__gt=since).order_by("history_id"))
    parts = []
    for record in records[-MAX_LISTED:]:
        who = str(record.history_user) if record.history_user else _("một người khác")
        when = timezone.localtime(record.history_date).strftime("%H:%M %d/%m/%Y")
        previous = record.prev_record
        fields = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                fields.append(f"{_label(type(obj), change.field)}: “{_short(change.old)}” → “{_short(change.new)}”")
        detail = "; ".join(fields) if fields else _("lưu lại")
        parts.append(f"{who} ({when}): {detail}")
    return _(
        "Không lưu: bản ghi này đã được sửa sau khi bạn mở trang. %(changes)s. Những gì bạn nhập vẫn còn "
        "bên dưới; hãy xem lại, rồi bấm Lưu lần nữa nếu vẫn muốn ghi đè."
    ) % {"changes": " · ".join(parts)}


class StaleFormGuardMixin:
    """In the bases of every catalogue ModelAdmin with history (through ChangeHistoryAdminMixin)."""

    change_form_template = "admin/ocop/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["history_token"] = latest_history_id(obj) if change else None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        posted = request.POST.get(HISTORY_FIELD) if request.method == "POST" else None
        if obj is None or posted is None:
            return form
        current = latest_history_id(obj)
        if current is None or str(current) == posted:
            return form
        message = describe_changes(obj, int(posted)) if posted.isdigit() else describe_changes(obj, current - 1)

        class StaleForm(form):
            def clean(self):
                super().clean()
                raise forms.ValidationError(message, code="stale")

        return StaleForm
