"""The do-not-call store: global and per-campaign numbers."""
