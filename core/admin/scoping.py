"""Province scoping for the back-office: the one rule for what a staff account may see and change.

A superuser, or a member of the "National staff" group, sees every province. Every other staff account
sees only the provinces it is assigned to (`producers.StaffProvince`) and the former units merged into
them. `PROVINCE_PATHS` says how each catalogue model reaches its province; `ProvinceScopedAdminMixin`
applies that path everywhere the admin reads or writes rows: changelists (and so actions and exports),
change, delete and history views, foreign-key choices (and so autocompletes, whose rows come from the
target model's admin), list filters, and the checks before saving. Imports check the province
themselves with `scope_queryset` and `in_scope` (django-import-export bypasses the admin's queryset).
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

PROVINCIAL_STAFF_GROUP = "Provincial staff"
NATIONAL_STAFF_GROUP = "National staff"

# How each model reaches the Province that owns it; "" is the Province model itself.
PROVINCE_PATHS = {
    "producers.province": "",
    "producers.producer": "province",
    "producers.staffprovince": "province",
    "products.product": "producer__province",
    "products.productimage": "product__producer__province",
    "trade.enquiry": "producer__province",
    "certifications.certificate": "province",
    "certifications.certifiedproduct": "certificate__province",
    "certifications.renewal": "certificate__province",
    "producers.reportedfigure": "province",
}

# Rows that touch a second province's records: an entry lists a product on a certificate, and the
# product's stars belong to the product's province as much as the certificate to its own. Staff may
# see and change such a row only when both are theirs (national decisions are for national staff).
SECOND_PATHS = {
    "certifications.certifiedproduct": "product__producer__province",
}

_CACHE_ATTR = "_ocop_province_scope"


def province_path(model):
    """The path from `model` to its Province, or None for models every staff member shares."""
    return PROVINCE_PATHS.get(model._meta.label_lower)


def sees_every_province(user) -> bool:
    return _scope(user) is None


def province_ids(user):
    """The ids of the provinces `user` looks after (a frozenset), or None when it sees them all."""
    return _scope(user)


def _scope(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if hasattr(user, _CACHE_ATTR):
        return getattr(user, _CACHE_ATTR)
    if user.is_superuser or user.groups.filter(name=NATIONAL_STAFF_GROUP).exists():
        scope = None
    else:
        scope = frozenset(user.province_assignments.values_list("province_id", flat=True))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user):
    """Drop the cached scope, e.g. after changing the user's assignments in the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_q(user, path) -> Q:
    """A filter for the rows of a model whose province path is `path` that `user` may see."""
    ids = _scope(user)
    if ids is None:
        return Q()
    if path == "":
        # A province, and the former units merged into it (for "former province" fields).
        return Q(pk__in=ids) | Q(merged_into__in=ids)
    return Q(**{f"{path}__in": ids})


def scope_queryset(queryset, user):
    """`queryset` narrowed to what `user` may see; unchanged for models every staff member shares."""
    path = province_path(queryset.model)
    if path is None:
        return queryset
    ids = _scope(user)
    if ids is None:
        return queryset
    # Every path follows foreign keys towards one province, so the filter never duplicates rows.
    queryset = queryset.filter(scope_q(user, path))
    second = SECOND_PATHS.get(queryset.model._meta.label_lower)
    return queryset.filter(scope_q(user, second)) if second else queryset


def object_province_ids(obj):
    """The province ids that own `obj` (an unsaved or historical instance too), walking its path."""
    path = province_path(type(obj))
    if path is None:
        return None
    if path == "":
        return {obj.pk, obj.merged_into_id} - {None}
    *hops, last = path.split("__")
    target = obj
    try:
        for hop in hops:
            target = getattr(target, hop)
            if target is None:
                return set()
    except ObjectDoesNotExist:
        return set()
    value = getattr(target, f"{last}_id", None)
    return {value} if value is not None else set()


def in_scope(user, obj) -> bool:
    """Whether `user` may see and change `obj`."""
    ids = _scope(user)
    if ids is None:
        return True
    owners = object_province_ids(obj)
    if owners is None:
        return True
    if not (owners and owners & ids):
        return False
    second = SECOND_PATHS.get(type(obj)._meta.label_lower)
    if second:
        target = obj
        try:
            for hop in second.split("__"):
                target = getattr(target, hop, None) if target is not None else None
        except ObjectDoesNotExist:
            target = None
        return target is not None and target.pk in ids
    return True


class ProvinceScopedAdminMixin:
    """Put first in the bases of every catalogue ModelAdmin and inline: it narrows everything to the user's provinces.

    `list_filter` entries that follow a relation show only the values present in the user's rows,
    so no other province's name reaches the sidebar. The history's reasons and the form hardening are
    separate mixins (core.admin.history, core.admin.hardening), listed after this one.
    """

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        # Django answers a missing object with a redirect to the index; another province's record is
        # simply not there for this user, so say 404 instead of hinting it was deleted.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Không tìm thấy bản ghi này."))
        return obj

    def _obj_allowed(self, request, obj):
        # Inlines receive the parent object, which the parent admin has already checked.
        if obj is None or isinstance(self, admin.options.InlineModelAdmin):
            return True
        return in_scope(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._obj_allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._obj_allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._obj_allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if province_path(related) is not None and "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = related._default_manager.all()
            kwargs["queryset"] = scope_queryset(queryset, request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and province_path(related) is not None:
            # Django's "Hãy chọn một lựa chọn hợp lệ…" does not say why another province's row is refused.
            field.error_messages["invalid_choice"] = _(
                "Không có lựa chọn này trong các tỉnh, thành phố bạn phụ trách: hãy chọn lại trong danh sách."
            )
        return field

    def get_list_filter(self, request):
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and _is_relation(self.model, entry):
                entry = (entry, ScopedRelatedFilter)
            filters.append(entry)
        return filters

    def get_changeform_initial_data(self, request):
        # Someone who looks after one province adds records there: choose it for them.
        initial = super().get_changeform_initial_data(request)
        ids = province_ids(request.user)
        if ids is not None and len(ids) == 1 and province_path(self.model) == "province":
            initial.setdefault("province", next(iter(ids)))
        return initial

    def get_list_display(self, request):
        # A column naming the province says nothing to someone who looks after a single one.
        columns = list(super().get_list_display(request))
        ids = province_ids(request.user)
        if ids is not None and len(ids) == 1 and "province" in columns:
            columns.remove("province")
        return columns

    def check_in_scope(self, request, obj):
        if not in_scope(request.user, obj):
            raise PermissionDenied(_("Bản ghi này thuộc tỉnh, thành phố khác."))

    def save_model(self, request, obj, form, change):
        self.check_in_scope(request, obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Every row an inline writes or deletes must be the user's too: its own links may point elsewhere.
        # save(commit=False) writes nothing and may be called again by the next save_formset in line; the
        # admin's change view runs in a transaction, so a refusal leaves nothing half-saved.
        for obj in [*formset.save(commit=False), *formset.deleted_objects]:
            self.check_in_scope(request, obj)
        super().save_formset(request, form, formset, change)

    def get_valid_export_item_pks(self, request):
        # django-import-export's default lists every row of the table; the user's rows are enough.
        return self.get_queryset(request).values_list("pk", flat=True)


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """Choices limited to the values in the user's rows; a filter in the URL is applied even when the
    sidebar has nothing to offer (one province): Django drops the parameter of a filter without output,
    so "select all" would then act on every row instead of none."""

    def has_output(self):
        return super().has_output() or bool(self.used_parameters)


def _is_relation(model, lookup):
    opts = model._meta
    field = None
    for part in lookup.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        opts = field.related_model._meta
    return field is not None and field.is_relation
