"""URLs of cooperation: questions, the knowledge base and topic suggestions in the member portal."""

from django.urls import URLPattern, path

from cooperation.views import questions_portal as views

app_name = "portal_questions"
urlpatterns: list[URLPattern] = [
    path("", views.question_list, name="list"),
    path("new/", views.question_create, name="create"),
    path("<int:pk>/", views.question_detail, name="detail"),
    path("<int:pk>/answer/", views.answer_create, name="answer"),
    path("<int:pk>/consent/", views.question_consent, name="consent"),
    path("<int:pk>/answers/<int:answer_pk>/consent/", views.answer_consent, name="answer_consent"),
    path("knowledge/", views.knowledge_list, name="knowledge_list"),
    path("knowledge/<int:pk>/", views.knowledge_detail, name="knowledge_detail"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/new/", views.suggestion_create, name="suggestion_create"),
    path("suggestions/<int:pk>/support/", views.suggestion_support, name="suggestion_support"),
    path("suggestions/<int:pk>/withdraw/", views.suggestion_withdraw, name="suggestion_withdraw"),
]
