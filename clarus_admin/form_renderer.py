"""Django's form renderer, with its everyday widget templates written out in Python.

Rendering a widget through Django's templates (``input.html`` including ``attrs.html``, a select
including ``select_option.html`` once per option) costs far more than the markup it makes: it was
two thirds of the entry page's server time. ``DeskFormRenderer`` writes the same markup, byte for
byte, for the templates below, and hands anything else to Django's templates as before: another
template, a value that is not plain text (which Django would localise), or a project that
overrides one of these templates. ``tests/clarus_admin/test_form_renderer.py`` renders every
form of the desk both ways and compares.
"""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
# Django's own widget templates, to tell them from a project's or an app's override.
DJANGO_FORMS_TEMPLATES = Path(django.forms.__file__).parent / "templates"


class SlowPath(Exception):
    """The context holds something the Python versions do not write as the templates would."""


def _text(value: Any) -> str:
    """Return ``{{ value }}`` of a template: plain text, escaped unless it is safe already."""
    if not isinstance(value, str):
        # Numbers, dates and lazy text are localised or resolved by the template engine.
        raise SlowPath
    return conditional_escape(value)


def _formatted(value: Any) -> str:
    """Return ``{{ value|stringformat:'s' }}``: ``"%s" % value``, escaped unless it was safe."""
    if isinstance(value, tuple):
        raise SlowPath
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """Return ``attrs.html``: ``name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        )
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _option(option: Mapping[str, Any]) -> str:
    if option["template_name"] != WIDGETS + "select_option.html":
        raise SlowPath
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _select(widget: Mapping[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(f"\n  {_option(option)}" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


FAST: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{
        f"{WIDGETS}{kind}.html": _input
        for kind in ("input", "text", "hidden", "number", "email", "tel", "url", "password")
    },
    **{f"{WIDGETS}{kind}.html": _input for kind in ("date", "datetime", "time", "search")},
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}
# The templates each of the above stands for: every one must be Django's own.
INCLUDED = ("input.html", "attrs.html", "select_option.html")


class DeskFormRenderer(DjangoTemplates):
    """Django's template renderer, writing the everyday widgets in Python (same markup)."""

    @cached_property
    def fast(self) -> dict[str, Callable[[Mapping[str, Any]], str]]:
        """Return the Python versions of the templates nobody has overridden."""
        names = [*FAST, *(WIDGETS + name for name in INCLUDED)]
        overridden = {
            name
            for name in names
            if not Path(self.get_template(name).origin.name).is_relative_to(DJANGO_FORMS_TEMPLATES)
        }
        if overridden & {WIDGETS + name for name in INCLUDED}:
            return {}
        return {name: render for name, render in FAST.items() if name not in overridden}

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = self.fast.get(template_name)
        if fast is not None:
            try:
                return fast(context["widget"])
            except SlowPath:
                pass
        return super().render(template_name, context, request=request)
