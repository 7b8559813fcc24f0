"""Contract section "Integrations (FreeSWITCH)", plus POST /fs/config, the mod_xml_curl endpoint
FreeSWITCH nodes fetch callcenter.conf from."""

from dialer.rest_compat.table import RestRoute

ROUTES = [
    RestRoute(
        "POST",
        "/integrations/fs/guide",
        200,
        tag="integrations",
        body="input",
        optional_body=True,
        headers={"accept": "accept"},
        result="file",
        document="""
        mutation fsGuide($input: GuideInput, $accept: String) {
          fsGuide(input: $input, accept: $accept) { ...FileDocument } }""",
    ),
    RestRoute(
        "POST",
        "/integrations/fs/notes",
        200,
        tag="integrations",
        document="""
        query fsNotes { fsNotes { ...Checklist } }""",
    ),
    RestRoute(
        "POST",
        "/integrations/fs/esl-suggest",
        200,
        tag="integrations",
        body="input",
        document="""
        query fsEslSuggest($input: EslSuggestInput!) { fsEslSuggest(input: $input) { ...EslSuggestion } }""",
    ),
    RestRoute(
        "POST",
        "/fs/config",
        200,
        tag="integrations",
        raw="body",
        raw_media={
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "description": "mod_xml_curl's lookup: section, tag_name, key_name, key_value, hostname, "
                    "then the event's headers.",
                    "required": ["section"],
                    "properties": {"section": {"type": "string", "minLength": 1}},
                    "additionalProperties": {"type": "string"},
                }
            }
        },
        result="file",
        document="""
        query fsConfiguration($body: String!) { fsConfiguration(body: $body) { ...FileDocument } }""",
    ),
]
