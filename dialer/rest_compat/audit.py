"""Contract section "Audit". `page` is the contract's name for the cursor (`next` of the last page)."""

from dialer.rest_compat.table import RestRoute

ROUTES = [
    RestRoute(
        "GET",
        "/audit",
        200,
        tag="audit",
        result="page",
        rename={"page": "after", "limit": "first"},
        document="""
        query auditEntries($from: DateTime, $to: DateTime, $actor: String, $action: String, $targetType: String,
                           $targetId: String, $first: Int, $after: String) {
          auditEntries(from: $from, to: $to, actor: $actor, action: $action, targetType: $targetType,
                       targetId: $targetId, first: $first, after: $after) { ...AuditEntryConnection } }""",
    ),
    RestRoute(
        "POST",
        "/audit",
        201,
        tag="audit",
        body="input",
        document="""
        mutation recordAuditEvent($input: AuditEventInput!) { recordAuditEvent(input: $input) { ...AuditEntry } }""",
    ),
]
