"""Pure dialing logic, no I/O and an injected clock: pacing, the hopper, retry rules, calling
windows, trunk choice, KPI windows. Built by the engine issue; imports nothing else of ours."""
