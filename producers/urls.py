from django.urls import path

from . import views

app_name = "producers"

urlpatterns = [
    path("provinces/", views.province_list, name="province_list"),
    path("provinces/<slug:slug>/", views.province_detail, name="province_detail"),
    path("producers/", views.producer_list, name="producer_list"),
    path("producers/<slug:slug>/", views.producer_detail, name="producer_detail"),
]
