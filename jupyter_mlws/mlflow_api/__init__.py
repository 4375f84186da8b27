"""MLflow-compatible front door: translates MLflow's REST calls into service calls."""
