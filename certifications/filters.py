"""The FilterSet of the public certificate register: kind, province and status."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import validity
from core.filters import LenientFilterSet, ProvinceFilterMixin

from .models import Certificate, CertificateKind


class CertificateFilter(ProvinceFilterMixin, LenientFilterSet):
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
        self.load_provinces()

    def filter_status(self, queryset, name, value):
        return queryset.filter(Q(*(validity.status_q(status, entry_level=False) for status in value), _connector=Q.OR))
