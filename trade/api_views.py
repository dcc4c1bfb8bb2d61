"""The open data: the product list as JSON, page by page, and the page that explains it."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.page_cache import cache_public_page
from producers.cache_scopes import province_filter_scopes
from products.filters import ProductFilter

from .open_data import FORMAT_VERSION, product_data, with_open_data
from .views import _base_url

API_PAGE_SIZE = 50
# Like the HTML list: OFFSET pagination gets slow deep into a big table; the full dump has everything.
API_MAX_PAGES = 200


@require_safe
@cache_public_page(scopes=province_filter_scopes, national=True)
def product_api(request):
    """The product list's filter as JSON, page by page (the same query parameters as the list)."""
    filterset = ProductFilter(request.GET)
    page = filterset.paginate(with_open_data(filterset.qs), per_page=API_PAGE_SIZE, max_pages=API_MAX_PAGES)
    base_url = _base_url(request)
    here = request.build_absolute_uri(request.path)
    last = min(page.paginator.num_pages, API_MAX_PAGES)

    def page_link(number):
        return here + filterset.page_url(number).rstrip("?")

    next_url = page_link(page.number + 1) if page.number < last else None
    previous_url = page_link(page.number - 1) if page.number > 1 else None
    data = {
        "format_version": FORMAT_VERSION,
        "count": page.paginator.count,
        "page": page.number,
        "pages": last,
        "page_size": API_PAGE_SIZE,
        "next": next_url,
        "previous": previous_url,
        "ignored": [
            {"parameter": item.parameter, "label": str(item.label), "value": item.value} for item in filterset.ignored
        ],
        "results": [product_data(product, base_url=base_url) for product in page.object_list],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", previous_url)) if url]
    if links:
        response["Link"] = ", ".join(links)
    # Open data: any site may read it from a browser; it is not a page for search engines.
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@cache_public_page
def open_data_page(request):
    filterset = ProductFilter()
    api = request.build_absolute_uri(reverse("products:api_products"))
    context = {
        "api_url": api,
        "page_size": API_PAGE_SIZE,
        "max_pages": API_MAX_PAGES,
        "parameters": [
            (name, filterset.filters[name].label, list(filterset.choices_of(name))) for name in filterset.filters
        ],
        "examples": [
            api + "?stars=4",
            api + "?province=son-la&cert=gi",
            api + "?q=che+shan+tuyet&sort=-stars",
        ],
        "breadcrumbs": [(_("Dữ liệu mở"), None)],
    }
    return render(request, "trade/open_data.html", context)
