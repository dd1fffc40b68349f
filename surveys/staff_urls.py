"""The surveys' staff pages, under ``admin/surveys/``."""

from django.urls import path

from surveys import report_views, results_views

app_name = "surveys_staff"

urlpatterns: list = []
# Each page module adds its paths below (the results and the CSV export; the PDF report).
urlpatterns += [
    path("results/<int:survey_id>/report.pdf", report_views.results_pdf, name="results_pdf"),
]

# The results page and the anonymous answers as CSV (surveys/results_views.py).
urlpatterns += [
    path("results/", results_views.results, name="results"),
    path("results/<int:survey_id>/answers.csv", results_views.answers_csv, name="answers_csv"),
]
