"""Contract section "Queues & Agents (mod_callcenter)", plus GET /queues/{queue}, GET /agents and
GET /queues/{queue}/tiers (our extensions)."""

from dialer.rest_compat.table import RestRoute

PAGE = {"limit": "first"}

ROUTES = [
    RestRoute(
        "POST",
        "/queues",
        201,
        tag="queues",
        body="input",
        document="""
        mutation createQueue($input: QueueInput!) { createQueue(input: $input) { ...Queue } }""",
    ),
    RestRoute(
        "GET",
        "/queues",
        200,
        tag="queues",
        result="page",
        rename=PAGE,
        document="""
        query queues($first: Int, $after: String) { queues(first: $first, after: $after) { ...QueueConnection } }""",
    ),
    RestRoute(
        "GET",
        "/queues/{queue}",
        200,
        tag="queues",
        document="""
        query queue($queue: String!) { queue(name: $queue) { ...Queue } }""",
    ),
    RestRoute(
        "POST",
        "/queues/{queue}/tiers",
        201,
        tag="queues",
        body="input",
        document="""
        mutation addTier($queue: String!, $input: TierInput!) { addTier(queue: $queue, input: $input) { ...Tier } }""",
    ),
    RestRoute(
        "GET",
        "/queues/{queue}/tiers",
        200,
        tag="queues",
        document="""
        query queueTiers($queue: String!) { queueTiers(name: $queue) { ...Tier } }""",
    ),
    RestRoute(
        "POST",
        "/agents",
        201,
        tag="agents",
        body="input",
        document="""
        mutation createAgent($input: AgentInput!) { createAgent(input: $input) { ...Agent } }""",
    ),
    RestRoute(
        "GET",
        "/agents",
        200,
        tag="agents",
        result="page",
        rename=PAGE,
        document="""
        query agents($first: Int, $after: String) { agents(first: $first, after: $after) { ...AgentConnection } }""",
    ),
    RestRoute(
        "GET",
        "/agents/{id}",
        200,
        tag="agents",
        document="""
        query agent($id: String!) { agent(name: $id) { ...Agent } }""",
    ),
    RestRoute(
        "PATCH",
        "/agents/{id}/state",
        200,
        tag="agents",
        body="input",
        document="""
        mutation setAgentState($id: String!, $input: AgentStateInput!) {
          setAgentState(name: $id, input: $input) { ...Agent } }""",
    ),
]
