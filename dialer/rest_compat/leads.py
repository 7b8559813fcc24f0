"""Contract section "Lists & Leads", plus import jobs (GET /imports/..., our extension)."""

from dialer.rest_compat.table import RestRoute

PAGE = {"limit": "first"}

ROUTES = [
    RestRoute(
        "POST",
        "/lists",
        201,
        tag="lists",
        body="input",
        document="""
        mutation createList($input: ListInput!) { createList(input: $input) { ...LeadList } }""",
    ),
    RestRoute(
        "GET",
        "/lists",
        200,
        tag="lists",
        result="page",
        rename=PAGE,
        document="""
        query leadLists($first: Int, $after: String) {
          leadLists(first: $first, after: $after) { ...LeadListConnection } }""",
    ),
    RestRoute(
        "GET",
        "/lists/{id}",
        200,
        tag="lists",
        document="""
        query leadList($id: ID!) { leadList(id: $id) { ...LeadList } }""",
    ),
    RestRoute(
        "POST",
        "/lists/{id}/import",
        202,
        tag="lists",
        upload="file",
        document="""
        mutation importLeads($id: ID!, $file: Upload!) { importLeads(listId: $id, file: $file) { ...ImportJob } }""",
    ),
    RestRoute(
        "POST",
        "/lists/{id}/retry-rules",
        200,
        tag="lists",
        body="input",
        document="""
        mutation setRetryRules($id: ID!, $input: RetryRuleSetInput!) {
          setRetryRules(listId: $id, input: $input) { ...RetryRuleSet } }""",
    ),
    RestRoute(
        "GET",
        "/lists/{id}/leads",
        200,
        tag="leads",
        result="page",
        rename=PAGE,
        document="""
        query leads($id: ID!, $q: String, $first: Int, $after: String) {
          leads(listId: $id, q: $q, first: $first, after: $after) { ...LeadConnection } }""",
    ),
    RestRoute(
        "GET",
        "/leads/{id}",
        200,
        tag="leads",
        document="""
        query lead($id: ID!) { lead(id: $id) { ...Lead history(last: 100) { ...LeadAttempt } } }""",
    ),
    RestRoute(
        "POST",
        "/leads/{leadId}/disposition",
        200,
        tag="leads",
        body="input",
        document="""
        mutation recordDisposition($leadId: ID!, $input: DispositionInput!) {
          recordDisposition(leadId: $leadId, input: $input) { ...Lead } }""",
    ),
    RestRoute(
        "GET",
        "/imports/{id}",
        200,
        tag="lists",
        document="""
        query importJob($id: ID!) { importJob(id: $id) { ...ImportJob } }""",
    ),
    RestRoute(
        "POST",
        "/imports/{id}/cancel",
        202,
        tag="lists",
        document="""
        mutation cancelImport($id: ID!) { cancelImport(id: $id) { ...ImportJob } }""",
    ),
    RestRoute(
        "GET",
        "/imports/{id}/rejects",
        200,
        tag="lists",
        result="csv",
        document="""
        query importRejects($id: ID!, $first: Int, $after: String) {
          importRejects(id: $id, first: $first, after: $after) {
            nodes { row reason line } pageInfo { ...PageInfo } } }""",
    ),
]
