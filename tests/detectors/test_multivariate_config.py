"""Mistakes in the new detector sections fail at load, each with its YAML path.

Covers ``detectors.multivariate``, ``detectors.embedding_drift``,
``detectors.prediction_drift``, ``detectors.pipelines`` and a model's SQL ``reference``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.multivariate.mmd import alibi_installed
from vigil.config import parse_config
from vigil.errors import ConfigError

MODELS = """
models:
  - name: credit-risk
    reference: {path: ref.csv}
    features:
      - {name: income, type: numeric}
      - {name: ticket, type: embedding}
"""


def _problems(detectors: str, tmp_path: Path, models: str = MODELS) -> list[tuple[str, str]]:
    (tmp_path / "ref.csv").write_text("income\n1\n")
    with pytest.raises(ConfigError) as caught:
        parse_config(models + detectors, base_dir=tmp_path)
    return caught.value.problems


CASES = [
    pytest.param(
        "detectors: {multivariate: {method: isolation_forest}}",
        "detectors.multivariate",
        "unknown multivariate method 'isolation_forest'; known: domain_classifier, "
        "pca_reconstruction, mmd",
        id="an unknown multivariate method",
    ),
    pytest.param(
        "detectors: {multivariate: {threshold: 0.4}}",
        "detectors.multivariate",
        "threshold 0.4 of method domain_classifier must lie strictly between 0.5 and 1.0",
        id="an AUC threshold below chance",
    ),
    pytest.param(
        "detectors: {multivariate: {models: {credit-risk: {method: pca_reconstruction, "
        "threshold: 0.9}}}}",
        "detectors.multivariate.models.credit-risk",
        "threshold 0.9 of method pca_reconstruction must lie strictly between 1.0 and inf",
        id="an error-ratio threshold below one for one model",
    ),
    pytest.param(
        "detectors: {multivariate: {models: {fraud: {enabled: true}}}}",
        "detectors.multivariate.models.fraud",
        "unknown model 'fraud'",
        id="a per-model entry for a model that does not exist",
    ),
    pytest.param(
        "detectors: {multivariate: {sample_size: 10}}",
        "detectors.multivariate.sample_size",
        "Input should be greater than or equal to 100",
        id="a sample too small to train a classifier",
    ),
    pytest.param(
        "detectors: {multivariate: {schedule: 1h}}",
        "detectors.multivariate.schedule",
        "unknown field",
        id="a misspelt field",
    ),
    pytest.param(
        "detectors: {embedding_drift: {features: {photo: {method: distance}}}}",
        "detectors.embedding_drift.features.photo",
        "no model has this embedding feature",
        id="an embedding feature no model has",
    ),
    pytest.param(
        "detectors: {embedding_drift: {features: {ticket: {distance: manhattan}}}}",
        "detectors.embedding_drift.features.ticket.distance",
        "Input should be 'euclidean' or 'cosine'",
        id="an unsupported embedding distance",
    ),
    pytest.param(
        "detectors: {embedding_drift: {threshold: 0.3}}",
        "detectors.embedding_drift",
        "threshold: the model method's ROC AUC threshold is in [0.5, 1)",
        id="an embedding AUC threshold below chance",
    ),
    pytest.param(
        "detectors: {prediction_drift: {methods: {score: {method: ks}}}}",
        "detectors.prediction_drift.methods",
        "unknown subject 'score'; prediction drift has __score__ and __prediction__",
        id="a prediction drift override for an unknown subject",
    ),
    pytest.param(
        "detectors: {prediction_drift: {methods: {__score__: {method: kolmogorov}}}}",
        "detectors.prediction_drift.methods.__score__.method",
        "unknown drift method 'kolmogorov'",
        id="an unknown method for the score",
    ),
    pytest.param(
        "detectors: {pipelines: {pipelines: [{name: feats, models: [fraud], every: 1d}]}}",
        "detectors.pipelines.pipelines[0].models[0]",
        "unknown model 'fraud'",
        id="a pipeline feeding a model that does not exist",
    ),
    pytest.param(
        "detectors: {pipelines: {pipelines: [{name: feats, models: [credit-risk]}]}}",
        "detectors.pipelines.pipelines.0.every",
        "Field required",
        id="a pipeline without its expected schedule",
    ),
    pytest.param(
        "detectors: {pipelines: {pipelines: [{name: a, models: [credit-risk], every: 1h}, "
        "{name: a, models: [credit-risk], every: 1d}]}}",
        "detectors.pipelines",
        "pipelines[1]: pipeline 'a' is listed twice",
        id="a pipeline listed twice",
    ),
]


@pytest.mark.parametrize(("detectors", "path", "reason"), CASES)
def test_a_mistake_is_reported_with_its_yaml_path(
    detectors: str, path: str, reason: str, tmp_path: Path
) -> None:
    problems = _problems(detectors, tmp_path)
    assert any(p == path.replace(".0.", "[0].") and reason in r for p, r in problems), problems


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        pytest.param("{query: 'SELECT 1'}", "reference needs a path, or a query and a url",
                     id="a query without a url"),
        pytest.param("{path: ref.csv, query: 'SELECT 1', url: 'sqlite://'}",
                     "give either reference.path or reference.query with .url, not both",
                     id="both a file and a query"),
        pytest.param("{query: '  ', url: 'sqlite://'}", "reference.query is empty",
                     id="an empty query"),
    ],
)  # fmt: skip
def test_a_sql_reference_mistake_names_the_models_reference(
    reference: str, reason: str, tmp_path: Path
) -> None:
    models = MODELS.replace("reference: {path: ref.csv}", f"reference: {reference}")
    problems = _problems("", tmp_path, models)
    assert ("models[0].reference", reason) in problems


def test_a_sql_reference_needs_no_file(tmp_path: Path) -> None:
    models = MODELS.replace(
        "reference: {path: ref.csv}", "reference: {query: 'SELECT income FROM r', url: 'sqlite://'}"
    )
    config = parse_config(models, base_dir=tmp_path)
    reference = config.models[0].reference
    assert reference is not None and reference.is_sql and reference.path == ""


@pytest.mark.skipif(alibi_installed(), reason="alibi-detect is installed: checks the absent case")
def test_method_mmd_without_the_alibi_extra_fails_at_load(tmp_path: Path) -> None:
    problems = _problems("detectors: {multivariate: {method: mmd}}", tmp_path)
    [(path, reason)] = problems
    assert path == "detectors.multivariate"
    assert reason.startswith(
        "method mmd needs the optional `alibi` extra: pip install 'vigil[alibi]'"
    )


def test_per_model_settings_inherit_the_sections(tmp_path: Path) -> None:
    (tmp_path / "ref.csv").write_text("income\n1\n")
    config = parse_config(
        MODELS + "detectors: {multivariate: {enabled: true, threshold: 0.6, sample_size: 2000, "
        "models: {credit-risk: {method: pca_reconstruction}}}}",
        base_dir=tmp_path,
    ).detectors.multivariate
    own = config.for_model("credit-risk")
    assert (own.method, own.threshold, own.sample_size) == ("pca_reconstruction", 1.1, 2000)
    other = config.for_model("other")
    assert (other.method, other.threshold, other.enabled) == ("domain_classifier", 0.6, True)


def test_importing_the_new_detectors_loads_no_heavy_library() -> None:
    """scikit-learn, scipy, pandas and alibi-detect load only when a method runs."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import detectors.multivariate.job, detectors.multivariate.embedding_job\n"
        "import detectors.multivariate.config, detectors.prediction_drift_job\n"
        "import detectors.quality_pipeline_job, detectors.reference_cache\n"
        "heavy = ('sklearn', 'scipy', 'pandas', 'alibi_detect', 'evidently', 'duckdb')\n"
        "print('LOADED=' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED=\n" in result.stdout, result.stdout
