"""The HTML shell every station page shares: inline style only, no external assets."""

from __future__ import annotations

from html import escape
from typing import Final

STYLE: Final = """
body{margin:0;background:#10131a;color:#e8e8e8;font:14px/1.3 system-ui,sans-serif}
header{display:flex;gap:1.5em;align-items:baseline;padding:.8em 1.2em;background:#1b2130}
header h1{margin:0;font-size:1.3em;color:#ffcc33}
header a,main a{color:#9ecbff}
main{padding:1em 1.2em}
.row{display:flex;border-bottom:1px solid #2a3142;min-height:3.2em}
.row.head{min-height:1.8em;color:#9aa3b5}
.chan{flex:0 0 11em;display:flex;gap:.6em;align-items:center;padding:0 .6em;color:#fff;
  text-decoration:none;font-weight:600}
a.chan:hover{background:#24406b}
.chan span{color:#ffcc33;min-width:1.6em}
.lane{position:relative;flex:1;display:flex;overflow:hidden}
.tick{border-left:1px solid #2a3142;padding-left:.3em;box-sizing:border-box;font-size:.9em}
.prog{box-sizing:border-box;border-left:2px solid #10131a;background:#222a3b;padding:.3em .5em;
  overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.prog b{display:block;overflow:hidden;text-overflow:ellipsis}
.prog small{color:#9aa3b5}
.prog.filler{background:#191e2a;color:#8790a3}
.prog.now{background:#2d4f86}
.marker{position:absolute;top:0;bottom:0;width:2px;background:#ffcc33}
.empty{color:#9aa3b5}
video{width:100%;max-width:1280px;aspect-ratio:16/9;background:#000;display:block}
.screen{position:relative;max-width:1280px}
.live{position:absolute;top:.8em;left:.8em;background:#c0142b;color:#fff;font-weight:700;
  padding:.15em .55em;border-radius:.2em;letter-spacing:.08em;font-size:.9em}
.live::before{content:"\25CF  "}
button{background:#24406b;color:#fff;border:0;border-radius:.2em;padding:.35em .9em;
  font:inherit;cursor:pointer}
.meta{margin:.8em 0;color:#c9cfdb}
.meta code{color:#9ecbff}
"""


def page(title: str, heading: str, content: str, *, refresh_s: int | None = None) -> str:
    """A complete HTML document; `content` is already escaped markup."""
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"{refresh}<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><header><h1>RetroVue</h1><span>{escape(heading)}</span>"
        '<a href="/">Guide</a><a href="/iptv/channels.m3u">M3U</a>'
        '<a href="/iptv/xmltv.xml">XMLTV</a></header>'
        f"<main>{content}</main></body></html>\n"
    )
