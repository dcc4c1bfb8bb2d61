"""Public register of certificates and the verify page."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Certificate


@require_GET
def certificate_list(request):
    certificates = Certificate.objects.select_related("province")
    return render(request, "certifications/certificate_list.html", {"certificates": certificates[:100]})


@require_GET
def certificate_detail(request, pk):
    certificate = get_object_or_404(Certificate.objects.select_related("province", "former_province"), pk=pk)
    return render(request, "certifications/certificate_detail.html", {"certificate": certificate})


@require_GET
def verify(request):
    number = request.GET.get("number", "")[:200]
    matches = list(Certificate.objects.find_number(number).select_related("province")) if number.strip() else []
    return render(request, "certifications/verify.html", {"number": number, "matches": matches})
