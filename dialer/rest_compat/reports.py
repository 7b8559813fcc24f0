"""Contract section "Reports": the raw CDR report (JSON pages, or CSV streamed by its hook) and the
campaign, provider and agent aggregates (JSON or CSV), all with `format=json|csv`."""

from dialer.graphql.reports.export import cdr_csv
from dialer.rest_compat.table import RestRoute

FORMATS = ("json", "csv")
PERIOD = "$from: DateTime!, $to: DateTime!"

ROUTES = [
    RestRoute(
        "GET",
        "/reports/cdr",
        200,
        tag="reports",
        result="page",
        rename={"limit": "first"},
        formats=FORMATS,
        stream=cdr_csv,
        document=f"""
        query cdrReport({PERIOD}, $campaignId: String, $trunkId: String, $agentId: String,
                        $disposition: String, $amd: String, $first: Int, $after: String) {{
          cdrReport(from: $from, to: $to, campaignId: $campaignId, trunkId: $trunkId, agentId: $agentId,
                    disposition: $disposition, amd: $amd, first: $first, after: $after) {{ ...CdrConnection }} }}""",
    ),
    RestRoute(
        "GET",
        "/reports/campaign",
        200,
        tag="reports",
        formats=FORMATS,
        document=f"""
        query campaignReport({PERIOD}) {{
          campaignReport(from: $from, to: $to) {{
            from to items {{ campaignId calls answered liveAnswers connects abandoned asr acd abandonRate contactRate }}
          }} }}""",
    ),
    RestRoute(
        "GET",
        "/reports/provider",
        200,
        tag="reports",
        formats=FORMATS,
        document=f"""
        query providerReport({PERIOD}) {{
          providerReport(from: $from, to: $to) {{
            from to items {{ trunkId calls answered asr acd pddMs sip sit fax sitPct faxPct }}
          }} }}""",
    ),
    RestRoute(
        "GET",
        "/reports/agent",
        200,
        tag="reports",
        formats=FORMATS,
        document=f"""
        query agentReport({PERIOD}) {{
          agentReport(from: $from, to: $to) {{
            from to items {{ agentId calls talkS wrapUpS idleS aht occupancy }}
          }} }}""",
    ),
]
