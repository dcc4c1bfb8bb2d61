"""The FilterSet of the producers list: province, kind and a diacritics-insensitive name search."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.filters import LenientFilterSet, ProvinceFilterMixin

from .models import Producer


class ProducerFilter(ProvinceFilterMixin, LenientFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Từ khóa"))
    province = django_filters.MultipleChoiceFilter(field_name="province__slug", label=_("Tỉnh, thành phố"))
    kind = django_filters.MultipleChoiceFilter(label=_("Loại chủ thể"), choices=Producer.Kind.choices)

    class Meta:
        model = Producer
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Producer.objects.all(), **kwargs)

    def load_choices(self):
        self.load_provinces()

    def filter_q(self, queryset, name, value):
        # A product's folded search text holds its producer's name: a producer matches when one of
        # its products does (by the producer's name, or by what it makes).
        product_model = Producer._meta.get_field("products").related_model  # through the ORM: no import
        matching = product_model.objects.published().search(value).filter(producer=OuterRef("pk"))
        return queryset.filter(Exists(matching))
