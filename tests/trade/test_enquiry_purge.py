"""`purge_enquiries --older-than DAYS`: old enquiries go, recent ones stay, as the privacy notice says."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests import factories as f
from trade import enquiries
from trade.models import Enquiry

pytestmark = pytest.mark.django_db

BUYER = enquiries.Buyer("Lê Minh", "", "minh@example.vn", "", "Huế", "", "Xin báo giá.")


def enquiry_aged(days):
    producer = f.producer()
    [enquiry] = enquiries.send_enquiries(
        buyer=BUYER, products_by_producer=[(producer, [f.product(producer_obj=producer)])]
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return enquiry


def purge(*args):
    out = io.StringIO()
    call_command("purge_enquiries", *args, stdout=out)
    return out.getvalue()


def test_enquiries_older_than_the_days_are_deleted():
    old, recent = enquiry_aged(400), enquiry_aged(10)
    assert "Deleted 1 enquiry(ies) older than 365 day(s)." in purge("--older-than", "365")
    assert list(Enquiry.objects.all()) == [recent]
    assert not Enquiry.products.through.objects.filter(enquiry_id=old.pk).exists()


def test_dry_run_deletes_nothing():
    enquiry_aged(400)
    assert "Would delete 1" in purge("--older-than", "30", "--dry-run")
    assert Enquiry.objects.count() == 1


def test_the_default_is_the_retention_period_the_notice_promises():
    enquiry_aged(enquiries.RETENTION_DAYS + 1)
    enquiry_aged(enquiries.RETENTION_DAYS - 1)
    purge()
    assert Enquiry.objects.count() == 1


def test_negative_days_are_refused():
    with pytest.raises(CommandError):
        purge("--older-than", "-1")
