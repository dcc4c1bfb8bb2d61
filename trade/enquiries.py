"""Trade enquiries from buyers: the spam checks, storing one enquiry per producer, the mails.

    if not take_slot(address): ...                     # refused: the address's window is full
    enquiries = send_enquiries(buyer=..., products_by_producer=[(producer, [products]), ...],
                               language="vi", base_url="https://...")

Each producer gets its own enquiry (and its own mail), all sharing one reference; the staff of each
producer's province (producers.StaffProvince) get a copy with a link to the admin; the buyer gets one
confirmation. Mails go out after the rows are committed, and a mail server that fails loses no enquiry:
it stays in the admin with the status "new".

The rate limit counts per address in a database table (SubmissionWindow), atomically, so every worker
and host sees the same count and it holds while the cache is down. The address is kept only as a keyed
hash, and only for the length of the window.
"""

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from producers.models import StaffProvince

from .models import Enquiry, SubmissionWindow

logger = logging.getLogger(__name__)

# How long enquiries are kept (the privacy notice says so; `purge_enquiries` removes older ones).
RETENTION_DAYS = getattr(settings, "OCOP_ENQUIRY_RETENTION_DAYS", 365)
# At most this many sent enquiries (a shortlist enquiry counts once) per address per window.
RATE_LIMIT = getattr(settings, "OCOP_ENQUIRY_RATE_LIMIT", 5)
RATE_WINDOW_SECONDS = getattr(settings, "OCOP_ENQUIRY_RATE_WINDOW", 60 * 60)
# One enquiry (from the shortlist) reaches at most this many producers: the form says so.
MAX_PRODUCERS = getattr(settings, "OCOP_ENQUIRY_MAX_PRODUCERS", 10)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone


@dataclass(frozen=True)
class Buyer:
    name: str
    organisation: str
    email: str
    phone: str
    location: str
    quantity: str
    message: str

    @property
    def display_name(self):
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


def new_reference() -> str:
    return "YC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


# --- Rate limit -----------------------------------------------------------------------------------


def _rate_key(address) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:enquiry:{address or 'unknown'}".encode()).hexdigest()[:40]
    return f"enquiry-rate:{digest}"


def _window_start():
    return timezone.now() - datetime.timedelta(seconds=RATE_WINDOW_SECONDS)


def submissions(address) -> int:
    """How many submissions this address has made in its current window."""
    row = SubmissionWindow.objects.filter(key=_rate_key(address), started_at__gte=_window_start()).first()
    return row.count if row else 0


def rate_limited(address) -> bool:
    """Whether this address has already sent RATE_LIMIT enquiries in the current window."""
    return submissions(address) >= RATE_LIMIT


def take_slot(address) -> bool:
    """Count one submission against the address's window if the window has room: True when it had.

    Atomic on the database (a row per address; the conditional UPDATE locks it, and PostgreSQL
    re-checks the condition after the lock), so many posts at once accept exactly RATE_LIMIT. The
    database rather than the cache: the limit holds while Redis is down, and fails closed with the
    database (no enquiry can be stored then anyway).
    """
    key = _rate_key(address)
    now = timezone.now()
    with transaction.atomic():
        SubmissionWindow.objects.get_or_create(key=key, defaults={"started_at": now, "count": 0})
        SubmissionWindow.objects.filter(key=key, started_at__lt=_window_start()).update(started_at=now, count=0)
        taken = SubmissionWindow.objects.filter(key=key, count__lt=RATE_LIMIT).update(count=F("count") + 1)
    return taken == 1


def count_submission(address):
    """Count a submission refused as automated against the address's window."""
    take_slot(address)


def rate_window_minutes() -> int:
    return max(1, RATE_WINDOW_SECONDS // 60)


# --- Storing --------------------------------------------------------------------------------------


def send_enquiries(*, buyer: Buyer, products_by_producer, language="vi", base_url=""):
    """Store one enquiry per (producer, products) pair, atomically; mail them once committed."""
    reference = new_reference()
    enquiries = []
    with transaction.atomic():
        for producer, products in products_by_producer:
            enquiry = Enquiry(
                reference=reference,
                producer=producer,
                buyer_name=buyer.name,
                organisation=buyer.organisation,
                email=buyer.email,
                phone=buyer.phone,
                location=buyer.location,
                quantity=buyer.quantity,
                message=buyer.message,
                language=language,
            )
            enquiry.full_clean()
            enquiry.save()
            enquiry.products.set(products)
            enquiries.append(enquiry)
        ids = [enquiry.pk for enquiry in enquiries]
        transaction.on_commit(lambda: deliver(ids, base_url=base_url), robust=True)
    return enquiries


def purge(older_than_days: int, *, dry_run=False) -> int:
    """Delete the enquiries sent more than `older_than_days` days ago; the number of them."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    old = Enquiry.objects.older_than(cutoff)
    count = old.count()
    if not dry_run and count:
        with transaction.atomic():
            old.delete()
    if not dry_run:
        SubmissionWindow.objects.filter(started_at__lt=_window_start()).delete()
    return count


# --- Mails ----------------------------------------------------------------------------------------


def staff_emails(province_id) -> list[str]:
    """Addresses of the active staff accounts that look after the province."""
    rows = (
        StaffProvince.objects.filter(province_id=province_id, user__is_active=True, user__is_staff=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return list(rows)


def _render(name, context):
    subject = render_to_string(f"trade/email/{name}_subject.txt", context)
    body = render_to_string(f"trade/email/{name}.txt", context)
    return " ".join(subject.split()), body


def _product_links(enquiry, base_url):
    return [(product.name, base_url + product.get_absolute_url()) for product in enquiry.products.all()]


def delivery(sent, staff_by_province=None):
    """Who received each enquiry of a batch, as the buyer is told on the page and in the confirmation mail.

    emailed: producers with an address (their province's staff get a copy when it has any); forwarded:
    producers without one, whose province's staff got the mail and pass it on; held: producers without an
    address in a province with no staff to mail, so nobody received it (it waits in the admin).
    """
    if staff_by_province is None:
        staff_by_province = {p: staff_emails(p) for p in {e.producer.province_id for e in sent}}

    def copied(enquiry):
        return bool(staff_by_province.get(enquiry.producer.province_id))

    return {
        "emailed": [e for e in sent if e.producer.email],
        "forwarded": [e for e in sent if not e.producer.email and copied(e)],
        "held": [e for e in sent if not e.producer.email and not copied(e)],
        "staff_copied": any(copied(e) for e in sent if e.producer.email),
    }


def _confirmation_groups(delivered, base_url):
    """The confirmation mail's lists, each under the words the confirmation page uses for it."""
    headings = {
        "emailed": lambda n: ngettext(
            "Đã gửi thư tới %(n)s chủ thể có địa chỉ email:", "Đã gửi thư tới %(n)s chủ thể có địa chỉ email:", n
        ),
        "forwarded": lambda n: ngettext(
            "%(n)s chủ thể chưa có email trong danh mục; cán bộ phụ trách OCOP của tỉnh đã nhận bản sao và sẽ "
            "chuyển yêu cầu tới họ:",
            "%(n)s chủ thể chưa có email trong danh mục; cán bộ phụ trách OCOP của tỉnh đã nhận bản sao và sẽ "
            "chuyển yêu cầu tới họ:",
            n,
        ),
        "held": lambda n: ngettext(
            "Chưa ai nhận thư về %(n)s chủ thể (chủ thể chưa có email và tỉnh chưa có cán bộ nhận thư); yêu cầu "
            "được lưu để cán bộ của tỉnh xem trong trang quản trị. Bạn nên liên hệ trực tiếp:",
            "Chưa ai nhận thư về %(n)s chủ thể (chủ thể chưa có email và tỉnh chưa có cán bộ nhận thư); yêu cầu "
            "được lưu để cán bộ của tỉnh xem trong trang quản trị. Bạn nên liên hệ trực tiếp:",
            n,
        ),
    }
    groups = {}
    for key, heading in headings.items():
        if delivered[key]:
            n = len(delivered[key])
            groups[key] = (heading(n) % {"n": n}, [(e, _product_links(e, base_url)) for e in delivered[key]])
    return groups


def build_mails(enquiries, *, base_url=""):
    """The mails of one batch of enquiries: per producer, to the producer and to its province's staff;
    then one confirmation to the buyer, saying who received what (`delivery`), as the page after sending
    does. Producers and staff read Vietnamese; the buyer their own language."""
    messages = []
    buyer_reply_to = [enquiries[0].email] if enquiries and enquiries[0].email else []
    staff_by_province = {p: staff_emails(p) for p in {e.producer.province_id for e in enquiries}}
    with translation.override("vi"):
        for enquiry in enquiries:
            context = {
                "enquiry": enquiry,
                "producer": enquiry.producer,
                "products": _product_links(enquiry, base_url),
                "admin_url": base_url + reverse("admin:trade_enquiry_change", args=[enquiry.pk]),
                "site_name": settings.SITE_NAME,
            }
            if enquiry.producer.email:
                subject, body = _render("enquiry_to_producer", context)
                messages.append(EmailMessage(subject, body, to=[enquiry.producer.email], reply_to=buyer_reply_to))
            staff = staff_by_province[enquiry.producer.province_id]
            if staff:
                subject, body = _render("enquiry_to_staff", context)
                messages.append(EmailMessage(subject, body, to=staff, reply_to=buyer_reply_to))
    if enquiries and enquiries[0].email:
        first = enquiries[0]
        delivered = delivery(enquiries, staff_by_province)
        with translation.override(first.language or settings.LANGUAGE_CODE):
            groups = _confirmation_groups(delivered, base_url)  # in the buyer's language
            context = {
                "enquiry": first,
                # Who received it, then what follows for them; last, those nobody received (call them).
                "received": [groups[key] for key in ("emailed", "forwarded") if key in groups],
                "held": groups.get("held"),
                "staff_copied": delivered["staff_copied"],
                "retention_days": RETENTION_DAYS,
                "site_name": settings.SITE_NAME,
            }
            subject, body = _render("enquiry_confirmation", context)
            messages.append(EmailMessage(subject, body, to=[first.email], headers={"Auto-Submitted": "auto-generated"}))
    return messages


def deliver(enquiry_ids, *, base_url=""):
    """Send the mails of the enquiries `enquiry_ids` (one batch); a failed mail is logged, never raised."""
    enquiries = list(
        Enquiry.objects.filter(pk__in=enquiry_ids)
        .select_related("producer__province")
        .prefetch_related("products")
        .order_by("pk")
    )
    messages = build_mails(enquiries, base_url=base_url)
    if not messages:
        return 0
    sent = 0
    try:
        with get_connection() as connection:
            for message in messages:
                message.connection = connection
                try:
                    sent += message.send()
                except Exception:
                    logger.exception("Could not send an enquiry mail to %s", ", ".join(message.to))
    except Exception:
        logger.exception("Could not open the mail connection for enquiries %s", enquiry_ids)
    return sent
