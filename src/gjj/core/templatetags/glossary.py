"""``{% load glossary %}{% term "card_no" %}``: the one wording of a thing (gjj.core.glossary)."""

from __future__ import annotations

from django import template

from gjj.core import glossary

register = template.Library()


@register.simple_tag(name="term")
def term(name: str) -> str:
    return glossary.term(name)
