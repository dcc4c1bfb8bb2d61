"""The FilterSet of the producers list: province, kind and a diacritics-insensitive name search."""

import django_filters
from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.filters import LenientFilterSet
from core.i18n import localized_name

from .models import Producer, Province


class ProducerFilter(LenientFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Từ khóa"))
    province = django_filters.MultipleChoiceFilter(field_name="province__slug", label=_("Tỉnh, thành phố"))
    kind = django_filters.MultipleChoiceFilter(label=_("Loại chủ thể"), choices=Producer.Kind.choices)

    class Meta:
        model = Producer
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Producer.objects.all(), **kwargs)

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

    def filter_q(self, queryset, name, value):
        # A product's folded search text holds its producer's name: a producer matches when one of
        # its products does (by the producer's name, or by what it makes).
        product_model = apps.get_model("products", "Product")
        matching = product_model.objects.published().search(value).filter(producer=OuterRef("pk"))
        return queryset.filter(Exists(matching))
