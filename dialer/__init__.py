"""Mobilitytech predictive dialer: campaigns, leads and agents paced over a FreeSWITCH cluster."""

__version__ = "0.1.0"
