"""Vietnamese emails rendered from `templates/email/` (text and HTML alternatives).

Only Jinja2 and the stdlib email package are imported: API Lambdas send these too,
and the templates load on first use, not at import.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from chalicelib.delivery.mail import Mailer, build_message, default_sender, make_message_id

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "email"


@cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html.j2"]), keep_trailing_newline=True)


def render(name: str, **context: Any) -> tuple[str, str]:
    """(text, html) of templates/email/<name>.txt.j2 and .html.j2."""
    env = environment()
    return (env.get_template(f"{name}.txt.j2").render(**context),
            env.get_template(f"{name}.html.j2").render(**context))


def render_subject(name: str, **context: Any) -> str:
    """The one-line subject in templates/email/<name>.subject.j2."""
    return " ".join(environment().get_template(f"{name}.subject.j2").render(**context).split())


def send(mailer: Mailer, to: list[str], subject: str, template: str, message_key: tuple[str, ...],
         **context: Any) -> str:
    """Send one templated email; the Message-ID is derived from `message_key` so a
    retried send is recognisable as the same message."""
    text, html = render(template, **context)
    message = build_message(sender=default_sender(), to=to, subject=subject, text=text, html=html,
                            message_id=make_message_id(*message_key, domain="thidua"))
    return mailer.send(message)
