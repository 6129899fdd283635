"""A simulated credit-risk model service: applicants, scores, decisions, and later defaults.

Deterministic for a seed. ``shifted=True`` moves two inputs the way a real upstream change
would: income arrives in thousands for a share of traffic (a unit bug in a new pipeline) and
loan purpose tilts toward business loans (a new marketing campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PURPOSES = ("car", "home", "education", "business", "debt_consolidation")
PURPOSE_P = (0.30, 0.25, 0.10, 0.10, 0.25)
SHIFTED_PURPOSE_P = (0.15, 0.15, 0.05, 0.45, 0.20)
EMPLOYMENT = ("salaried", "self_employed", "unemployed", "retired")
EMPLOYMENT_P = (0.65, 0.18, 0.07, 0.10)

FEATURES: tuple[tuple[str, str], ...] = (
    ("income", "numeric"),
    ("age", "numeric"),
    ("debt_to_income", "numeric"),
    ("credit_history_months", "numeric"),
    ("loan_amount", "numeric"),
    ("purpose", "categorical"),
    ("employment", "categorical"),
)


@dataclass(frozen=True)
class Applicants:
    """A batch of applicants as columns."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def rows(self) -> list[dict[str, Any]]:
        names = list(self.columns)
        values = [self.columns[n].tolist() for n in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def applicants(rng: np.random.Generator, n: int, *, shifted: bool = False) -> Applicants:
    """Draw ``n`` applicants; ``shifted`` applies the demo's two upstream changes."""
    income = rng.lognormal(mean=10.8, sigma=0.45, size=n).round(0)
    if shifted:
        in_thousands = rng.random(n) < 0.6
        income = np.where(in_thousands, (income / 1000).round(1), income)
    purpose_p = SHIFTED_PURPOSE_P if shifted else PURPOSE_P
    return Applicants(
        {
            "income": income,
            "age": rng.normal(41, 12, n).clip(18, 90).round(0),
            "debt_to_income": rng.beta(2, 5, n).round(3),
            "credit_history_months": rng.gamma(4, 30, n).round(0),
            "loan_amount": rng.lognormal(9.3, 0.6, n).round(0),
            "purpose": rng.choice(np.array(PURPOSES), size=n, p=purpose_p),
            "employment": rng.choice(np.array(EMPLOYMENT), size=n, p=EMPLOYMENT_P),
        }
    )


def default_probability(batch: Applicants) -> np.ndarray:
    """The model's score: a fixed logistic function of the inputs."""
    c = batch.columns
    logit = (
        -1.2
        - 0.9 * (np.log(np.maximum(c["income"], 1)) - 10.8)
        + 3.0 * (c["debt_to_income"] - 0.28)
        - 0.006 * (c["credit_history_months"] - 120)
        + 0.4 * (np.log(c["loan_amount"]) - 9.3)
        + 0.8 * (c["employment"] == "unemployed")
        + 0.3 * (c["purpose"] == "business")
    )
    return 1 / (1 + np.exp(-logit))


def outcomes(rng: np.random.Generator, scores: np.ndarray) -> np.ndarray:
    """Whether each applicant later defaults (the delayed label)."""
    return (rng.random(len(scores)) < scores).astype(int)


def write_reference(path: Path, n: int = 5000, seed: int = 7) -> Path:
    """Write the training-time reference dataset (features, score, label) as CSV or Parquet."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    batch = applicants(rng, n)
    scores = default_probability(batch)
    table = pa.table({**batch.columns, "score": scores.round(4), "label": outcomes(rng, scores)})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix in (".parquet", ".pq"):
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)
    return path
