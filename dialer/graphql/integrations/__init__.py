"""Connecting FreeSWITCH to the dialer (contract section "Integrations (FreeSWITCH)"), and the
mod_xml_curl endpoint nodes fetch their callcenter.conf from."""
