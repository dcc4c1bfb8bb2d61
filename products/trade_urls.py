"""URLs for buyers (issue 5), included from products/urls.py so they share its "products" namespace."""

from django.urls import path

from . import trade_views as views

urlpatterns = [
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
    path("api/products/", views.product_api, name="api_products"),
    path("open-data/", views.open_data_page, name="open_data"),
]
