"""Pages and files for buyers: the shortlist and its exports, trade enquiries, the product
list as XLSX, and the open data (the JSON API and the page that documents it).

Every page works without JavaScript: the shortlist changes through small POST forms (with Django's CSRF
token) that redirect back to where the buyer was.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.filters import clean_text
from core.http import client_ip, same_site_post
from core.i18n import localized_name
from producers.cache_scopes import province_filter_scopes
from producers.models import Producer
from products.filters import ProductFilter
from products.models import Product

from . import enquiries
from .exports import cached_export, export_header, export_rows
from .forms import EnquiryForm
from .models import Enquiry
from .shortlist import MAX_ITEMS, Shortlist
from .spreadsheets import (
    CSV_MAX_ROWS,
    EXPORT_STEM,
    XLSX_CONTENT_TYPE,
    XLSX_MAX_ROWS,
    csv_bytes,
    csv_response,
    file_response,
    xlsx_bytes,
    xlsx_response,
)

SHORTLIST_STEM = "danh-sach-chon-ocop"
SENT_SESSION_KEY = "enquiries_sent"


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def _export_key(request, filterset):
    return (filterset.query_string(), get_language(), _base_url(request))


# --- Exports of the filtered list -------------------------------------------------------------------


def _too_big(request, filterset, count, max_rows, template):
    context = {
        "filterset": filterset,
        "count": count,
        "max_rows": max_rows,
        "list_url": reverse("products:product_list") + filterset.query_string(),
        "csv_url": reverse("products:export_csv") + filterset.query_string(),
        "breadcrumbs": [(_("Sản phẩm"), reverse("products:product_list")), (_("Tải về"), None)],
    }
    return render(request, template, context)


@require_safe
def product_export_csv(request):
    filterset = ProductFilter(request.GET)
    count = filterset.qs.count()
    if count > CSV_MAX_ROWS:
        return _too_big(request, filterset, count, CSV_MAX_ROWS, "trade/export_csv_too_big.html")
    rows = lambda: export_rows(filterset.qs, base_url=_base_url(request))  # noqa: E731
    build = lambda: csv_bytes(export_header(), rows())  # noqa: E731
    content = cached_export(_export_key(request, filterset), "csv", build, province_filter_scopes(request))
    return file_response(content, EXPORT_STEM, "csv", "text/csv; charset=utf-8")


@require_safe
def product_export_xlsx(request):
    filterset = ProductFilter(request.GET)
    count = filterset.qs.count()
    if count > XLSX_MAX_ROWS:
        return _too_big(request, filterset, count, XLSX_MAX_ROWS, "trade/export_too_big.html")

    def build():
        rows = export_rows(filterset.qs, base_url=_base_url(request))
        return xlsx_bytes(export_header(), rows, title=_("Sản phẩm OCOP"))

    content = cached_export(_export_key(request, filterset), "xlsx", build, province_filter_scopes(request))
    return file_response(content, EXPORT_STEM, "xlsx", XLSX_CONTENT_TYPE)


# --- Shortlist ------------------------------------------------------------------------------------


def _posted_product(request):
    slug = clean_text(request.POST.get("product", ""), 300)[0]
    if not slug:
        raise Http404(_("Không có sản phẩm nào được chọn."))
    return get_object_or_404(Product.objects.published().only("pk", "slug"), slug=slug)


def _back(request, anchor=""):
    """Where the buyer was (a page of this site), or the shortlist."""
    target = request.POST.get("next", "")
    safe = (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    )
    if not safe:
        return redirect("products:shortlist")
    return redirect(target.split("#", 1)[0] + (f"#{anchor}" if anchor else ""))


@same_site_post
@require_POST
def shortlist_add(request):
    product = _posted_product(request)
    shortlist = Shortlist(request.session)
    if not shortlist.add(product.pk):
        messages.warning(
            request,
            _("Danh sách chọn đã có %(n)s sản phẩm, mức tối đa. Hãy bỏ bớt sản phẩm hoặc tải danh sách về trước.")
            % {"n": MAX_ITEMS},
        )
        return redirect("products:shortlist")
    return _back(request, f"shortlist-{product.slug}")


@same_site_post
@require_POST
def shortlist_remove(request):
    product = _posted_product(request)
    Shortlist(request.session).remove(product.pk)
    return _back(request, f"shortlist-{product.slug}")


@same_site_post
@require_POST
def shortlist_clear(request):
    Shortlist(request.session).clear()
    messages.info(request, _("Đã xóa danh sách chọn."))
    return redirect("products:shortlist")


def _by_producer(products):
    """[(producer, [products])] in the order the producers first appear."""
    groups = {}
    for product in products:
        groups.setdefault(product.producer_id, []).append(product)
    return [(items[0].producer, items) for items in groups.values()]


@require_safe
def shortlist_page(request):
    shortlist = Shortlist(request.session)
    products = list(shortlist.products_with_certificates()) if len(shortlist) else []
    shortlist.keep_only([product.pk for product in products])
    producer_count = len({product.producer_id for product in products})
    context = {
        "products": products,
        "producer_count": producer_count,
        "max_items": MAX_ITEMS,
        "breadcrumbs": [(_("Sản phẩm"), reverse("products:product_list")), (_("Danh sách chọn"), None)],
    }
    return render(request, "trade/shortlist.html", context)


def _shortlist_rows(request):
    return export_rows(Shortlist(request.session).products(), base_url=_base_url(request))


@require_safe
def shortlist_export_csv(request):
    return csv_response(export_header(), _shortlist_rows(request), SHORTLIST_STEM)


@require_safe
def shortlist_export_xlsx(request):
    return xlsx_response(export_header(), _shortlist_rows(request), SHORTLIST_STEM, title=_("Danh sách chọn"))


# --- Enquiries ------------------------------------------------------------------------------------


def _refusal(request, form, template, context):
    """The page refusing a submission that looks automated or comes too often, or None to go on."""
    address = client_ip(request)
    if form.is_bot:
        enquiries.count_submission(address)
        context["refusal"] = _(
            "Yêu cầu chưa được gửi: ô “Để trống ô này” (ẩn với người dùng) có nội dung, nên hệ thống coi đây là "
            "thư tự động. Nếu bạn gửi thật, hãy xóa nội dung ô đó rồi gửi lại, hoặc gọi điện trực tiếp cho chủ thể."
        )
        return render(request, template, context, status=400)
    if enquiries.rate_limited(address):
        return _rate_limit_refusal(request, template, context)
    return None


def _rate_limit_refusal(request, template, context):
    minutes = enquiries.rate_window_minutes()
    context["refusal"] = ngettext(
        "Yêu cầu chưa được gửi: địa chỉ mạng của bạn đã gửi %(count)s yêu cầu trong %(minutes)s phút qua, "
        "mức tối đa để chống thư rác. Hãy thử lại sau, hoặc liên hệ trực tiếp chủ thể qua điện thoại, email.",
        "Yêu cầu chưa được gửi: địa chỉ mạng của bạn đã gửi %(count)s yêu cầu trong %(minutes)s phút qua, "
        "mức tối đa để chống thư rác. Hãy thử lại sau, hoặc liên hệ trực tiếp chủ thể qua điện thoại, email.",
        enquiries.RATE_LIMIT,
    ) % {"count": enquiries.RATE_LIMIT, "minutes": minutes}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(enquiries.RATE_WINDOW_SECONDS)
    return response


def _send(request, form, products_by_producer, template, context):
    # The atomic check: of many posts at once from one address, exactly the limit get a slot.
    if not enquiries.take_slot(client_ip(request)):
        return _rate_limit_refusal(request, template, context)
    sent = enquiries.send_enquiries(
        buyer=form.buyer(),
        products_by_producer=products_by_producer,
        language=get_language() or "vi",
        base_url=_base_url(request),
    )
    request.session[SENT_SESSION_KEY] = [enquiry.pk for enquiry in sent]
    return redirect("products:enquiry_sent")


def _requested_ids(request, products):
    """Products to tick at first: those named in the address (?product=slug) and those on the shortlist."""
    slugs = set(request.GET.getlist("product"))
    listed = set(Shortlist(request.session).ids)
    return [p.pk for p in products if p.slug in slugs or p.pk in listed]


def _enquiry_context(**extra):
    return {"retention_days": enquiries.RETENTION_DAYS, "refusal": None, **extra}


@require_http_methods(["GET", "POST"])
def producer_enquiry(request, slug):
    producer = get_object_or_404(Producer.objects.select_related("province"), slug=slug)
    products = list(Product.objects.published().filter(producer=producer).order_by("search_text", "pk"))
    choices = [(product.pk, product.name) for product in products]
    template = "trade/enquiry_form.html"
    context = _enquiry_context(
        producer=producer,
        breadcrumbs=[
            (_("Chủ thể OCOP"), reverse("producers:producer_list")),
            (producer.name, producer.get_absolute_url()),
            (_("Gửi yêu cầu kết nối"), None),
        ],
    )
    if request.method == "POST":
        form = EnquiryForm(request.POST, product_choices=choices)
        context["form"] = form
        refused = _refusal(request, form, template, context)
        if refused:
            return refused
        if form.is_valid():
            chosen = set(form.cleaned_data.get("products", []))
            return _send(request, form, [(producer, [p for p in products if p.pk in chosen])], template, context)
        return render(request, template, context)
    context["form"] = EnquiryForm(initial={"products": _requested_ids(request, products)}, product_choices=choices)
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def shortlist_enquiry(request):
    products = list(Shortlist(request.session).products())
    groups = _by_producer(products)
    producer_of = {p.pk: p.producer_id for p in products}
    choices = [
        (f"{producer.name} · {localized_name(producer.province)}", [(p.pk, p.name) for p in items])
        for producer, items in groups
    ]
    template = "trade/enquiry_form.html"
    context = _enquiry_context(
        groups=groups,
        from_shortlist=True,
        max_producers=enquiries.MAX_PRODUCERS,
        breadcrumbs=[(_("Danh sách chọn"), reverse("products:shortlist")), (_("Gửi yêu cầu kết nối"), None)],
    )
    if not products:
        context["form"] = None
        return render(request, template, context)
    if request.method == "POST":
        form = EnquiryForm(request.POST, product_choices=choices, require_products=True, producer_of=producer_of)
        context["form"] = form
        refused = _refusal(request, form, template, context)
        if refused:
            return refused
        if form.is_valid():
            chosen = set(form.cleaned_data["products"])
            picked = [(producer, [p for p in items if p.pk in chosen]) for producer, items in groups]
            return _send(request, form, [(producer, items) for producer, items in picked if items], template, context)
        return render(request, template, context)
    # Ticked at first: the products of as many producers as one enquiry may reach.
    initial = {"products": [p.pk for _producer, items in groups[: enquiries.MAX_PRODUCERS] for p in items]}
    context["form"] = EnquiryForm(
        initial=initial, product_choices=choices, require_products=True, producer_of=producer_of
    )
    return render(request, template, context)


@require_safe
def enquiry_sent(request):
    """The buyer's confirmation: what this browser session just sent, and to whom; nobody else's."""
    ids = request.session.get(SENT_SESSION_KEY)
    ids = [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []
    sent = list(
        Enquiry.objects.filter(pk__in=ids)
        .select_related("producer__province")
        .prefetch_related("products")
        .order_by("pk")
        if ids
        else []
    )
    # Say exactly who received it, as the buyer's confirmation mail does (trade/enquiries.py delivery).
    context = {
        "enquiries": sent,
        **enquiries.delivery(sent),
        "reference": sent[0].reference if sent else "",
        "buyer_email": sent[0].email if sent else "",
        "retention_days": enquiries.RETENTION_DAYS,
        "breadcrumbs": [(_("Sản phẩm"), reverse("products:product_list")), (_("Đã gửi yêu cầu"), None)],
    }
    return render(request, "trade/enquiry_sent.html", context)
