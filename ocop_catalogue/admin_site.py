"""The back-office site: Vietnamese headers, the expiry panel on the index, and the login lockout page.

Installed in place of "django.contrib.admin" (settings.INSTALLED_APPS), so `admin.site` everywhere is
this site and every app's admin.py registers on it as usual.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


class CatalogueAdminSite(admin.AdminSite):
    site_header = _("Quản trị danh mục OCOP")
    site_title = _("Quản trị OCOP")
    index_title = _("Bảng điều khiển")
    index_template = "admin/ocop_index.html"
    # The model list is one click away (breadcrumbs, index); changelists need the width more.
    enable_nav_sidebar = False

    def admin_view(self, view, cacheable=False):
        return super().admin_view(_refuse_empty_to_field(view), cacheable)

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        from certifications.services import expiry_overview

        extra_context = {**(extra_context or {}), "expiry": expiry_overview(request.user)}
        return super().index(request, extra_context)


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete answers read like the form's choices: a model's `choice_label` when it has one."""

    def get_queryset(self):
        queryset = super().get_queryset()
        related = getattr(queryset.model, "CHOICE_RELATED", ())
        return queryset.select_related(*related) if related else queryset

    def serialize_result(self, obj, to_field_name):
        label = obj.choice_label() if hasattr(obj, "choice_label") else str(obj)
        return {"id": str(getattr(obj, to_field_name)), "text": label}


def _refuse_empty_to_field(view):
    """An empty `_to_field` (?_to_field= in a change or delete URL) is refused like any field the admin
    does not allow (400): Django's change and delete views skip their check for an empty name, then ask
    the model for a field named "" and fail with a server error."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR)) == "":
            raise DisallowedModelAdminToField("An empty field name cannot be referenced.")
        return view(request, *args, **kwargs)

    return checked


class CatalogueAdminConfig(AdminConfig):
    default_site = "ocop_catalogue.admin_site.CatalogueAdminSite"


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once a user name or address is locked out: a page in the admin's look."""
    from django.contrib.admin import site

    minutes = round(settings.AXES_COOLOFF_TIME * 60) if settings.AXES_COOLOFF_TIME else None
    context = {
        **site.each_context(request),
        "title": _("Tạm khoá đăng nhập"),
        "cooloff_minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "admin/lockout.html", context, status=429)
