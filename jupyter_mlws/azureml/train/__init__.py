"""``azureml.train``."""
