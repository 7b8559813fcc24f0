"""Contract section "CDR Intake": POST /cdr as mod_json_cdr sends it; plus GET /cdr/{uuid} and the
dead-letter store (GET /cdr/dead-letters), our extensions."""

from dialer.rest_compat.table import RestRoute

ROUTES = [
    RestRoute(
        "POST",
        "/cdr",
        200,
        tag="cdr",
        raw="body",
        headers={"content-type": "contentType"},
        document="""
        mutation ingestCdr($body: String!, $contentType: String, $uuid: String) {
          ingestCdr(body: $body, contentType: $contentType, uuid: $uuid) { ...CdrReceipt } }""",
    ),
    RestRoute(
        "GET",
        "/cdr/dead-letters",
        200,
        tag="cdr",
        result="page",
        rename={"limit": "first"},
        document="""
        query cdrDeadLetters($first: Int, $after: String) {
          cdrDeadLetters(first: $first, after: $after) { ...CdrDeadLetterConnection } }""",
    ),
    RestRoute(
        "GET",
        "/cdr/{uuid}",
        200,
        tag="cdr",
        document="""
        query cdr($uuid: String!) { cdr(uuid: $uuid) { ...Cdr } }""",
    ),
]
