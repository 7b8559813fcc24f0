"""SIP trunks (contract section "Providers / Trunks")."""
