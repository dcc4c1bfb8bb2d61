"""The FilterSet of the public certificate register: kind, province and status (DESIGN.md §6)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import validity
from core.filters import LenientFilterSet
from core.i18n import localized_name
from producers.models import Province

from .models import Certificate, CertificateKind


class CertificateFilter(LenientFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("Loại văn bản"), choices=CertificateKind.choices)
    province = django_filters.MultipleChoiceFilter(field_name="province__slug", label=_("Tỉnh, thành phố"))
    status = django_filters.MultipleChoiceFilter(
        method="filter_status", label=_("Tình trạng"), choices=validity.Status.choices
    )

    class Meta:
        model = Certificate
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Certificate.objects.all(), **kwargs)

    def load_choices(self):
        self.provinces = list(Province.objects.select_related("merged_into"))
        self.former_provinces = {p.slug: p for p in self.provinces if not p.is_current}
        self.filters["province"].extra["choices"] = [
            (p.slug, localized_name(p)) for p in self.provinces if p.is_current
        ]

    def translate_value(self, name, value):
        if name == "province" and value in self.former_provinces:
            return self.former_provinces[value].merged_into.slug
        return value

    def filter_status(self, queryset, name, value):
        return queryset.filter(Q(*(validity.status_q(status, entry_level=False) for status in value), _connector=Q.OR))
