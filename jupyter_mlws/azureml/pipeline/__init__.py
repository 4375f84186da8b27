"""``azureml.pipeline``."""
