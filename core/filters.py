"""The base of every public FilterSet: it never fails on what a visitor typed.

A query string can hold anything: unknown values, several values where one is expected, text with
NUL or control characters, ten thousand characters. `LenientFilterSet` keeps the values it
understands, lists the rest in `ignored` (so the page can say what it ignored), and binds its form
to the understood values only, so the form is always valid and every link built from `data` is clean.
"""

import copy
import re
from typing import NamedTuple
from urllib.parse import urlencode

import django_filters
from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core import cache
from core.i18n import localized_choices
from core.prepared import PreparedQuery

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")

# Parameters that links from newsletters and social sites add: ignored without a word.
SILENTLY_IGNORED = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)$")


def clean_text(value, max_length):
    """Text a visitor typed, without control characters, with single spaces, at most `max_length` long."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", str(value))).strip()
    return text[:max_length].strip(), len(text) > max_length


class Ignored(NamedTuple):
    """A value the filter left out: `label` names it for people, `parameter` is its query parameter."""

    label: str
    value: str
    parameter: str


def short(value, length=40):
    text = clean_text(value, 10_000)[0]
    return text if len(text) <= length else text[: length - 1] + "…"


class DeferredJoin:
    """A queryset to paginate whose page is picked from the bare rows, then fetched with its joins.

    Sorting thousands of search matches (or skipping thousands of rows on a deep page) then works on
    the narrow table alone, and the joined, annotated card columns are computed for one page only:
    `Paginator(DeferredJoin(filtered, cards), 24)` where `cards` is `filtered` with what the page shows.
    Still one query: the page's primary keys are a sliced subquery of the outer one.
    """

    def __init__(self, queryset, cards):
        self.queryset = queryset
        self.cards = cards
        self.ordered = queryset.ordered  # Paginator warns about unordered lists

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("DeferredJoin supports slices only")
        picked = self.queryset.select_related(None).values("pk")[index]
        return self.cards.filter(pk__in=picked)


class RowsByKey:
    """A list of primary keys to paginate, in order; a page's rows are read from `rows` by key.

    `rows` is a queryset, or a function from a list of keys to their rows (a core.prepared.PreparedByKeys).
    Keys whose rows `rows` no longer holds (removed since the list was made) are left out of the page.
    """

    ordered = True  # Paginator warns about unordered lists

    def __init__(self, keys, rows):
        self.keys = keys
        self.rows = rows

    def count(self):
        return len(self.keys)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("RowsByKey supports slices only")
        keys = [int(key) for key in self.keys[index]]
        if not keys:
            return []
        rows = self.rows(keys) if callable(self.rows) else self.rows.filter(pk__in=keys)
        found = {row.pk: row for row in rows}
        return [found[key] for key in keys if key in found]


class _Filters(dict):
    """A filter set class's filters, which django-filter deep-copies for every filter set (every list and
    search page): each filter's labels, widgets and lookups, ~270 objects, 0.13 ms. A filter set changes
    only its filters' `extra` (the choices) and their model and parent, and builds their form fields
    itself: a shallow copy of each filter with its own `extra` keeps the class's filters as they are."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copied = copy.copy(filter_)
            copied.extra = dict(filter_.extra)
            copied.__dict__.pop("_field", None)  # a form field is the filter set's own
            if copied.method is not None:
                copied.method = copied.method  # its FilterMethod calls the method of this copy's parent
            copies[name] = copied
        return copies


class LenientFilterSet(django_filters.FilterSet):
    """Subclasses set their choices in `load_choices()`; `ignored` lists what was left out (`Ignored`)."""

    max_text_length = 200
    # Parameters the page itself reads (pagination), never reported as unknown.
    extra_parameters = ("page",)

    @classmethod
    def get_filters(cls):
        return _Filters(super().get_filters())

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.ignored = []
        self.load_choices()
        if self.is_bound:
            self.data = self.understood(data)

    def load_choices(self):
        """Give each choice filter its choices (from the database if need be) before the data is read."""

    def choices_of(self, name):
        choices = self.filters[name].extra.get("choices", ())
        return choices() if callable(choices) else choices

    def understood(self, data):
        if not isinstance(data, QueryDict):
            qd = QueryDict(mutable=True)
            for key, value in dict(data).items():
                qd.setlist(key, value if isinstance(value, list | tuple) else [value])
            data = qd
        clean = QueryDict(mutable=True)
        for name, filter_ in self.filters.items():
            values = [v for v in data.getlist(name) if v is not None]
            kept = self.understand(name, filter_, values)
            if kept:
                clean.setlist(name, kept)
        for name in self.extra_parameters:
            if name in data:
                clean.setlist(name, data.getlist(name))
        for name in data:
            if name not in self.filters and name not in self.extra_parameters and not SILENTLY_IGNORED.match(name):
                self.ignore(_("tham số không rõ"), short(name), short(name, 200))
        return clean

    def understand(self, name, filter_, values):
        """The values of one parameter this FilterSet understands; the others go to `ignored`."""
        label = filter_.label or name
        if isinstance(filter_, django_filters.MultipleChoiceFilter):
            valid = {str(key) for key, _label in self.choices_of(name)}
            kept = []
            for value in values:
                value = self.translate_value(name, value)
                if value in valid:
                    if value not in kept:
                        kept.append(value)
                elif value.strip():
                    self.ignore(label, short(value), name)
            return kept
        if isinstance(filter_, django_filters.ChoiceFilter):
            valid = {str(key) for key, _label in self.choices_of(name)}
            kept = []
            for value in values:
                if value in valid and not kept:
                    kept.append(value)
                elif value.strip() and value not in kept:
                    self.ignore(label, short(value), name)
            return kept
        # Free text: the first non-empty value, cleaned.
        kept = []
        for value in values:
            text, truncated = clean_text(value, self.max_text_length)
            if not text:
                continue
            if kept:
                self.ignore(label, short(text), name)
                continue
            if truncated:
                self.ignore(label, _("phần sau ký tự thứ %(n)s") % {"n": self.max_text_length}, name)
            kept.append(text)
        return kept

    def translate_value(self, name, value):
        """Hook: map an old spelling of a value to the current one (e.g. a former province)."""
        return value

    def ignore(self, label, value, parameter):
        item = Ignored(label, value, parameter)
        if item not in self.ignored:
            self.ignored.append(item)

    # --- Pagination -----------------------------------------------------------------------------

    def paginate(self, queryset, *, per_page, count=None, max_pages=None):
        """The page the visitor asked for; a malformed or out-of-range `page` is reported and clamped.

        `count` saves the COUNT query when it is already known (the facet query gives it);
        `max_pages` caps how deep OFFSET pagination goes (deep pages get slow on big tables).
        """
        paginator = Paginator(queryset, per_page)
        if count is not None:
            paginator.count = count  # cached_property: no COUNT query
        last = paginator.num_pages if not max_pages else min(paginator.num_pages, max_pages)
        self.truncated_pages = last < paginator.num_pages
        paginator.num_pages = last  # cached_property: page links and "next" stop at the cap
        number = 1
        raw = self.values("page") if self.is_bound else []
        for value in raw[:1]:
            text = clean_text(value, 20)[0]
            if not text.isdecimal() or int(text) < 1:
                self.ignore(_("trang"), short(value), "page")
            elif int(text) > last:
                self.ignore(_("trang"), text, "page")
                number = last
            else:
                number = int(text)
        for value in raw[1:]:
            self.ignore(_("trang"), short(value), "page")
        return paginator.page(number)

    def page_url(self, number):
        return self.query_string(page=number if number > 1 else None)

    # --- Links built from the understood data -----------------------------------------------------

    def values(self, name):
        return self.data.getlist(name) if self.is_bound else []

    def query_string(self, **changes):
        """The current query (without page) with `changes` applied: None removes, a list replaces.

        Called for every facet option (about 80 links a list page): built from the query's pairs, read
        once, rather than from a deep copy of the QueryDict each time. Same order and encoding as
        QueryDict.urlencode: the parameters in their order, a changed one in its place, new ones last."""
        pairs = []
        for key, values in self._query_lists:
            if key in changes:
                values = self._as_values(changes[key])
            pairs.extend((key, value) for value in values)
        present = {key for key, _values in self._query_lists}
        for key, value in changes.items():
            if key not in present:
                pairs.extend((key, v) for v in self._as_values(value))
        encoded = urlencode(pairs)
        return f"?{encoded}" if encoded else "?"

    @cached_property
    def _query_lists(self):
        return [(key, values) for key, values in self.data.lists() if key != "page"] if self.is_bound else []

    @staticmethod
    def _as_values(value):
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    def toggle(self, name, value):
        """The query string with `value` of a repeatable parameter added, or removed if present."""
        current = self.values(name)
        value = str(value)
        new = [v for v in current if v != value] if value in current else [*current, value]
        return self.query_string(**{name: new or None})

    @property
    def has_filters(self):
        return any(self.values(name) for name in self.filters if name != "sort")


_PROVINCE_ROWS = {}  # province model -> its prepared statement


def province_rows(model):
    """Every unit, current and former, with the one it merged into: a prepared statement (core/prepared.py),
    the SQL built once per process (with the catalogue cache off the choices are read for every list)."""
    prepared = _PROVINCE_ROWS.get(model)
    if prepared is None:
        prepared = _PROVINCE_ROWS[model] = PreparedQuery(lambda key: model.objects.select_related("merged_into"))
    return prepared()


class ProvinceFilterMixin:
    """A `province` parameter (repeatable) of current provinces' slugs, for a LenientFilterSet.

    A former province's slug (links and bookmarks from before the 2025 merger) means the unit it merged
    into. `province_path` is the path from the filtered model to its province; the province model is
    found through it (the ORM), so that this module imports no app. Sets `provinces` (the current units)
    and `former_provinces` ({slug: former unit}); call `load_provinces()` from `load_choices()`.
    """

    province_path = "province"

    def province_model(self):
        model = self.queryset.model
        for part in self.province_path.split("__"):
            model = model._meta.get_field(part).related_model
        return model

    def load_provinces(self):
        model = self.province_model()
        provinces = cache.kept_in_process(f"choices:{model._meta.label}", lambda: province_rows(model))
        self.provinces = [p for p in provinces if p.is_current]
        self.former_provinces = {p.slug: p for p in provinces if not p.is_current}
        self.filters["province"].extra["choices"] = localized_choices(self.provinces, key=lambda p: p.slug)

    def translate_value(self, name, value):
        if name == "province" and value in self.former_provinces:
            return self.former_provinces[value].merged_into.slug
        return super().translate_value(name, value)
