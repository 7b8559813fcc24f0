"""The FreeSWITCH config generators: well-formed XML, FreeSWITCH's real parameter names, escaping,
ACL normalisation, the mod_xml_curl documents, the guide and its zip. Pure and fast: no sockets."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from dialer.freeswitch.config import (
    ACL_LIST,
    AgentSpec,
    GatewaySpec,
    QueueSpec,
    ServiceSpec,
    TierSpec,
    acl_conf,
    callcenter_conf,
    config_files,
    configuration_document,
    dialplan_context,
    esl_suggest,
    event_socket_conf,
    guide_markdown,
    guide_zip,
    json_cdr_conf,
    normalise_cidr,
    not_found_document,
    queue_destination,
    sofia_gateways,
    xml_curl_conf,
)

NASTY = "a\"b'c&d<e>f"


def service(**changes: object) -> ServiceSpec:
    fields: dict[str, object] = {
        "base_url": "https://dialer.example.com/",
        "cdr_user": "fsnode",
        "cdr_secret": "s3cr&t<\"'>",
        "esl_password": NASTY,
        "controllers": ("10.0.0.5", "192.168.1.0/24"),
    }
    fields.update(changes)
    return ServiceSpec(**fields)  # type: ignore[arg-type]


QUEUES = (
    QueueSpec("sales@dialer", "longest-idle-agent", "local_stream://moh", True, 30, False, 120, 90),
    QueueSpec("support", "ring-all", "", False, 0, True),
)
AGENTS = (
    AgentSpec("1001@dialer", "callback", "{leg_timeout=15,x='a&b'}user/1001@dialer", "Available", wrap_up_time=7),
    AgentSpec("1002", "uuid-standby", "", "Logged Out"),
)
TIERS = (TierSpec("sales@dialer", "1001@dialer"), TierSpec("support", "1002", level=2, position=3))
GATEWAYS = (
    GatewaySpec("gw_main", "sip.carrier.example", ("PCMU", "PCMA"), "US <&> --x-", 10, True),
    GatewaySpec("gw.reg-2", "reg.example:5070", (), "*", 5, True, username="acct", password=NASTY),
    GatewaySpec("gw_old", "old.example", ("G729",), "old", 1, False),
)


def params(element: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in element.iter("param")}


def settings(text: str) -> dict[str, str]:
    root = ET.fromstring(text)
    node = root.find("settings")
    assert node is not None
    return params(node)


# -- every file ---------------------------------------------------------------------------------


def test_every_generated_file_is_well_formed_xml() -> None:
    files = config_files(service(), QUEUES, AGENTS, TIERS, GATEWAYS)
    assert [f.path for f in files] == [
        "autoload_configs/event_socket.conf.xml",
        "autoload_configs/acl.conf.xml",
        "autoload_configs/xml_curl.conf.xml",
        "autoload_configs/json_cdr.conf.xml",
        "autoload_configs/callcenter.conf.xml",
        "sip_profiles/external/dialer_gateways.xml",
        "dialplan/dialer.xml",
    ]
    roots = {f.path: ET.fromstring(f.content) for f in files}
    names = {path: root.get("name") for path, root in roots.items() if root.tag == "configuration"}
    assert names == {
        "autoload_configs/event_socket.conf.xml": "event_socket.conf",
        "autoload_configs/acl.conf.xml": "acl.conf",
        "autoload_configs/xml_curl.conf.xml": "xml_curl.conf",
        "autoload_configs/json_cdr.conf.xml": "json_cdr.conf",
        "autoload_configs/callcenter.conf.xml": "callcenter.conf",
    }
    # Files that freeswitch.xml includes must not carry an XML declaration.
    assert not any(f.content.startswith("<?xml") for f in files)


def test_values_with_quotes_ampersands_and_angle_brackets_are_escaped() -> None:
    text = event_socket_conf(service())
    assert 'value="a&quot;b\'c&amp;d&lt;e&gt;f"' in text
    assert settings(text)["password"] == NASTY
    gateways = ET.fromstring(sofia_gateways(GATEWAYS))
    registered = gateways.find("gateway[@name='gw.reg-2']")
    assert registered is not None and params(registered)["password"] == NASTY
    agent = ET.fromstring(callcenter_conf(QUEUES, AGENTS, TIERS)).find("agents/agent[@name='1001@dialer']")
    assert agent is not None and agent.get("contact") == "{leg_timeout=15,x='a&b'}user/1001@dialer"
    assert settings(json_cdr_conf(service()))["cred"] == "fsnode:s3cr&t<\"'>"


def test_control_characters_are_refused() -> None:
    with pytest.raises(ValueError, match="control characters"):
        event_socket_conf(service(esl_password="bad\x01pw"))


# -- event socket and ACL ------------------------------------------------------------------------


def test_event_socket_uses_mod_event_socket_names() -> None:
    values = settings(event_socket_conf(service(esl_listen_ip="::", esl_listen_port=8022)))
    assert values == {
        "nat-map": "false",
        "listen-ip": "::",
        "listen-port": "8022",
        "password": NASTY,
        "apply-inbound-acl": ACL_LIST,
    }


@pytest.mark.parametrize("bad", [{"esl_listen_ip": "localhost"}, {"esl_listen_port": 0}, {"esl_password": ""}])
def test_event_socket_rejects_bad_settings(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        event_socket_conf(service(**bad))


def acl_cidrs(text: str, list_name: str = ACL_LIST) -> list[str]:
    root = ET.fromstring(text)
    lists = root.findall("network-lists/list")
    assert [(item.get("name"), item.get("default")) for item in lists] == [(list_name, "deny")]
    assert {node.get("type") for node in lists[0]} == {"allow"}
    return [node.get("cidr", "") for node in lists[0]]


def test_acl_normalises_addresses_and_keeps_loopback() -> None:
    controllers = ("10.0.0.5", " 192.168.1.77/24 ", "2001:db8::1", "10.0.0.5/32")
    cidrs = acl_cidrs(acl_conf(service(controllers=controllers), list_name="ctl"), "ctl")
    assert cidrs == ["10.0.0.5/32", "192.168.1.0/24", "2001:db8::1/128", "127.0.0.0/8", "::1/128"]


def test_acl_adds_v4_mapped_forms_when_esl_listens_on_ipv6() -> None:
    cidrs = acl_cidrs(acl_conf(service(controllers=("10.0.0.5",), esl_listen_ip="::")))
    assert cidrs == ["10.0.0.5/32", "::ffff:10.0.0.5/128", "127.0.0.0/8", "::ffff:127.0.0.0/104", "::1/128"]


@pytest.mark.parametrize(
    ("raw", "cidr"), [("10.1.2.3", "10.1.2.3/32"), ("fe80::1", "fe80::1/128"), ("10.1.2.3/16", "10.1.0.0/16")]
)
def test_normalise_cidr(raw: str, cidr: str) -> None:
    assert normalise_cidr(raw) == cidr


@pytest.mark.parametrize("junk", ["", "dialer.example.com", "10.0.0.300", "10.0.0.0/33", "1.2.3", "10.0.0.1/x"])
def test_acl_rejects_junk(junk: str) -> None:
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        acl_conf(service(controllers=(junk,)))


@pytest.mark.parametrize("everyone", ["0.0.0.0/0", "::/0"])
def test_acl_refuses_to_admit_everyone(everyone: str) -> None:
    with pytest.raises(ValueError, match="every address"):
        normalise_cidr(everyone)


# -- CDRs and mod_xml_curl ----------------------------------------------------------------------


def test_json_cdr_uses_mod_json_cdr_names() -> None:
    values = settings(json_cdr_conf(service()))
    assert values == {
        "url": "https://dialer.example.com/api/v1/cdr",
        "cred": "fsnode:s3cr&t<\"'>",
        "auth-scheme": "basic",
        "encode": "true",
        "encode-values": "true",
        "retries": "3",
        "delay": "5",
        "log-b-leg": "false",
        "prefix-a-leg": "true",
        "disable-100-continue": "true",
        "log-http-and-disk": "false",
        "log-errors-to-disk": "true",
        "err-log-dir": "json_cdr",
        "enable-cacert-check": "true",
        "enable-ssl-verifyhost": "true",
    }


def test_plain_http_gets_no_tls_params() -> None:
    assert "enable-cacert-check" not in settings(json_cdr_conf(service(base_url="http://10.0.0.9:8000")))
    assert "enable-cacert-check" not in xml_curl_conf(service(base_url="http://10.0.0.9:8000"))


@pytest.mark.parametrize("bad", [{"base_url": "dialer.example.com"}, {"cdr_user": "a:b"}, {"cdr_secret": ""}])
def test_service_url_and_credentials_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        json_cdr_conf(service(**bad))


def test_xml_curl_binds_configuration_to_the_service() -> None:
    root = ET.fromstring(xml_curl_conf(service()))
    bindings = root.findall("bindings/binding")
    assert [b.get("name") for b in bindings] == ["dialer_config"]
    url = bindings[0].find("param[@name='gateway-url']")
    assert url is not None
    assert url.get("value") == "https://dialer.example.com/api/v1/fs/config"
    assert url.get("bindings") == "configuration"
    assert params(bindings[0]) == {
        "gateway-url": "https://dialer.example.com/api/v1/fs/config",
        "gateway-credentials": "fsnode:s3cr&t<\"'>",
        "auth-scheme": "basic",
        "timeout": "5",
        "enable-cacert-check": "true",
        "enable-ssl-verifyhost": "true",
    }


# -- mod_callcenter -----------------------------------------------------------------------------


def test_callcenter_conf_uses_mod_callcenter_names() -> None:
    root = ET.fromstring(callcenter_conf(QUEUES, AGENTS, TIERS))
    assert (root.tag, root.get("name")) == ("configuration", "callcenter.conf")
    assert root.find("settings") is not None
    queues = root.findall("queues/queue")
    assert [q.get("name") for q in queues] == ["sales@dialer", "support"]
    assert params(queues[0]) == {
        "strategy": "longest-idle-agent",
        "moh-sound": "local_stream://moh",
        "time-base-score": "queue",
        "tier-rules-apply": "true",
        "tier-rule-wait-second": "30",
        "tier-rule-wait-multiply-level": "false",
        "tier-rule-no-agent-no-wait": "true",
        "discard-abandoned-after": "90",
        "abandoned-resume-allowed": "false",
        "max-wait-time": "0",
        "max-wait-time-with-no-agent": "120",
        "max-wait-time-with-no-agent-time-reached": "5",
    }
    assert "moh-sound" not in params(queues[1])  # no music: leave mod_callcenter's default
    agent = root.find("agents/agent[@name='1001@dialer']")
    assert agent is not None
    assert dict(agent.attrib) == {
        "name": "1001@dialer",
        "type": "callback",
        "contact": "{leg_timeout=15,x='a&b'}user/1001@dialer",
        "status": "Available",
        "max-no-answer": "3",
        "wrap-up-time": "7",
        "reject-delay-time": "10",
        "busy-delay-time": "60",
        "no-answer-delay-time": "2",
    }
    tiers = [dict(t.attrib) for t in root.findall("tiers/tier")]
    assert tiers == [
        {"agent": "1001@dialer", "queue": "sales@dialer", "level": "1", "position": "1"},
        {"agent": "1002", "queue": "support", "level": "2", "position": "3"},
    ]


def queue(**changes: object) -> QueueSpec:
    fields: dict[str, object] = {
        "name": "q",
        "strategy": "ring-all",
        "moh": "",
        "tier_rules_apply": False,
        "tier_rule_wait_second": 0,
        "tier_rule_wait_multiply_level": False,
    }
    fields.update(changes)
    return QueueSpec(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("queues", "agents", "tiers", "message"),
    [
        ((queue(strategy="fastest"),), (), (), "unknown strategy"),
        ((queue(name="two words"),), (), (), "without blanks"),
        ((queue(tier_rule_wait_second=-1),), (), (), "non-negative"),
        ((queue(), queue()), (), (), "listed twice"),
        ((), (AgentSpec("a", "callback", "user/a", "Busy"),), (), "status"),
        ((), (AgentSpec("a", "sip", "user/a", "Available"),), (), "type"),
        ((queue(),), (AgentSpec("a", "Callback", "user/a", "Available"),), (TierSpec("nope", "a"),), "no queue"),
        ((queue(),), (), (TierSpec("q", "ghost"),), "no agent"),
    ],
)
def test_callcenter_conf_refuses_what_mod_callcenter_would_drop(
    queues: tuple[QueueSpec, ...], agents: tuple[AgentSpec, ...], tiers: tuple[TierSpec, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        callcenter_conf(queues, agents, tiers)


def test_configuration_document_wraps_the_configuration_element() -> None:
    config = callcenter_conf(QUEUES, AGENTS, TIERS)
    document = configuration_document(config)
    assert document.startswith('<?xml version="1.0"')
    root = ET.fromstring(document)
    assert (root.tag, root.get("type")) == ("document", "freeswitch/xml")
    sections = root.findall("section")
    assert [s.get("name") for s in sections] == ["configuration"]
    inner = sections[0].findall("configuration")
    assert [c.get("name") for c in inner] == ["callcenter.conf"]
    assert ET.tostring(inner[0]).split() == ET.tostring(ET.fromstring(config)).split()
    # A declaration on the input is dropped, not nested.
    assert configuration_document('<?xml version="1.0"?>\n' + config).count("<?xml") == 1


@pytest.mark.parametrize("bad", ["<settings/>", "<configuration/>", "<configuration name='x'>"])
def test_configuration_document_refuses_anything_else(bad: str) -> None:
    with pytest.raises(ValueError):
        configuration_document(bad)


def test_not_found_document() -> None:
    root = ET.fromstring(not_found_document())
    assert (root.tag, root.get("type")) == ("document", "freeswitch/xml")
    result = root.find("section[@name='result']/result")
    assert result is not None and result.get("status") == "not found"


# -- sofia and the dialplan ---------------------------------------------------------------------


def test_sofia_gateways_use_sofia_names() -> None:
    text = sofia_gateways(GATEWAYS)
    root = ET.fromstring(text)
    assert root.tag == "include"
    gateways = {g.get("name"): g for g in root.findall("gateway")}
    assert list(gateways) == ["gw_main", "gw.reg-2"]
    assert params(gateways["gw_main"]) == {
        "proxy": "sip.carrier.example",
        "realm": "sip.carrier.example",
        "register": "false",
        "caller-id-in-from": "true",
        "ping": "30",
    }
    assert params(gateways["gw.reg-2"]) == {
        "proxy": "reg.example:5070",
        "realm": "reg.example:5070",
        "username": "acct",
        "password": NASTY,
        "register": "true",
        "register-transport": "udp",
        "expire-seconds": "600",
        "retry-seconds": "30",
        "caller-id-in-from": "true",
        "ping": "30",
    }
    variables = [dict(v.attrib) for v in gateways["gw_main"].findall("variables/variable")]
    assert variables == [{"name": "absolute_codec_string", "value": "PCMU,PCMA", "direction": "outbound"}]
    assert gateways["gw.reg-2"].find("variables") is None
    # The dialer's own limits travel as comments, which must stay comments.
    assert "at most 10 calls/s" in text and "--x" not in text


def test_disabled_gateways_are_left_out_and_named() -> None:
    text = sofia_gateways(GATEWAYS)
    assert ET.fromstring(text).find("gateway[@name='gw_old']") is None
    assert "disabled, not loaded: gw_old" in text
    assert "G729" not in text


@pytest.mark.parametrize(
    ("gateway", "message"),
    [
        (GatewaySpec("bad name", "h", (), "", 1, True), "sofia accepts only"),
        (GatewaySpec("gw", "h", (), "", 1, True, username="u"), "needs a password"),
        (GatewaySpec("gw", "", (), "", 1, True), "host"),
        (GatewaySpec("gw", "h", ("PCMU,PCMA",), "", 1, True), "codec"),
    ],
)
def test_sofia_gateways_refuse_what_sofia_would_skip(gateway: GatewaySpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sofia_gateways((gateway,))


def test_sofia_gateway_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        sofia_gateways((GATEWAYS[0], GATEWAYS[0]))


def test_dialplan_context_queues_then_parks() -> None:
    root = ET.fromstring(dialplan_context(service(context="dialer")))
    contexts = root.findall("context")
    assert [c.get("name") for c in contexts] == ["dialer"]
    extensions = contexts[0].findall("extension")
    assert [e.get("name") for e in extensions] == ["dialer_queue", "dialer_park"]
    queue_condition = extensions[0].find("condition")
    assert queue_condition is not None
    assert (queue_condition.get("field"), queue_condition.get("expression")) == (
        "destination_number",
        "^dialer_queue_(.+)$",
    )
    actions = [(a.get("application"), a.get("data")) for a in queue_condition.findall("action")]
    assert ("callcenter", "$1") in actions
    park = [a.get("application") for a in extensions[1].iter("action")]
    assert park[-1] == "park"
    assert queue_destination("sales@dialer") == "dialer_queue_sales@dialer"


def test_dialplan_context_name_is_one_word() -> None:
    with pytest.raises(ValueError):
        dialplan_context(service(context="two words"))


# -- the guide, the zip and the ESL suggestion -----------------------------------------------------


def test_guide_markdown_mentions_every_file_and_step() -> None:
    text = guide_markdown(service(), QUEUES, AGENTS, TIERS, GATEWAYS)
    for item in config_files(service(), QUEUES, AGENTS, TIERS, GATEWAYS):
        assert f"`{item.path}`" in text
        assert item.content.rstrip() in text
    for needle in (
        "/etc/freeswitch",
        "/usr/local/freeswitch/conf",
        "mod_event_socket",
        "mod_callcenter",
        "mod_json_cdr",
        "mod_xml_curl",
        "mod_avmd",
        "mod_amd",
        "fs_cli -x reloadxml",
        "fs_cli -x 'reload mod_json_cdr'",
        "fs_cli -x 'callcenter_config queue load sales@dialer'",
        "fs_cli -x 'sofia profile external killgw gw_old'",
        "fs_cli -x 'sofia profile external rescan'",
        f"DIALER_FREESWITCH=esl://:{NASTY}@<node-address>:8021",
        "- [ ]",
    ):
        assert needle in text, needle
    assert text.count("```xml") == 7


def test_guide_fences_outlast_backticks_in_the_files() -> None:
    text = guide_markdown(service(esl_password="pw```x"), (), (), (), ())
    assert "````xml" in text


def test_guide_warns_about_a_password_dialer_freeswitch_cannot_carry() -> None:
    assert "Warning" in guide_markdown(service(esl_password="a/b"), (), (), (), ())
    assert "Warning" not in guide_markdown(service(esl_password="plain-Pass.1"), (), (), (), ())


def test_guide_zip_holds_the_readme_and_every_file() -> None:
    data = guide_zip(service(), QUEUES, AGENTS, TIERS, GATEWAYS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [
            "README.md",
            "freeswitch/conf/autoload_configs/event_socket.conf.xml",
            "freeswitch/conf/autoload_configs/acl.conf.xml",
            "freeswitch/conf/autoload_configs/xml_curl.conf.xml",
            "freeswitch/conf/autoload_configs/json_cdr.conf.xml",
            "freeswitch/conf/autoload_configs/callcenter.conf.xml",
            "freeswitch/conf/sip_profiles/external/dialer_gateways.xml",
            "freeswitch/conf/dialplan/dialer.xml",
        ]
        for name in names[1:]:
            ET.fromstring(archive.read(name))
        assert archive.read("README.md").decode() == guide_markdown(service(), QUEUES, AGENTS, TIERS, GATEWAYS)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert guide_zip(service(), QUEUES, AGENTS, TIERS, GATEWAYS) == data


def test_esl_suggest_gives_the_file_the_list_and_the_commands() -> None:
    suggestion = esl_suggest(["10.0.0.7", "172.16.0.0/12"], NASTY, listen_port=8022)
    assert set(suggestion) == {"event_socket", "acl", "fs_cli"}
    values = settings(suggestion["event_socket"])
    assert (values["password"], values["listen-port"], values["apply-inbound-acl"]) == (NASTY, "8022", ACL_LIST)
    acl = ET.fromstring(suggestion["acl"])
    assert (acl.tag, acl.get("name"), acl.get("default")) == ("list", ACL_LIST, "deny")
    assert [n.get("cidr") for n in acl][:2] == ["10.0.0.7/32", "172.16.0.0/12"]
    assert "reloadacl" in suggestion["fs_cli"]
    assert "reload mod_event_socket" in suggestion["fs_cli"]


@pytest.mark.parametrize("controllers", [["10.0.0.7", "nonsense"], ["300.1.1.1"]])
def test_esl_suggest_rejects_a_bad_controller(controllers: list[str]) -> None:
    with pytest.raises(ValueError, match="is not an IP address or CIDR"):
        esl_suggest(controllers, "pw")


def test_esl_suggest_needs_a_controller() -> None:
    with pytest.raises(ValueError, match="at least one controller"):
        esl_suggest([], "pw")


def test_guide_lists_the_pre_processor_variables_the_files_use() -> None:
    text = guide_markdown(service(cdr_secret="$${dialer_token}"), QUEUES, AGENTS, TIERS, GATEWAYS)
    assert '<X-PRE-PROCESS cmd="set" data="dialer_token=..."/>' in text
    assert "X-PRE-PROCESS" not in guide_markdown(service(), QUEUES, AGENTS, TIERS, GATEWAYS)
