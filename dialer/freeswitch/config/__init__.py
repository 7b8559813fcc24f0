"""FreeSWITCH configuration generators: pure functions from frozen specs to file text.

Nothing here touches the network, the disk or the database; the service's endpoints
(`/api/v1/integrations/fs/guide`, `/api/v1/integrations/fs/esl-suggest`, the mod_xml_curl
endpoint) call these and send the result. See docs/freeswitch-config.md."""

from dialer.freeswitch.config.autoload import (
    ACL_LIST,
    acl_conf,
    event_socket_conf,
    json_cdr_conf,
    normalise_cidr,
    xml_curl_conf,
)
from dialer.freeswitch.config.bundle import ConfigFile, config_files
from dialer.freeswitch.config.callcenter import callcenter_conf, configuration_document, not_found_document
from dialer.freeswitch.config.dialplan import dialplan_context, queue_destination
from dialer.freeswitch.config.guide import esl_suggest, guide_markdown, guide_zip
from dialer.freeswitch.config.sofia import sofia_gateways
from dialer.freeswitch.config.spec import AgentSpec, GatewaySpec, QueueSpec, ServiceSpec, TierSpec

__all__ = [
    "ACL_LIST",
    "AgentSpec",
    "ConfigFile",
    "GatewaySpec",
    "QueueSpec",
    "ServiceSpec",
    "TierSpec",
    "acl_conf",
    "callcenter_conf",
    "config_files",
    "configuration_document",
    "dialplan_context",
    "esl_suggest",
    "event_socket_conf",
    "guide_markdown",
    "guide_zip",
    "json_cdr_conf",
    "normalise_cidr",
    "not_found_document",
    "queue_destination",
    "sofia_gateways",
    "xml_curl_conf",
]
