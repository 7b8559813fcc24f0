"""Contract section "Campaigns"."""

from dialer.rest_compat.table import RestRoute

ROUTES = [
    RestRoute(
        "POST",
        "/campaigns",
        201,
        tag="campaigns",
        body="input",
        document="""
        mutation createCampaign($input: CampaignCreateInput!) { createCampaign(input: $input) { id status } }""",
    ),
    RestRoute(
        "GET",
        "/campaigns",
        200,
        tag="campaigns",
        result="page",
        rename={"limit": "first"},
        document="""
        query campaigns($status: CampaignStatus, $q: String, $first: Int, $after: String) {
          campaigns(status: $status, q: $q, first: $first, after: $after) { ...CampaignConnection } }""",
    ),
    RestRoute(
        "GET",
        "/campaigns/{id}",
        200,
        tag="campaigns",
        document="""
        query campaign($id: ID!) { campaign(id: $id) { ...Campaign } }""",
    ),
    RestRoute(
        "PATCH",
        "/campaigns/{id}",
        200,
        tag="campaigns",
        body="input",
        document="""
        mutation updateCampaign($id: ID!, $input: CampaignPatchInput!) {
          updateCampaign(id: $id, input: $input) { ...Campaign } }""",
    ),
    RestRoute(
        "POST",
        "/campaigns/{id}/start",
        202,
        tag="campaigns",
        document="""
        mutation startCampaign($id: ID!) { startCampaign(id: $id) { id status } }""",
    ),
    RestRoute(
        "POST",
        "/campaigns/{id}/pause",
        202,
        tag="campaigns",
        document="""
        mutation pauseCampaign($id: ID!) { pauseCampaign(id: $id) { id status } }""",
    ),
    RestRoute(
        "POST",
        "/campaigns/{id}/stop",
        202,
        tag="campaigns",
        document="""
        mutation stopCampaign($id: ID!) { stopCampaign(id: $id) { id status } }""",
    ),
    RestRoute(
        "GET",
        "/campaigns/{id}/runtime",
        200,
        tag="campaigns",
        document="""
        query campaignRuntime($id: ID!) { campaignRuntime(id: $id) { ...CampaignRuntime } }""",
    ),
]
