"""A receipt as a printable HTML page (`/receipt/{token}`): branded like the guest pages, phone-sized on screen,
plain black on white when printed (the buttons are left out of the print).

A plain page rather than a Reflex one: it shows fixed facts, needs no live updates and no websocket, and prints
without waiting for a JavaScript app to load. Its one script is the Print button's `window.print()`.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from hygate_app.services.branding import Branding
from hygate_app.services.receipts import Receipt, word

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
header{display:flex;align-items:center;gap:.5rem;padding:14px 18px;background:#fff;border-top:4px solid var(--accent);
border-bottom:1px solid #dfe1e6}
header img{height:32px;width:auto;max-width:120px;object-fit:contain}
.dot{width:12px;height:12px;border-radius:50%;background:var(--accent);flex-shrink:0}
.brand{font-weight:700;font-size:1.1rem}
main{max-width:32rem;margin:0 auto;padding:18px}
.receipt{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px #0002}
h1{font-size:1.6rem;margin:0}
.number{color:#5b6270;margin:.2rem 0 1rem}
.seller{margin:0 0 1rem;line-height:1.4}
dl{display:grid;grid-template-columns:minmax(6rem,32%) 1fr;gap:.5rem 1rem;margin:0 0 1rem}
dt{color:#5b6270}
dd{margin:0;overflow-wrap:anywhere}
.zone{display:block;color:#5b6270;font-size:.8rem}
table{width:100%;border-collapse:collapse;border-top:2px solid var(--accent)}
td{padding:.45rem 0}
td.value{text-align:right;white-space:nowrap;padding-left:1rem}
tr.total td{font-weight:700;font-size:1.15rem}
tr.vat td{color:#5b6270;font-size:.9rem}
.thanks{color:var(--ink);margin:1rem 0 0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
.actions a,.actions button{font:inherit;font-size:.95rem;padding:.6rem 1rem;border-radius:8px;cursor:pointer;
text-decoration:none;border:1px solid var(--ink)}
.actions button{background:var(--accent);color:var(--on-accent);border-color:var(--accent)}
.actions a{background:#fff;color:var(--ink)}
.actions a:focus-visible,.actions button:focus-visible{outline:3px solid var(--ink);outline-offset:2px}
footer{text-align:center;color:#5b6270;font-size:.85rem;padding:18px}
@media print{
body{background:#fff}
header{border-bottom:none}
main{max-width:none;padding:0 18px}
.receipt{box-shadow:none;padding:0}
.actions{display:none}
}
"""


def render(receipt: Receipt, brand: Branding, logo_url: str) -> str:
    token = quote(receipt.token, safe="")
    mark = (f'<img src="{escape(logo_url)}" alt="">' if logo_url else '<span class="dot"></span>')
    seller = [f"<strong>{escape(receipt.seller)}</strong>", *(escape(line) for line in receipt.seller_address)]
    if receipt.tax_id:
        seller.append(f"{escape(receipt.text('tax_id'))}: {escape(receipt.tax_id)}")
    facts = []
    for label, value, note in receipt.lines():
        extra = f'<span class="zone">{escape(note)}</span>' if note else ""
        facts.append(f"<dt>{escape(label)}</dt><dd>{escape(value)}{extra}</dd>")
    amounts = "".join(f'<tr class="{role}"><td>{escape(label)}</td><td class="value">{escape(value)}</td></tr>'
                      for label, value, role in receipt.amounts())
    footer = f"<footer>{escape(brand.footer)}</footer>" if brand.footer else ""
    title = f"{receipt.text('title')} {receipt.number}"
    language = receipt.language
    return _page(title, brand, language, f"""<header>{mark}<span class="brand">{escape(brand.header)}</span></header>
<main>
<div class="actions">
<button type="button" id="print" onclick="window.print()">{escape(receipt.text('print'))}</button>
<a id="download-pdf" href="/api/receipt/{token}.pdf">{escape(receipt.text('pdf'))}</a>
<a id="back" href="{escape(receipt.guest_page)}">{escape(receipt.text('back'))}</a>
</div>
<article class="receipt" id="receipt">
<h1>{escape(receipt.text('title'))}</h1>
<p class="number" id="receipt-number">{escape(receipt.text('number'))} {escape(receipt.number)}</p>
<p class="seller" id="seller">{"<br>".join(seller)}</p>
<dl id="facts">{"".join(facts)}</dl>
<table id="amounts">{amounts}</table>
<p class="thanks">{escape(receipt.text('thanks'))}</p>
</article>
</main>
{footer}""")


def render_not_found(brand: Branding, language: str) -> str:
    """The same page whatever the reason (unknown token, not paid): it tells nobody which tokens exist."""
    return _page(word(language, "title"), brand, language, f"""<header><span class="dot"></span>
<span class="brand">{escape(brand.header)}</span></header>
<main><div class="receipt" id="not-found"><p>{escape(word(language, "not_available"))}</p></div></main>""")


def _colours(brand: Branding) -> str:
    """The accent for the bars, the text colour that reads on it, and its darker shade for text on white."""
    shades = brand.palette
    return ";".join(f"--{name}:{escape(value)}" for name, value in
                    (("accent", shades.solid), ("on-accent", shades.on_solid), ("ink", shades.ink)))


def _page(title: str, brand: Branding, language: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="{escape(language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(title)} | {escape(brand.header)}</title>
<style>:root{{{_colours(brand)}}}{_STYLE}</style>
</head><body>
{body}
</body></html>"""
