"""The ``detectors.pipelines`` section of ``vigil.yaml``: when each data pipeline should run.

Example::

    detectors:
      pipelines:
        interval: 5m                      # how often the check runs
        pipelines:
          - name: credit-features-daily   # as reported to POST /v1/pipeline-runs
            models: [credit-risk]         # models it feeds: its signals and alerts go to them
            every: 1d                     # a successful run is expected this often...
            max_delay: 2h                 # ...give or take this much
            max_runtime: 3h               # a run still `running` after this is late (hung)

A pipeline is **late** when its last successful run finished more than ``every +
max_delay`` ago (never, once ``every + max_delay`` has passed since the first report seen),
or when a run has been ``running`` for longer than ``max_runtime``. It has **failed** when
its latest run (by start time) ended ``failed`` and no later run succeeded.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from store.durations import Duration


class PipelineExpectation(BaseModel):
    """One pipeline's expected schedule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="pipeline name in run reports")
    models: tuple[str, ...] = Field(min_length=1, description="models the pipeline feeds")
    every: Duration = Field(description="a successful run is expected this often")
    max_delay: Duration = Field(default=timedelta(0), description="tolerated lateness")
    max_runtime: Duration | None = Field(
        default=None, description="a run still running after this long is late"
    )

    @model_validator(mode="after")
    def _positive(self) -> PipelineExpectation:
        if self.every <= timedelta(0):
            raise ValueError("every must be a positive duration")
        if self.max_runtime is not None and self.max_runtime <= timedelta(0):
            raise ValueError("max_runtime must be a positive duration")
        return self


class PipelinesConfig(BaseModel):
    """Pipeline runs late or failed, from the reports of ``POST /v1/pipeline-runs``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(minutes=5), description="how often it runs")
    pipelines: tuple[PipelineExpectation, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> PipelinesConfig:
        names = [p.name for p in self.pipelines]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"pipelines[{i}]: pipeline {name!r} is listed twice")
        return self
