"""The whole REST v1 surface: every domain's rows."""

from dialer.rest_compat import audit, callcenter, campaigns, cdr, dnc, integrations, leads, providers, reports
from dialer.rest_compat.table import RestRoute

ROUTES: list[RestRoute] = [
    *campaigns.ROUTES,
    *leads.ROUTES,
    *dnc.ROUTES,
    *audit.ROUTES,
    *callcenter.ROUTES,
    *providers.ROUTES,
    *cdr.ROUTES,
    *integrations.ROUTES,
    *reports.ROUTES,
]
