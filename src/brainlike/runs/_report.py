"""``report.html``: the claims (PASS/FAIL with measured values), figures and config of a run."""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["render_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}
.pass{color:#0a7d32;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs figure{margin:0}.figs img{max-width:520px;border:1px solid #eee}
pre{background:#f6f6f6;padding:8px;font-size:12px;overflow:auto}
"""


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.4g}"
    return html.escape(str(v))


def render_report(*, title: str, paper: str, run_id: str, size: str, seeds: int, claims: list[dict],
                  figures: list[str], config: dict, versions: dict, summary: dict[str, Any]) -> str:
    n_pass = sum(c["passed"] for c in claims)
    rows = "".join(
        f"<tr><td>{html.escape(c['name'])}</td><td>{'' if c.get('seed') is None else c['seed']}</td>"
        f"<td>{_fmt(c['value'])}</td><td>{html.escape(c['threshold'])}</td>"
        f"<td class={'pass' if c['passed'] else 'fail'}>{'PASS' if c['passed'] else 'FAIL'}</td>"
        f"<td>{html.escape(c.get('description', ''))}</td></tr>" for c in claims)
    figs = "".join(f"<figure><img src='figures/{html.escape(f)}' alt='{html.escape(f)}'>"
                   f"<figcaption>{html.escape(f)}</figcaption></figure>" for f in figures)
    summ = "".join(f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in summary.items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(paper)}</p>
<p>run <code>{html.escape(run_id)}</code>, size <b>{html.escape(size)}</b>, {seeds} seed(s):
<b>{n_pass}/{len(claims)} claims pass</b></p>
<h2>Claims</h2>
<table><tr><th>claim</th><th>seed</th><th>measured</th><th>threshold</th><th></th><th>what it checks</th></tr>{rows}</table>
<h2>Figures</h2><div class="figs">{figs}</div>
<h2>Training</h2><table>{summ}</table>
<h2>Config</h2><pre>{html.escape(json.dumps(config, indent=2))}</pre>
<h2>Versions</h2><pre>{html.escape(json.dumps(versions, indent=2))}</pre>
</body></html>
"""
