"""Form hardening for the back-office: malformed or hostile input is a form error or "not found", never a
server error, and the forms read well with a screen reader.

`HardenedAdminMixin` goes in the bases of every catalogue ModelAdmin and inline: web addresses typed
without a scheme are https, a table row's inputs are named for screen readers, an autocomplete survives a
posted value that is not an id, and a search term loses the characters a database refuses. The form
classes and helpers below are used by the admins' own forms and formsets.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404


class HardenedAdminMixin:
    """Put in the bases of every catalogue ModelAdmin and inline, before Django's admin class."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(self, admin.TabularInline):
            # A table row's inputs have a column header but no <label>: name them for screen readers.
            widget = getattr(formfield.widget, "widget", formfield.widget)  # inside a related-object wrapper
            widget.attrs.setdefault("aria-label", str(formfield.label or db_field.verbose_name))
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        model = db_field.related_model
        if formfield is not None and hasattr(model, "choice_label"):
            # A model that says how its choices read (a product with its producer and province).
            formfield.label_from_instance = model.choice_label
            formfield.queryset = formfield.queryset.select_related(*model.CHOICE_RELATED)
        return formfield

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL characters in a query: a pasted one must not become an error page.
        search_term = strip_unprintable(search_term)
        return super().get_search_results(request, queryset, search_term)


def strip_unprintable(text):
    """`text` without NUL and the other characters that cannot be printed."""
    return "".join(ch for ch in text if ch.isprintable())


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, which looks the posted value up to show it again when the form comes
    back with errors: a value that is not an id at all ("abc" posted for a producer, or a number too big
    for the column) made that lookup, and so the page, fail with a server error. Such a value is simply
    not shown; the field's error says why."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", opts.pk.attname))
        return super().optgroups(name, [v for v in value if _is_lookup_value(target, v)], attr)


class ConstraintCheckingInlineFormSet(forms.BaseInlineFormSet):
    """Checks each new or changed row against its model's constraints with the link to the parent included.

    Django leaves the parent's foreign key out of an inline form's constraint checks, so a row repeating an
    existing one (one product twice on a decision, one province twice for an account) went to the
    database and broke its unique constraint: a server error. That happens when the management form's
    INITIAL_FORMS is tampered with (the existing rows come back as new ones). Now it is a form error."""

    def clean(self):
        super().clean()
        fields = self.model._meta.fields
        for form in self.forms:
            if not form.is_valid() or self._should_delete_form(form):
                continue
            if not form.instance._state.adding and not form.has_changed():
                continue
            exclude = {f.name for f in fields if f.name not in form.fields and f.name != self.fk.name}
            try:
                form.instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                form.add_error(None, ValidationError(error.messages))


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice field that refuses a value outside the key column's range as "not a valid
    value", as Django does for "abc": Django looked it up anyway, and the database driver failed (SQLite:
    OverflowError) with a server error."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        target = self.queryset.model._meta.get_field(key) if key != "pk" else self.queryset.model._meta.pk
        for pk in value:
            if not isinstance(pk, str | int) or not _is_lookup_value(target, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class SafeManyToManyAdminMixin:
    """Admins with many-to-many fields (accounts, groups) use SafeModelMultipleChoiceField."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def https_formfield(db_field, **kwargs):
    """ModelForm.Meta.formfield_callback: web addresses typed without a scheme are https (Django 6's default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


def safe_pk(model, value):
    """`value` as `model`'s primary key; a malformed id in a URL is "not found", never an error page."""
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, ValueError, TypeError):
        raise Http404 from None


def _is_lookup_value(field, value):
    try:
        field.run_validators(field.to_python(value))  # the type, and the column's range
    except (ValidationError, ValueError, TypeError):
        return False
    return True
