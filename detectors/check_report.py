"""A release check's report as JSON (for machines) and Markdown (for a pull request).

Both list every column with its kind, method, statistic, effect size, threshold, p-value
(raw and Benjamini-Hochberg-adjusted), verdict and the reason for it, then its quality
checks. Numbers are finite or null (JSON has no NaN).
"""

from __future__ import annotations

from typing import Any

from detectors.check import CheckReport, ColumnReport
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


def overall_reason(report: CheckReport) -> str | None:
    """Why the check failed, in one line (None when it passed)."""
    if report.passed:
        return None
    failed = [c.name for c in report.columns if c.verdict == "fail"]
    reasons = [f"{len(failed)} column(s) failed: {', '.join(failed)}"] if failed else []
    reasons += [f"{f.check} in the current file" for f in report.dataset if f.status == "breach"]
    if report.compared == 0:
        reasons.append("no column could be compared")
    return "; ".join(reasons)


def to_json(report: CheckReport, reference: str, current: str) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return {
        "verdict": "pass" if report.passed else "fail",
        "reason": overall_reason(report),
        "reference": reference,
        "current": current,
        "alpha": report.alpha,
        "summary": {**report.counts(), "compared": report.compared},
        "dataset": [_finding(f) for f in report.dataset],
        "columns": [_column(c) for c in report.columns],
    }


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def to_markdown(report: CheckReport, reference: str, current: str) -> str:
    """The report as a Markdown summary and table."""
    data = to_json(report, reference, current)
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
    return "\n".join(lines) + "\n"
