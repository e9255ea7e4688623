from django import template

from verbund.markdown import render_markdown, safe_url

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str):
    """`{{ text|markdown }}`: sanitised HTML from the Markdown people typed."""
    return render_markdown(value or "")


@register.filter(name="safe_url")
def safe_url_filter(value: str) -> str:
    """`{{ entry.link|safe_url }}`: the URL if it is a web, mail or phone address, else "" (never `javascript:`)."""
    return safe_url(value)
