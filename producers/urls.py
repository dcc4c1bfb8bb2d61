from django.urls import path

from . import views

app_name = "producers"

# The province pages (producers:province_list, producers:province_detail) join this namespace in
# ocop_catalogue/urls.py: they count products and certificates, which this app cannot see.
urlpatterns = [
    path("producers/", views.producer_list, name="producer_list"),
    path("producers/<slug:slug>/", views.producer_detail, name="producer_detail"),
]
