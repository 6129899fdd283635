"""A release check's report as JSON (for machines), Markdown (for a pull request) and HTML
(a self-contained page to attach to a release, without scripts or external resources).

All list every column with its kind, method, statistic, effect size, threshold, p-value
(raw and Benjamini-Hochberg-adjusted), verdict and the reason for it, then its quality
checks. Numbers are finite or null (JSON has no NaN). When the files carry labels, a
``performance`` section (the primary metric of each file and its change) and a ``fairness``
section (the demographic parity ratio per protected attribute) follow.
"""

from __future__ import annotations

from dataclasses import asdict
from html import escape
from typing import Any

from detectors.check import CheckReport, ColumnReport
from detectors.check_labels import LabelChecks
from detectors.methods.base import finite_or_none
from detectors.quality_checks import Finding


def _finding(finding: Finding) -> dict[str, Any]:
    details = {k: v for k, v in finding.details.items() if k != "feature"}
    return {
        "check": finding.check,
        "value": finite_or_none(finding.value),
        "threshold": finding.threshold,
        "status": finding.status,
        **details,
    }


def _column(column: ColumnReport) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": column.name, "kind": column.kind, "source": column.source,
        "verdict": column.verdict, "reason": column.reason,
        "method": None, "automatic": None, "statistic": None, "effect_size": None,
        "threshold": None, "p_value": None, "p_adjusted": None,
        "reference_rows": column.reference_rows, "current_rows": column.current_rows,
    }  # fmt: skip
    if column.drift is not None:
        drift = column.drift.drift
        found.update(method=drift.method, automatic=drift.automatic, threshold=drift.threshold)
        if drift.result is not None:
            found.update(
                statistic=finite_or_none(drift.result.statistic),
                effect_size=drift.result.effect_size,
                p_value=drift.result.p_value,
                p_adjusted=column.drift.verdict.p_adjusted,
            )
        elif column.reason is None:
            found["reason"] = drift.reason
    found["quality"] = [_finding(f) for f in column.quality]
    return found


def passed(report: CheckReport, labels: LabelChecks | None = None) -> bool:
    """The overall verdict: the columns' and, when labelled, performance and fairness."""
    return report.passed and (labels is None or labels.passed)


def overall_reason(report: CheckReport, labels: LabelChecks | None = None) -> str | None:
    """Why the check failed, in one line (None when it passed)."""
    if passed(report, labels):
        return None
    failed = [c.name for c in report.columns if c.verdict == "fail"]
    reasons = [f"{len(failed)} column(s) failed: {', '.join(failed)}"] if failed else []
    reasons += [f"{f.check} in the current file" for f in report.dataset if f.status == "breach"]
    if report.compared == 0:
        reasons.append("no column could be compared")
    if labels is not None:
        perf = labels.performance
        reasons += [perf.reason] if not perf.passed and perf.reason else []
        reasons += [f.reason for f in labels.fairness if not f.passed and f.reason]
    return "; ".join(reasons)


def to_json(
    report: CheckReport, reference: str, current: str, labels: LabelChecks | None = None
) -> dict[str, Any]:
    """The report as a JSON-ready dict (with ``performance`` and ``fairness`` if labelled)."""
    found = {
        "verdict": "pass" if passed(report, labels) else "fail",
        "reason": overall_reason(report, labels),
        "reference": reference,
        "current": current,
        "alpha": report.alpha,
        "summary": {**report.counts(), "compared": report.compared},
        "dataset": [_finding(f) for f in report.dataset],
        "columns": [_column(c) for c in report.columns],
    }
    if labels is not None:
        performance = asdict(labels.performance)
        for key in ("reference", "current", "change"):
            performance[key] = finite_or_none(performance[key])
        found["performance"] = performance
        found["fairness"] = [
            {**asdict(f), "ratio": finite_or_none(f.ratio)} for f in labels.fairness
        ]
    return found


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def interval_text(group: dict[str, Any]) -> str:
    """A group's selection-rate interval as `` [low-high]``, or nothing."""
    found = group.get("selection_rate_interval")
    return "" if not found else f" [{found[0]:.3g}-{found[1]:.3g}]"


def _label_lines(data: dict[str, Any]) -> list[str]:
    perf = data["performance"]
    lines = [
        "", "### Performance", "",
        "| metric | reference | current | change | max drop | verdict | notes |",
        "|" + " --- |" * 7,
        f"| {perf['metric']} | {_number(perf['reference'])} | {_number(perf['current'])} "
        f"| {_number(perf['change'])} | {perf['max_drop']} "
        f"| {'pass' if perf['passed'] else 'fail'} | {perf['reason'] or ''} |",
    ]  # fmt: skip
    if data["fairness"]:
        lines += [
            "", "### Fairness", "",
            "| attribute | demographic parity ratio | 95% CI | min | groups | verdict | notes |",
            "|" + " --- |" * 7,
        ]  # fmt: skip
        for f in data["fairness"]:
            groups = ", ".join(
                f"{k or '(missing)'}: {g['selection_rate']:.3g}{interval_text(g)} (n={g['size']:g})"
                for k, g in f["groups"].items()
            )
            ci = f["interval"]
            spread = "" if ci is None else f"{ci['low']:.3g}-{ci['high']:.3g}"
            cells = [f"`{f['attribute']}`", _number(f["ratio"]), spread, str(f["min_ratio"]),
                     groups, "pass" if f["passed"] else "fail", f["reason"] or ""]  # fmt: skip
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def to_markdown(
    report: CheckReport, reference: str, current: str, labels: LabelChecks | None = None
) -> str:
    """The report as a Markdown summary and tables."""
    data = to_json(report, reference, current, labels)
    lines = [
        f"## vigil check: {data['verdict'].upper()}",
        "",
        f"Reference `{reference}`, current `{current}`. "
        + ", ".join(f"{n} {k}" for k, n in data["summary"].items()),
    ]
    if data["reason"]:
        lines += ["", f"**{data['reason']}**"]
    lines += [
        "",
        "| column | kind | method | statistic | effect size | threshold | p-value (adj.) "
        "| verdict | notes |",
        "|" + " --- |" * 9,
    ]
    for column in data["columns"]:
        p_value = _number(column["p_value"])
        if column["p_adjusted"] is not None:
            p_value += f" ({_number(column['p_adjusted'])})"
        notes = [column["reason"] or ""] + [
            f"{q['check']} {_number(q['value'])}"
            for q in column["quality"]
            if q["status"] == "breach"
        ]
        cells = [
            f"`{column['name']}`", column["kind"] or "", column["method"] or "",
            _number(column["statistic"]), _number(column["effect_size"]),
            _number(column["threshold"]), p_value, column["verdict"],
            "; ".join(n for n in notes if n).replace("|", "\\|"),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    if "performance" in data:
        lines += _label_lines(data)
    return "\n".join(lines) + "\n"


_HTML_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933}"
    "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #cbd2d9;"
    "padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f0f4f8}"
    ".fail{background:#ffe3e3}.verdict-pass{color:#0b7a3e}.verdict-fail{color:#b00020}"
)


def _cells(tag: str, values: list[str], css: str = "") -> str:
    row = "".join(f"<{tag}>{escape(v)}</{tag}>" for v in values)
    return f'<tr class="{css}">{row}</tr>' if css else f"<tr>{row}</tr>"


def to_html(
    report: CheckReport, reference: str, current: str, labels: LabelChecks | None = None
) -> str:
    """The report as one self-contained HTML page (no scripts, no external resources)."""
    data = to_json(report, reference, current, labels)
    verdict = data["verdict"]
    head = [
        "column",
        "kind",
        "method",
        "statistic",
        "effect size",
        "threshold",
        "p-value",
        "p adjusted",
        "verdict",
        "notes",
    ]
    rows = [_cells("th", head)]
    for c in data["columns"]:
        notes = [c["reason"] or ""] + [
            f"{q['check']} {_number(q['value'])}" for q in c["quality"] if q["status"] == "breach"
        ]
        values = [
            c["name"],
            c["kind"] or "",
            c["method"] or "",
            _number(c["statistic"]),
            _number(c["effect_size"]),
            _number(c["threshold"]),
            _number(c["p_value"]),
            _number(c["p_adjusted"]),
            c["verdict"],
            "; ".join(n for n in notes if n),
        ]
        rows.append(_cells("td", values, "fail" if c["verdict"] == "fail" else ""))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>vigil check: {verdict.upper()}</title><style>{_HTML_STYLE}</style></head><body>",
        f'<h1>vigil check: <span class="verdict-{verdict}">{verdict.upper()}</span></h1>',
        f"<p>Reference <code>{escape(reference)}</code>, current <code>{escape(current)}</code>. "
        + escape(", ".join(f"{n} {k}" for k, n in data["summary"].items()))
        + "</p>",
    ]
    if data["reason"]:
        parts.append(f"<p><strong>{escape(data['reason'])}</strong></p>")
    parts += ["<h2>Columns</h2>", "<table>", *rows, "</table>"]
    if data["dataset"]:
        parts += ["<h2>Dataset checks</h2>", "<table>", _cells("th", ["check", "value", "status"])]
        parts += [
            _cells("td", [f["check"], _number(f["value"]), f["status"]]) for f in data["dataset"]
        ]
        parts.append("</table>")
    if "performance" in data:
        p = data["performance"]
        parts += [
            "<h2>Performance</h2>",
            "<table>",
            _cells(
                "th", ["metric", "reference", "current", "change", "max drop", "verdict", "notes"]
            ),
            _cells(
                "td",
                [
                    p["metric"],
                    _number(p["reference"]),
                    _number(p["current"]),
                    _number(p["change"]),
                    str(p["max_drop"]),
                    "pass" if p["passed"] else "fail",
                    p["reason"] or "",
                ],
            ),
            "</table>",
        ]
        if data["fairness"]:
            parts += [
                "<h2>Fairness</h2>",
                "<table>",
                _cells("th", ["attribute", "demographic parity ratio", "min", "verdict"]),
            ]
            parts += [
                _cells(
                    "td",
                    [
                        f["attribute"],
                        _number(f["ratio"]),
                        str(f["min_ratio"]),
                        "pass" if f["passed"] else "fail",
                    ],
                )
                for f in data["fairness"]
            ]
            parts.append("</table>")
    return "\n".join([*parts, "</body></html>"]) + "\n"
