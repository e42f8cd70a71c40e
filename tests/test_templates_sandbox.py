"""Council Word templates are untrusted files: they render in the sandbox, and tricks are refused."""

from __future__ import annotations

import shlex
from pathlib import Path

import docx
import pytest

from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError
from engine.report.build import build_report
from engine.report.make_template import TEMPLATES
from engine.report.sandbox import report_environment
from engine.report.word import render_docx
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def report():
    result = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"))
    return build_report(result, draws=20)


def _template(folder: Path, text: str) -> Path:
    """The shipped template with one more paragraph, as a hostile sender would add it."""
    document = docx.Document(str(TEMPLATES / "cabinet.docx"))
    document.add_paragraph(text)
    path = folder / "council.docx"
    document.save(str(path))
    return path


def _command(marker: Path) -> str:
    return f"touch {shlex.quote(str(marker))}"


ATTACKS = {
    "cycler-globals": "{{{{ cycler.__init__.__globals__.os.system('{cmd}') }}}}",
    "joiner-globals": "{{{{ joiner.__init__.__globals__.os.popen('{cmd}').read() }}}}",
    "namespace-globals": "{{{{ namespace.__init__.__globals__.os.system('{cmd}') }}}}",
    "lipsum-globals": "{{{{ lipsum.__globals__['os'].system('{cmd}') }}}}",
    "self-reference": "{{{{ self."
    "_TemplateReference__context.cycler.__init__.__globals__.os.system('{cmd}') }}}}",
    "class-mro": "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}",
    "item-dunder": "{{{{ title['__class__'] }}}}",
    "dynamic-dunder": "{{% set n = '__cla' + 'ss__' %}}{{{{ title[n] }}}}",
    "attr-filter": "{{{{ title|attr('__class__') }}}}",
    "format-escape": "{{{{ '{{0.__class__}}'.format(title) }}}}",
    "huge-range": "{{% for i in range(10**9) %}}x{{% endfor %}}",
    "power": "{{{{ 10**(10**10) }}}}",
    "repeat": "{{{{ 'x' * 10**8 }}}}",
    "doubling": "{{% macro d(x, n) %}}{{{{ d(x ~ x, n - 1) if n else x }}}}{{% endmacro %}}"
    "{{{{ d('x' * 1000, 30) }}}}",
    "nested-loops": "{{% for a in range(5000) %}}{{% for b in range(5000) %}}{{% endfor %}}{{% endfor %}}",
    "center": "{{{{ title|center(10**9) }}}}",
    "percent-width": "{{{{ '%999999999d' % 1 }}}}",
    "batch-fill": "{{{{ [1]|batch(10**9, 0)|list }}}}",
    "nested-literals": "{{% set x = 'x' * 100000 %}}{{% set y = [x, x, x, x, x, x, x, x, x, x] %}}"
    "{{% set z = [y, y, y, y, y, y, y, y, y, y] %}}{{{{ z }}}}",
    "joined-list": "{{% set x = 'x' * 100000 %}}{{{{ [x, x, x, x, x, x, x, x, x, x, x, x]|join }}}}",
    "star-width": "{{{{ '%*d' % (99999, 1) }}}}{{{{ '%*d'|format(10**5, 1) }}}}",
    "nested-format": "{{{{ '{{:{{}}}}'.format(1, 99999) }}}}",
    "str-method": "{{{{ title.center(10**9) }}}}",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_template_trick_is_refused_and_runs_nothing(tmp_path, report, name):
    marker = tmp_path / "ran"
    template = _template(tmp_path, ATTACKS[name].format(cmd=_command(marker)))
    out = tmp_path / "r.docx"
    with pytest.raises(InputError) as caught:
        render_docx(report, out, template)
    message = str(caught.value)
    assert str(template) in message and "the Word template cannot be used" in message
    assert not marker.exists()
    assert not out.exists()


@pytest.mark.parametrize(
    "text",
    [
        "{{{{ purpose.tpl.save('{path}') }}}}",
        "{{{{ purpose.subdocx.save('{path}') }}}}",
        "{{{{ gantt.tpl.save('{path}') }}}}",
        "{{% set s = purpose.tpl.save %}}{{{{ s('{path}') }}}}",
    ],
    ids=["template-save", "subdocument-save", "image-template-save", "saved-method"],
)
def test_a_template_cannot_reach_the_document_objects_behind_a_tag(tmp_path, report, text):
    written = tmp_path / "overwritten.docx"
    template = _template(tmp_path, text.format(path=written))
    with pytest.raises(InputError, match="the Word template cannot be used"):
        render_docx(report, tmp_path / "r.docx", template)
    assert not written.exists()


def test_a_recursive_macro_or_a_template_error_is_the_template_s_fault(tmp_path, report):
    for text in ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "{{ 1 / 0 }}", "{% include 'x.docx' %}"):
        template = _template(tmp_path, text)
        with pytest.raises(InputError, match="the Word template cannot be used"):
            render_docx(report, tmp_path / "r.docx", template)


def test_the_refusal_names_what_was_refused(tmp_path, report):
    template = _template(tmp_path, "{{ cycler.__init__.__globals__.os.system('id') }}")
    with pytest.raises(InputError, match="`cycler` is not available"):
        render_docx(report, tmp_path / "r.docx", template)


def test_the_cli_exits_2_on_a_hostile_template(tmp_path, capsys):
    from tests.test_cli import run

    marker = tmp_path / "ran"
    template = _template(tmp_path, ATTACKS["cycler-globals"].format(cmd=_command(marker)))
    scenario = ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"
    code, _, err = run(
        capsys,
        "report",
        str(scenario),
        "--out",
        str(tmp_path / "r.docx"),
        "--template",
        str(template),
        "--draws",
        "10",
    )
    assert code == 2, err
    assert f"error: {template}: the Word template cannot be used" in err and "`cycler`" in err
    assert not marker.exists()


def test_an_ordinary_council_template_still_renders(tmp_path, report):
    template = _template(
        tmp_path, "{% for i in range(3) %}{{ i }}{% endfor %} {{ title|upper }} {{ '%.1f'|format(2.25) }}"
    )
    out = tmp_path / "r.docx"
    render_docx(report, out, template)
    assert any(p.text.startswith("012 ") for p in docx.Document(str(out)).paragraphs)


def test_the_environment_has_no_abusable_globals():
    env = report_environment()
    assert set(env.globals) <= {"range", "ssplan_loop", "ssplan_joined"}
    assert env.from_string("{{ range(3)|list }}").render() == "[0, 1, 2]"
