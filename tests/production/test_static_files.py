"""Static files as production collects them: every file a template names is collected.

With debug off a page names each file through the manifest collectstatic writes; a file the
manifest lacks turns the page into a server error. The test suite itself runs without
collectstatic (plain storage, clarus_admin/settings.py says why), so this collects once, as
production does, and checks every template of the project against what was collected.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import AppDirectoriesFinder
from django.core.management import call_command
from django.template import Context, Template, engines
from django.test import override_settings

PROJECT = Path(settings.BASE_DIR)
PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STATIC_TAG = re.compile(r"""\{%\s*static\s+(?P<quote>['"])(?P<name>[^'"]+)(?P=quote)""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.")


def project_templates() -> list[Path]:
    """Return every template of the project: templates/ and the apps' own, none from packages."""
    found: list[Path] = []
    for directory in engines["django"].template_dirs:
        path = Path(directory).resolve()
        if path.is_relative_to(PROJECT) and ".venv" not in path.parts:
            found.extend(template for template in path.rglob("*.html") if template.is_file())
    return sorted(found)


def named_static_files(templates: list[Path]) -> dict[str, list[Path]]:
    """Return each file named by a `{% static '…' %}`, with the templates that name it."""
    named: dict[str, list[Path]] = {}
    for template in templates:
        for match in STATIC_TAG.finditer(template.read_text()):
            named.setdefault(match["name"], []).append(template.relative_to(PROJECT))
    return named


def test_every_static_file_a_template_names_is_collected(tmp_path):
    templates = project_templates()
    named = named_static_files(templates)
    # The desk's pages never name a file only the sandbox has: production runs without it.
    sandbox_only = {name for name, _storage in AppDirectoriesFinder(app_names=["sandbox"]).list([])}
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}

    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        # django-htmx's tag names its script through the same manifest.
        htmx = Template("{% load django_htmx %}{% htmx_script %}").render(Context())
    collected: dict[str, str] = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]

    missing = {
        name: where
        for name, where in named.items()
        if name not in collected
        or (name in sandbox_only and any(path.parts[0] != "sandbox" for path in where))
    }
    assert missing == {}
    assert all((tmp_path / hashed).is_file() for hashed in collected.values())
    assert all(HASHED.search(hashed) for hashed in collected.values())
    assert f'src="/static/{collected["django_htmx/htmx-2.min.js"]}"' in htmx
    # The scan saw the pages it is meant to: the desk's and the sandbox's.
    assert PROJECT / "templates" / "base.html" in templates
    assert {
        "desk.css",
        "favicon.svg",
        "orders/field_errors.js",
        "orders/order_entry.js",
        "sandbox/sandbox.css",
    } <= set(named)
