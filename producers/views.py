"""Public pages of provinces and producers."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .models import Producer, Province


@require_GET
def province_list(request):
    return render(request, "producers/province_list.html", {"provinces": Province.objects.current()})


@require_GET
def province_detail(request, slug):
    province = get_object_or_404(Province.objects.select_related("merged_into"), slug=slug)
    if not province.is_current:
        return redirect(province.merged_into, permanent=True)
    return render(request, "producers/province_detail.html", {"province": province})


@require_GET
def producer_list(request):
    producers = Producer.objects.select_related("province")
    return render(request, "producers/producer_list.html", {"producers": producers})


@require_GET
def producer_detail(request, slug):
    producer = get_object_or_404(Producer.objects.select_related("province", "former_province"), slug=slug)
    return render(request, "producers/producer_detail.html", {"producer": producer})
