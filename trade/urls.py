"""URLs for buyers: exports, shortlist, enquiries and open data.

ocop_catalogue/urls.py includes them in the "products" namespace together with products/urls.py, so
their names ("products:shortlist", "products:export_csv", ...) read like the product pages' own.
"""

from django.urls import path

from . import api_views, views

urlpatterns = [
    path("products/export.csv", views.product_export_csv, name="export_csv"),
    path("products/export.xlsx", views.product_export_xlsx, name="export_xlsx"),
    path("producers/<slug:slug>/enquiry/", views.producer_enquiry, name="producer_enquiry"),
    path("shortlist/", views.shortlist_page, name="shortlist"),
    path("shortlist/add/", views.shortlist_add, name="shortlist_add"),
    path("shortlist/remove/", views.shortlist_remove, name="shortlist_remove"),
    path("shortlist/clear/", views.shortlist_clear, name="shortlist_clear"),
    path("shortlist/export.csv", views.shortlist_export_csv, name="shortlist_export_csv"),
    path("shortlist/export.xlsx", views.shortlist_export_xlsx, name="shortlist_export_xlsx"),
    path("shortlist/enquiry/", views.shortlist_enquiry, name="shortlist_enquiry"),
    path("enquiry/sent/", views.enquiry_sent, name="enquiry_sent"),
    path("api/products/", api_views.product_api, name="api_products"),
    path("open-data/", api_views.open_data_page, name="open_data"),
]
