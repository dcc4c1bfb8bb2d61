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
from django.core.exceptions import ValidationError
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

    def get_urls(self):
        from django.urls import path

        # Django's "view on site" shortcut redirects to any object's public page, published or not, of
        # any province: ours first asks the model's admin whether this user may see the object.
        return [
            path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site")
        ] + super().get_urls()

    def view_on_site(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut
        from django.http import Http404

        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is not None:
            try:
                obj = model_admin.get_queryset(request).filter(pk=object_id).first()
            except (ValueError, TypeError, ValidationError):
                obj = None
            if obj is None or not model_admin.has_view_or_change_permission(request, obj):
                raise Http404
        return shortcut(request, content_type_id, object_id)

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
