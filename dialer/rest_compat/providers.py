"""Contract section "Providers / Trunks", plus GET /providers and GET /providers/{id}."""

from dialer.rest_compat.table import RestRoute

ROUTES = [
    RestRoute(
        "POST",
        "/providers",
        201,
        tag="providers",
        body="input",
        document="""
        mutation createProvider($input: ProviderInput!) { createProvider(input: $input) { ...Provider } }""",
    ),
    RestRoute(
        "GET",
        "/providers",
        200,
        tag="providers",
        result="page",
        rename={"limit": "first"},
        document="""
        query providers($first: Int, $after: String) {
          providers(first: $first, after: $after) { ...ProviderConnection } }""",
    ),
    RestRoute(
        "GET",
        "/providers/health",
        200,
        tag="providers",
        document="""
        query providerHealth { providerHealth { ...ProviderHealthList } }""",
    ),
    RestRoute(
        "GET",
        "/providers/{id}",
        200,
        tag="providers",
        document="""
        query provider($id: ID!) { provider(id: $id) { ...Provider } }""",
    ),
    RestRoute(
        "PATCH",
        "/providers/{id}",
        200,
        tag="providers",
        body="input",
        document="""
        mutation updateProvider($id: ID!, $input: ProviderPatch!) {
          updateProvider(id: $id, input: $input) { ...Provider } }""",
    ),
    RestRoute(
        "POST",
        "/providers/{id}/probe",
        200,
        tag="providers",
        body="input",
        document="""
        mutation probeProvider($id: ID!, $input: ProbeInput!) {
          probeProvider(id: $id, input: $input) { ...ProbeResult } }""",
    ),
]
