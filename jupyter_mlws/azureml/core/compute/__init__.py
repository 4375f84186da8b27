"""``azureml.core.compute``: ``ComputeTarget`` and ``AmlCompute`` as managed Dask targets.

``AmlCompute.provisioning_configuration(vm_size=, min_nodes=, max_nodes=)`` makes a
managed local Dask cluster with those node bounds; ``vm_size`` is recorded, not
enforced (the nodes are worker processes on this machine).
"""

from jupyter_mlws.azureml.core.compute.compute import (
    AmlCompute,
    AmlComputeProvisioningConfiguration,
    ComputeInstance,
    ComputeTarget,
)

__all__ = ["AmlCompute", "AmlComputeProvisioningConfiguration", "ComputeInstance", "ComputeTarget"]
