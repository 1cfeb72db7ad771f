from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("article/<int:pk>/<str:slug>/", views.article_detail, name="article"),
    path("section/<str:slug>/", views.section_detail, name="section"),
    path("region/<str:slug>/", views.region_detail, name="region"),
    path("actor/<str:slug>/", views.actor_detail, name="actor"),
    path("author/<str:slug>/", views.author_detail, name="author"),
]
