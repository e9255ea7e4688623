"""XSS payloads for S-3 (QUALITY.md): what a member or manager might type into any text field of the portal.

Every payload that could run calls `window.__xss=1` or `alert(1)` (the browser test watches both), and every htmx
attribute points at `/xss-probe/` (the browser test watches requests to it). `MARKER` is in every payload so the
server-side parse can tell an attribute that came from user text from one the templates wrote.

The list covers: plain tags with event handlers, SVG/MathML, `javascript:`/`data:`/`vbscript:` URLs in raw HTML, in
Markdown links, images and autolinks (and as the whole value of a URL field), htmx attributes (`hx-get`, `hx-on::load`,
`hx-on:click`, `data-hx-*`, `hx-vals` with `js:`), mutation XSS (noscript/title/style/template/math namespace
confusion), attribute and element breakouts, encodings (entities, null bytes, mixed case, tabs inside the scheme)
and template injection (`{{ }}`, `{% %}`, `${ }`).
"""

from __future__ import annotations

MARKER = "xss"  # lower-case: every payload contains it; attributes the templates write never do
JS = "window.__xss=1"
PROBE = "/xss-probe/"
TEMPLATE_PRODUCT = "54439"  # 7777*7: a template engine that evaluates `{{ 7777*7 }}` shows it

_BASE = [
    # plain tags and event handlers
    f"<script>{JS}</script>",
    f"<script src=data:,{JS}></script>",
    f"<img src=x onerror={JS}>",
    f'<img src="x" onerror="{JS}">',
    "<img src=x onerror=alert(1)>",
    f"<IMG SRC=x OnErRoR={JS}>",
    f"<img src=x onerror\t={JS}>",
    f"<img/src=x/onerror={JS}>",
    f"<body onload={JS}>",
    f"<svg onload={JS}>",
    f"<svg/onload={JS}>",
    f"<svg><script>{JS}</script></svg>",
    f"<svg><animate onbegin={JS} attributeName=x dur=1s>",
    f'<svg><a xlink:href="javascript:{JS}"><text x=20 y=20>xss</text></a></svg>',
    f"<svg><foreignObject><img src=x onerror={JS}></foreignObject></svg>",
    f"<iframe src=javascript:{JS}></iframe>",
    "<iframe srcdoc='<script>parent.__xss=1</script>'></iframe>",
    f'<object data="javascript:{JS}"></object>',
    f'<embed src="javascript:{JS}">',
    f"<video><source onerror={JS}></video>",
    f"<audio src=x onerror={JS}>",
    f"<details open ontoggle={JS}>",
    f"<input autofocus onfocus={JS}>",
    f"<select autofocus onfocus={JS}></select>",
    f"<textarea autofocus onfocus={JS}></textarea>",
    f"<marquee onstart={JS}>xss</marquee>",
    f"<div onmouseover={JS}>xss</div>",
    f'<a href="javascript:{JS}">xss</a>',
    f'<a href="JaVaScRiPt:{JS}">xss</a>',
    f'<a href="java\tscript:{JS}">xss</a>',
    f'<a href="&#106;avascript:{JS}">xss</a>',
    f'<a href="&#x6A;avascript&#x3A;{JS}">xss</a>',
    '<a href="vbscript:msgbox(1)">xss</a>',
    f'<a href="data:text/html,<script>{JS}</script>">xss</a>',
    f'<form action="javascript:{JS}"><button>xss</button></form>',
    f'<button formaction="javascript:{JS}">xss</button>',
    f'<math><maction actiontype="statusline" xlink:href="javascript:{JS}">xss</maction></math>',
    f'<base href="javascript:{JS}//">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{JS}">',
    f'<link rel=import href="data:text/html,<script>{JS}</script>">',
    f"<style>@import 'javascript:{JS}';</style>",
    f'<div style="background:url(javascript:{JS})">xss</div>',
    f"<isindex type=image src=1 onerror={JS}>",
    f"<x onclick={JS}>xss</x>",
    # mutation XSS and namespace confusion
    f'<noscript><p title="</noscript><img src=x onerror={JS}>">',
    f"<math><mtext><table><mglyph><style><img src=x onerror={JS}>",
    f'<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror={JS}&gt;">',
    f'<svg></p><style><a id="</style><img src=1 onerror={JS}>">',
    f"<form><math><mtext></form><form><mglyph><style></math><img src onerror={JS}>",
    f"<title><img src=x onerror={JS}></title>",
    f'<textarea><img title="</textarea><img src=x onerror={JS}>">',
    f"<template><img src=x onerror={JS}></template>",
    f'<style><img src="</style><img src=x onerror={JS}//">',
    f"<xmp><img src=x onerror={JS}></xmp>",
    f"<!--<img src=x onerror={JS}>-->",
    f"<![CDATA[<img src=x onerror={JS}>]]>",
    f"<svg><style><img src=x onerror={JS}></style></svg>",
    f"<table><td><img src=x onerror={JS}></table>",
    f"<select><option><img src=x onerror={JS}></option></select>",
    f"<iframe><img src=x onerror={JS}></iframe>",
    f"<p>&#0;<img src=x onerror={JS}>",
    f"<p>\x01<img src=x onerror={JS}>",
    f"<scr<script>ipt>{JS}</scr</script>ipt>",
    # htmx
    f'<div hx-get="{PROBE}" hx-trigger="load">xss</div>',
    f'<a hx-get="{PROBE}" hx-trigger="load" href="#">xss</a>',
    f'<div data-hx-get="{PROBE}" data-hx-trigger="load">xss</div>',
    f'<div hx-on::load="{JS}">xss</div>',
    f'<div hx-on:htmx:load="{JS}">xss</div>',
    f'<button hx-on:click="{JS}">xss</button>',
    f'<div data-hx-on:click="{JS}">xss</div>',
    f'<div hx-post="{PROBE}" hx-trigger="load" hx-vals=\'js:{{a: {JS}}}\'>xss</div>',
    f'<div hx-get="{PROBE}" hx-trigger="load" hx-swap="outerHTML" hx-target="body">xss</div>',
    f'<div hx-boost="true"><a href="{PROBE}">xss</a></div>',
    f'<form hx-post="{PROBE}" hx-trigger="load"></form>',
    f'<img src=x hx-get="{PROBE}" hx-trigger="error">',
    f'<div hx-headers=\'js:{{"X": {JS}}}\' hx-get="{PROBE}" hx-trigger="load">xss</div>',
    f'<div hx-trigger="load[{JS}]" hx-get="{PROBE}">xss</div>',
    f'<div _="on load call {JS}">xss</div>',
    # breaking out of attributes and elements the templates write
    f'"><img src=x onerror={JS}>',
    f"'><img src=x onerror={JS}>",
    f'" onmouseover="{JS}" x="',
    f"' onfocus='{JS}' autofocus x='",
    f'" hx-get="{PROBE}" hx-trigger="load" x="',
    f'" hx-on::load="{JS}" x="',
    f"</textarea><script>{JS}</script>",
    f"</title><script>{JS}</script>",
    f"</script><script>{JS}</script>",
    f"</style><script>{JS}</script>",
    f"</noscript><script>{JS}</script>",
    f"--><script>{JS}</script>",
    f"]]><script>{JS}</script>",
    f'";{JS};//',
    f"';{JS};//",
    f"`;{JS};//",
    f"\\u003cscript\\u003e{JS}\\u003c/script\\u003e",
    f"&lt;script&gt;{JS}&lt;/script&gt;",
    f"%3Cscript%3E{JS}%3C/script%3E",
    f"\r\n<script>{JS}</script>",
    f"\u2028<script>{JS}</script>",
    # Markdown: links, images, autolinks, reference links, raw HTML inside Markdown
    f"[xss](javascript:{JS})",
    f"[xss](JAVASCRIPT:{JS})",
    f"[xss](javascript&#58;{JS})",
    f"[xss](java%0ascript:{JS})",
    f"[xss]( javascript:{JS})",
    f"[xss](<javascript:{JS}>)",
    "[xss](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[xss](vbscript:msgbox(1))",
    f'[xss](https://example.org "title\\" onmouseover=\\"{JS})',
    f"![xss](javascript:{JS})",
    f'![xss" onerror="{JS}](x)',
    f"![xss](x){{onerror={JS}}}",
    f"<javascript:{JS}>",
    f"[xss][ref]\n\n[ref]: javascript:{JS}",
    f'[xss](https://example.org/"onmouseover="{JS})',
    f"**<img src=x onerror={JS}>**",
    f"`<img src=x onerror={JS}>`",
    f"```\n<script>{JS}</script>\n```",
    f"> <svg onload={JS}>",
    f"- <a href='javascript:{JS}'>xss</a>",
    f"| a | b |\n|---|---|\n| <img src=x onerror={JS}> | [xss](javascript:{JS}) |",
    f"# <svg onload={JS}>",
    f"[<img src=x onerror={JS}>](https://example.org)",
    f'[xss](https://example.org){{: onclick="{JS}"}}',
    f"<div>\n\n[xss](javascript:{JS})\n\n</div>",
    f"[xss](#){{hx-get={PROBE}}}",
    f"~~<script>{JS}</script>~~",
    # URL-field values (the whole value is a URL)
    f"javascript:{JS}",
    f"JavaScript:{JS}",
    f" javascript:{JS}",
    f"\tjavascript:{JS}",
    f"javascript://example.org/%0a{JS}",
    f"data:text/html,<script>{JS}</script>",
    "vbscript:msgbox(1)",
    f"jav&#x09;ascript:{JS}",
    f'https://example.org/"><img src=x onerror={JS}>',
    f"https://example.org/' onmouseover='{JS}",
    # template injection: no engine may evaluate user text
    "{{ 7777*7 }} xss",
    "{% debug %} xss",
    "{% load static %}{% static 'x' %} xss",
    "{{ request.user.password }} xss",
    "{{ settings.SECRET_KEY }} xss",
    "${7777*7} xss",
    "#{7777*7} xss",
    "<%= 7777*7 %> xss",
    f"{{{{constructor.constructor('{JS}')()}}}}",
    f"[[${{{JS}}}]] xss",
]


def _with_marker(payload: str) -> str:
    """Every payload carries MARKER (most already do through JS or PROBE)."""
    return payload if MARKER in payload.lower() else f"{payload} xss"


PAYLOADS: list[str] = list(dict.fromkeys(_with_marker(p) for p in _BASE))

# The values a URL field (website, link) can be given: the scheme-based payloads.
URL_PAYLOADS: list[str] = [p for p in PAYLOADS if p.lstrip().lower().startswith(("javascript", "data:", "vbscript", "jav&", "https://example.org/"))]

# Markdown fields get all payloads and these separators between them when several share one object.
SEPARATOR = "\n\n"
