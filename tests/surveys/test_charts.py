"""The survey's charts (surveys/charts.py): well-formed SVG with its text as text, the counts written out, staff text
escaped, nothing the page's Content-Security-Policy would block, and the chart in words."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.utils import translation

from agenda.models import Congress
from surveys.charts import question_chart_description, question_chart_svg
from surveys.models import Question, Survey
from surveys.results import Bar, QuestionResult

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]
IMPORTS_MATPLOTLIB = re.compile(r"^\s*(import|from)\s+matplotlib", re.MULTILINE)


def _question(kind, pk=7):
    survey = Survey(title="Evaluering")
    survey.congress = Congress(name="Landstinget 2024")
    question = Question(pk=pk, kind=kind, text="Spørsmål")
    question.survey = survey
    return question


def _result(kind=Question.Kind.SCALE_1_5, bars=None, mean=None, earlier=None, n=None, pk=7):
    bars = (
        bars
        if bars is not None
        else [Bar(label=str(v), count=c, share=c / 8) for v, c in zip(range(1, 6), [0, 1, 2, 3, 2], strict=True)]
    )
    return QuestionResult(
        question=_question(kind, pk),
        number=1,
        text="Spørsmål",
        event_title=None,
        n=n if n is not None else 8,
        bars=bars,
        mean=mean,
        texts=None,
        earlier=earlier,
        earlier_congress_name="Landstinget 2022" if earlier else None,
    )


def _parsed(svg: str) -> ET.Element:
    assert not svg.startswith("<?xml")
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def _texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_a_scale_chart_is_svg_with_the_counts_and_shares_as_text_and_the_mean():
    with translation.override("en"):
        svg = question_chart_svg(_result(mean=3.75))

    root = _parsed(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    texts = _texts(root)
    assert {"1", "2", "3", "4", "5"} <= set(texts)
    assert "3 (38%)" in texts and "0 (0%)" in texts
    assert "Mean 3.8" in texts
    assert not root.findall(f".//{SVG}path[@d='']")


def test_the_chart_has_no_style_attribute_or_element_and_its_ids_are_its_own():
    svg = question_chart_svg(_result(mean=3.75, pk=12))

    root = _parsed(svg)
    assert "style" not in svg
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert ids and all(i.startswith("chart-12-") for i in ids)
    assert len(ids) == len(set(ids))
    references = [e.get("{http://www.w3.org/1999/xlink}href") for e in root.iter()] + [
        e.get("clip-path") for e in root.iter()
    ]
    assert all("chart-12-" in reference for reference in references if reference)


def test_the_same_result_draws_the_same_chart():
    assert question_chart_svg(_result(mean=3.0)) == question_chart_svg(_result(mean=3.0))


def test_markup_in_a_label_is_escaped_and_not_read_as_mathtext():
    bars = [
        Bar(label="<script>alert(1)</script>", count=2, share=0.5),
        Bar(label="$5 & mer", count=2, share=0.5),
    ]

    svg = question_chart_svg(_result(kind=Question.Kind.SINGLE_CHOICE, bars=bars, n=4))

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    texts = _texts(_parsed(svg))
    assert "<script>alert(1)</script>" in texts and "$5 & mer" in texts
    root = _parsed(svg)
    assert "<script>alert(1)</script>" in root.get("aria-label")  # an attribute, escaped as such
    assert not list(root.iter(f"{SVG}script"))


def test_the_earlier_survey_is_a_second_series_with_its_name_and_its_mean():
    earlier = _result(bars=[Bar(label=str(v), count=1, share=0.2) for v in range(1, 6)], mean=3.0, n=5, pk=3)
    with translation.override("en"):
        svg = question_chart_svg(_result(mean=3.75, earlier=earlier))

    texts = _texts(_parsed(svg))
    assert "Landstinget 2022 (5 answered)" in texts and "Landstinget 2024 (8 answered)" in texts
    assert texts.count("1 (20%)") == 5
    assert "Landstinget 2022: 3.0" in texts


def test_a_choice_not_asked_before_says_so():
    earlier = _result(
        kind=Question.Kind.SINGLE_CHOICE,
        bars=[Bar("Ja", 2, 1.0), Bar("Nei", 0, 0.0, offered=False)],
        n=2,
        pk=3,
    )
    result = _result(
        kind=Question.Kind.SINGLE_CHOICE, bars=[Bar("Ja", 1, 0.5), Bar("Nei", 1, 0.5)], n=2, earlier=earlier
    )

    with translation.override("en"):
        assert "not asked" in _texts(_parsed(question_chart_svg(result)))
        assert "Nei: not asked" in question_chart_description(result)


def test_a_free_text_question_has_no_chart():
    result = _result(kind=Question.Kind.FREE_TEXT, bars=[], n=3)
    assert question_chart_svg(result) == ""
    assert question_chart_svg(_result(kind=Question.Kind.SINGLE_CHOICE, bars=[], n=0)) == ""
    with translation.override("en"):
        assert question_chart_description(result) == "3 answered."


def test_the_description_says_the_distribution_in_words():
    earlier = _result(bars=[Bar(label=str(v), count=1, share=0.2) for v in range(1, 6)], mean=3.0, n=5, pk=3)
    with translation.override("en"):
        words = question_chart_description(_result(mean=3.75, earlier=earlier))

    assert words.startswith("On the scale from 1 to 5, 8 answered: 1: 0 (0%); 2: 1 (13%); 3: 2 (25%); 4: 3 (38%); 5: 2")
    assert "Mean: 3.8." in words
    assert "For comparison, Landstinget 2022: 5 answered: 1: 1 (20%)" in words


def test_several_choices_say_that_the_shares_add_up_to_more():
    bars = [Bar("Debattene", 3, 1.0), Bar("Maten", 1, 1 / 3)]
    with translation.override("en"):
        words = question_chart_description(_result(kind=Question.Kind.MULTIPLE_CHOICE, bars=bars, n=3))
    assert "may add up to more than 100 percent" in words


def test_long_labels_are_wrapped_and_kept():
    label = "Et svært langt svaralternativ som staben har skrevet for å forklare nøyaktig hva det gjelder"
    svg = question_chart_svg(_result(kind=Question.Kind.SINGLE_CHOICE, bars=[Bar(label, 1, 1.0)], n=1))
    words = " ".join(" ".join(_texts(_parsed(svg))).split())
    assert "Et svært langt" in words and "gjelder" in words


def test_charts_need_no_writable_home_and_do_not_warn(tmp_path):
    """In a container without a home to write to, matplotlib must neither fail nor warn."""
    home = "/dev/null/home"  # cannot be made, not even by root
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "TMPDIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ks_landsting.settings.test"),
        "DATABASE_URL": "sqlite:///:memory:",
        "PYTHONWARNINGS": "default",
    }
    script = (
        "import django; django.setup();"
        "from tests.surveys.test_charts import _result;"
        "from surveys.charts import question_chart_svg;"
        "print(len(question_chart_svg(_result(mean=3.0))) > 1000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    # On a busy machine matplotlib says that it is building its font cache, which is fine; nothing else.
    complaints = [line for line in done.stderr.lower().splitlines() if "building the font cache" not in line]
    assert not [line for line in complaints if "matplotlib" in line], done.stderr


def test_the_site_does_not_import_matplotlib_outside_the_charts():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and path.name != "charts.py"
        and IMPORTS_MATPLOTLIB.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_chart_is_drawn_in_either_language(language):
    with translation.override(language):
        assert _parsed(question_chart_svg(_result(mean=2.0))).tag == f"{SVG}svg"
