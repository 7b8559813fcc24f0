"""The whole REST v1 surface: every domain's rows."""

from dialer.rest_compat import audit, campaigns, dnc, leads
from dialer.rest_compat.table import RestRoute

ROUTES: list[RestRoute] = [*campaigns.ROUTES, *leads.ROUTES, *dnc.ROUTES, *audit.ROUTES]
