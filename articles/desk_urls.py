"""Addresses of the staff pages under /desk/ (see articles/desk_views.py)."""

from django.urls import path

from articles import desk_views

app_name = "desk"

urlpatterns = [
    path("", desk_views.my_desk, name="home"),
    path("preview/<id:pk>/", desk_views.preview, name="preview"),
    path("preview/<id:pk>/share/", desk_views.share, name="share"),
    path("shared/<str:token>/", desk_views.shared_preview, name="shared"),
    path("presence/<id:pk>/", desk_views.heartbeat, name="presence"),
]
