"""Fixtures shared by Trackbase's Python test suites (the SDK, MLflow and W&B compatibility)."""

from .server import ServerProcess, repo_root
from .tenants import Api, ApiError, Tenant, new_tenant

__all__ = ["Api", "ApiError", "ServerProcess", "Tenant", "new_tenant", "repo_root"]
