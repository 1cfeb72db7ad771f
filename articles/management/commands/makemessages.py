"""`manage.py makemessages`, reading the readers' Jinja2 templates as well as Python and Django templates.

Django's own command reads every template as Django's template language, whose lexer does not see
Jinja2's `{% trans %}` blocks or `_()` calls; this one hands xgettext the Jinja2 templates' strings as Python
gettext calls (`newsroom.jinja2.messages_as_python`) and everything else as Django does.
"""

from pathlib import Path

from django.core.management.commands import makemessages
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils.functional import cached_property

from newsroom.jinja2 import messages_as_python


def _jinja2_folders():
    jinja2_engines = [engine for engine in engines.all() if isinstance(engine, Jinja2)]
    return [Path(folder).resolve() for engine in jinja2_engines for folder in engine.template_dirs]


class JinjaAwareBuildFile(makemessages.BuildFile):
    """A file on its way to xgettext; a Jinja2 template goes as the Python calls of its strings."""

    @cached_property
    def is_jinja2(self):
        path = Path(self.path).resolve()
        return self.domain == "django" and any(path.is_relative_to(folder) for folder in _jinja2_folders())

    def preprocess(self):
        if not self.is_jinja2:
            return super().preprocess()
        source = Path(self.path).read_text(encoding="utf-8")
        Path(self.work_path).write_text(messages_as_python(source), encoding="utf-8")


class Command(makemessages.Command):
    build_file_class = JinjaAwareBuildFile
