"""A Lucca HR API emulator for the tap's tests and demos (standard library only).

tenant = Tenant.generate(users=3000, seed=7)
with LuccaEmulator(tenant, api_key="k", rpm=50) as emu:
    ...  # point the tap at emu.url; inspect emu.requests
"""

from .records import RequestRecord
from .server import LuccaEmulator
from .tenant import Tenant

__all__ = ["LuccaEmulator", "RequestRecord", "Tenant"]
