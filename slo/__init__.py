"""Service level objectives: SLIs read from the store, error budgets, burn-rate alerting."""
