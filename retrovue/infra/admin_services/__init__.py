"""Admin services: the only write path to the broadcast configuration tables.

Each public method validates its input, then does its work in one transaction; errors are
`retrovue.errors` exceptions with operator-facing messages.
"""

from retrovue.infra.admin_services.assets import AssetAdminService
from retrovue.infra.admin_services.channels import ChannelAdminService
from retrovue.infra.admin_services.schedule import ScheduleAdminService
from retrovue.infra.admin_services.templates import TemplateAdminService

__all__ = [
    "AssetAdminService",
    "ChannelAdminService",
    "ScheduleAdminService",
    "TemplateAdminService",
]
