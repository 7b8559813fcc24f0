"""Do-not-call numbers: an extension of the contract, under /api/v1/dnc."""

from dialer.rest_compat.table import RestRoute

ROUTES = [
    RestRoute(
        "POST",
        "/dnc",
        201,
        tag="dnc",
        body="input",
        document="""
        mutation addDnc($input: DncInput!) { addDnc(input: $input) { ...DncEntry } }""",
    ),
    RestRoute(
        "POST",
        "/dnc/bulk",
        200,
        tag="dnc",
        body="input",
        document="""
        mutation addDncBulk($input: DncBulkInput!) { addDncBulk(input: $input) { ...DncBulkResult } }""",
    ),
    RestRoute(
        "GET",
        "/dnc",
        200,
        tag="dnc",
        result="page",
        rename={"limit": "first"},
        document="""
        query dncNumbers($campaignId: String, $first: Int, $after: String) {
          dncNumbers(campaignId: $campaignId, first: $first, after: $after) { ...DncEntryConnection } }""",
    ),
    RestRoute(
        "GET",
        "/dnc/check",
        200,
        tag="dnc",
        document="""
        query dncCheck($phone: String!, $campaignId: String) {
          dncCheck(phone: $phone, campaignId: $campaignId) { ...DncCheck } }""",
    ),
    RestRoute(
        "DELETE",
        "/dnc/{phone}",
        200,
        tag="dnc",
        document="""
        mutation removeDnc($phone: String!, $campaignId: String) {
          removeDnc(phone: $phone, campaignId: $campaignId) { ...DncRemoval } }""",
    ),
]
