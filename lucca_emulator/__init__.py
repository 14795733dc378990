"""A Lucca HR API emulator for the tap's tests and demos (standard library only).

tenant = Tenant.generate(users=3000, seed=7)
with LuccaEmulator(tenant, api_key="k", rpm=50) as emu:
    ...  # point the tap at emu.url; inspect emu.requests

Data, as served: tenant.users, .userlogs (department/manager/legal entity history),
.contracts, .departments, .establishments, .legal_units, .contract_types,
.contract_hiring_types, .contract_termination_reasons, .occupation_categories, and
.custom_fields (definitions, axes, sections and each user's typed values).
Changes: tenant.update_users, .hire, .leave, .change_department.

Faults, each reproducible from a seed and settable at run time:
emu.faults = Faults(seed=3, server_errors=0.05, drops=0.05, truncations=0.05, timeouts=0.05)
emu.heavy_page_limit = 250  # 408 for bigger pages
emu.v4_page_cap = 99  # v4 pages of at most 99 records, whatever `limit` asks
emu.churn = Churn(seed=5, hires=3, updates=3, leavers=3)  # after each users page
emu.forbidden_paths.add("/directory/api/4.0/work-contracts")  # 403
emu.failing_paths["/directory/api/work-contract-types"] = 404  # or 410, 501...
"""

from .churn import Churn
from .faults import Faults
from .records import RequestRecord
from .server import LuccaEmulator
from .tenant import Tenant

__all__ = ["Churn", "Faults", "LuccaEmulator", "RequestRecord", "Tenant"]
