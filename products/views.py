"""Public pages of products."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Product


@require_GET
def product_list(request):
    products = Product.objects.published().with_current_stars().select_related("producer__province", "category")
    return render(request, "products/product_list.html", {"products": products[:50]})


@require_GET
def product_detail(request, slug):
    product = get_object_or_404(
        Product.objects.published().select_related("producer__province", "category__group"), slug=slug
    )
    return render(request, "products/product_detail.html", {"product": product})
