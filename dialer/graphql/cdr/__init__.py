"""CDR intake (contract section "CDR Intake"): what FreeSWITCH's mod_json_cdr posts, stored once."""
