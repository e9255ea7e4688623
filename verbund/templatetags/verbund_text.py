from django import template

from verbund.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str):
    """`{{ text|markdown }}`: sanitised HTML from the Markdown people typed."""
    return render_markdown(value or "")
