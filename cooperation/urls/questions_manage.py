"""URLs of cooperation: questions to the office, the knowledge base and topic suggestions, for the office."""

from django.urls import URLPattern, path

from cooperation.views import questions_manage as views

app_name = "questions"
urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.question_detail, name="detail"),
    path("<int:pk>/route/", views.question_route, name="route"),
    path("<int:pk>/close/", views.question_close, name="close"),
    path("<int:pk>/publish/", views.question_publish, name="publish"),
    path("knowledge/", views.knowledge_list, name="knowledge_list"),
    path("knowledge/<int:pk>/", views.knowledge_detail, name="knowledge_detail"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/take/", views.suggestion_take, name="suggestion_take"),
]
