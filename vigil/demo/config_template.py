"""The demo's ``vigil.yaml``: the example config, pointed at a temp folder and a local Slack."""

from __future__ import annotations

DEMO_CONFIG = """\
version: vigil/v1
storage:
  url: "{database_url}"
collector:
  host: 127.0.0.1
  port: 0
  api_keys:
    - name: demo-model-service
      key: {api_key}
      scopes: [ingest]
models:
  - name: credit-risk
    task: binary_classification
    team: credit-decisioning
    reference:
      path: {reference_path}
    features:
      - {{name: income, type: numeric}}
      - {{name: age, type: numeric}}
      - {{name: debt_to_income, type: numeric}}
      - {{name: credit_history_months, type: numeric}}
      - {{name: loan_amount, type: numeric, required: true}}
      - {{name: purpose, type: categorical}}
      - {{name: employment, type: categorical}}
detectors:
  drift:
    interval: 5m
    window: 1h
    numeric_threshold: 0.1
    categorical_threshold: 0.1
    min_sample_size: 1000
slos:
  - name: credit-risk-availability
    model: credit-risk
    sli: {{kind: availability}}
    objective: 99.5
    window: 7d
  - name: credit-risk-latency
    model: credit-risk
    sli: {{kind: latency, threshold_ms: 250}}
    objective: 99.0
    window: 7d
alerting:
  evaluation_interval: 1m
  runbooks_dir: {runbooks_dir}
  dashboard_url: http://127.0.0.1:8501
  rules:
    - alert: FeatureDrift
      detector: drift
      severity: warning
      for: 15m
      runbook: feature-drift
      summary: "Input drift on {{model}}: {{subjects}}"
    - alert: DataQualityDegraded
      detector: quality
      severity: warning
      for: 15m
      runbook: data-quality
      summary: "Data quality on {{model}}: {{subjects}}"
    - alert: SLONoData
      detector: slo
      severity: warning
      runbook: no-data
      fire_on: [no_data]
      summary: "No data for {{model}}'s SLOs: {{subjects}}"
    - alert: SLOErrorBudgetBurn
      detector: slo
      severity: critical
      runbook: slo-burn
      summary: "{{model}} is burning its error budget: {{subjects}}"
  route:
    receiver: ml-oncall-slack
    group_by: [alertname, model]
    group_wait: 0s
    repeat_interval: 24h    # one page per incident in the 12-hour replay
    routes:
      - matchers: ['team=~"credit-.*"']
        receiver: ml-oncall-slack
        continue: true
      - matchers: ['alertname=~".+"']
        receiver: audit-log
  receivers:
    - name: ml-oncall-slack
      slack_configs:
        - channel: '#ml-oncall'
          token: xoxb-vigil-demo-token
          api_url: {slack_url}
    - name: audit-log
      log_configs:
        - path: {alert_log}
dashboards:
  host: 127.0.0.1
  port: 8501
"""
