"""The simulated FreeSWITCH's API commands (`api` and `bgapi` over ESL), as mod_commands and the
modules it loads answer them: status, version, hostname, eval, create_uuid, uuid_exists,
uuid_getvar, uuid_setvar, uuid_kill, hupall, uuid_transfer (inline apps), avmd and amd,
callcenter_config, show channels and originate. Each reads and changes the `Switch` it serves."""

from __future__ import annotations

import uuid as uuids
from typing import TYPE_CHECKING, Any

import orjson

from dialer.freeswitch.causes import Q850
from dialer.freeswitch.sim.callcenter_config import callcenter_config, needs_configuration
from dialer.freeswitch.sim.originate import Done, parse_originate, split_args

if TYPE_CHECKING:
    from dialer.freeswitch.sim.switch import Switch

# How long a simulated `playback:` lasts (there is no audio to measure).
PLAYBACK_SECONDS = 3.0


class Commands:
    def __init__(self, switch: Switch) -> None:
        self.switch = switch

    def run(self, command: str, args: str, done: Done) -> None:
        """Run one API command; `done(output)` is called now, or later (originate, and a
        callcenter_config that waits for its configuration source)."""
        handler = getattr(self, "_api_" + command.lower().replace("-", "_"), None)
        if handler is None:
            done(f"-ERR {command} Command not found!\n")
        elif command in ("originate", "callcenter_config"):
            handler(args, done)
        else:
            done(handler(args))

    def _api_status(self, args: str) -> str:
        sw = self.switch
        up = int(sw.clock.wall() - sw.started)
        return (
            f"UP 0 years, 0 days, {up // 3600} hours, {up // 60 % 60} minutes, {up % 60} seconds, 0 milliseconds,"
            " 0 microseconds\nFreeSWITCH (Version 1.10.12-release sim) is ready\n"
            f"{sw.sessions_total} session(s) since startup\n{len(sw.channels)} session(s) - peak 0, last 5min 0\n"
            f"0 session(s) per Sec out of max 30, peak 0, last 5min 0\n{sw.config.max_sessions} session(s) max\n"
        )

    def _api_version(self, args: str) -> str:
        return "FreeSWITCH Version 1.10.12-release+sim (simulated)\n"

    def _api_hostname(self, args: str) -> str:
        return self.switch.config.hostname

    def _api_eval(self, args: str) -> str:
        return args

    def _api_create_uuid(self, args: str) -> str:
        return str(uuids.uuid4())

    def _api_uuid_exists(self, args: str) -> str:
        return "true" if args.strip() in self.switch.channels else "false"

    def _api_uuid_getvar(self, args: str) -> str:
        parts = args.split()
        channel = self.switch.channels.get(parts[0]) if parts else None
        if channel is None or len(parts) < 2:
            return "-ERR No such channel!\n"
        return channel.variables.get(parts[1], "_undef_")

    def _api_uuid_setvar(self, args: str) -> str:
        parts = args.split(" ", 2)
        channel = self.switch.channels.get(parts[0]) if parts else None
        if channel is None or len(parts) < 2:
            return "-ERR No such channel!\n"
        channel.set_var(parts[1], parts[2] if len(parts) > 2 else "")
        return "+OK\n"

    def _api_uuid_kill(self, args: str) -> str:
        parts = args.split()
        channel = self.switch.channels.get(parts[0]) if parts else None
        if channel is None:
            return "-ERR No such channel!\n"
        cause = parts[1].upper() if len(parts) > 1 and parts[1].upper() in Q850 else "NORMAL_CLEARING"
        self.switch.hangup(channel, cause, "send_bye" if channel.answered else "send_cancel")
        return "+OK\n"

    def _api_hupall(self, args: str) -> str:
        parts = args.split()
        cause = parts[0].upper() if parts and parts[0].upper() in Q850 else "MANAGER_REQUEST"
        for channel in list(self.switch.channels.values()):
            if len(parts) < 3 or channel.variables.get(parts[1]) == parts[2]:
                self.switch.hangup(channel, cause, "send_bye" if channel.answered else "send_cancel")
        return "+OK\n"

    def _api_uuid_transfer(self, args: str) -> str:
        """What a dialer does after AMD, as an inline dialplan: `uuid_transfer <uuid> callcenter:<queue>
        inline`, or the safe-harbor message `uuid_transfer <uuid> 'playback:<file>,hangup:<CAUSE>' inline`.
        Leaving a queue this way ends the member as a cancel, like the callcenter app being broken out of."""
        parts = split_args(args)
        channel = self.switch.channels.get(parts[0]) if parts else None
        if channel is None:
            return "-ERR No such channel!\n"
        apps = [app.partition(":") for app in (parts[1] if len(parts) > 1 else "").split(",") if app]
        known = {"callcenter", "playback", "hangup"}
        if not apps or any(name not in known for name, _, _ in apps):
            return "-ERR invalid transfer target (the simulator knows callcenter:, playback: and hangup: inline)\n"
        self.switch.callcenter.leave(channel, "NONE")
        delay = 0.0
        for name, _, argument in apps:
            if name == "callcenter" and not self.switch.callcenter.join(channel, argument):
                return f"-ERR queue {argument} not found\n"
            if name == "playback":
                channel.variables["playback_file"] = argument
                delay += PLAYBACK_SECONDS
            if name == "hangup":
                cause = argument or "NORMAL_CLEARING"
                hangup = self.switch.clock.call_later(delay, self.switch.hangup, channel, cause, "send_bye")
                channel.timers.append(hangup)
        return "+OK\n"

    def _api_avmd(self, args: str) -> str:
        parts = args.split()
        if not parts or parts[0] not in self.switch.channels:
            return "-ERR No such channel!\n"
        return "+OK\n"

    # mod_amd's `amd <uuid> start|stop`: accepted; the simulator's AMD gives each answered call its
    # planned verdict whether or not it was started.
    _api_amd = _api_avmd

    def _api_callcenter_config(self, args: str, done: Done) -> None:
        queue = needs_configuration(self.switch.callcenter, args)
        if queue is None or self.switch.config_source is None:
            done(callcenter_config(self.switch.callcenter, args))
            return
        # load_queue: switch_xml_open_cfg("callcenter.conf", &cfg, params) with CC-Queue.
        params = self.switch.request_params("mod_callcenter.c", "load_queue", {"CC-Queue": queue})

        def found(configuration: Any) -> None:
            done(callcenter_config(self.switch.callcenter, args, configuration))

        self.switch.config_source("callcenter.conf", params, found)

    def _api_show(self, args: str) -> str:
        words = args.split()
        if words[:1] != ["channels"]:
            return "-USAGE: show channels [count|as json]\n"
        if words[1:2] == ["count"]:
            return f"\n{len(self.switch.channels)} total.\n"
        rows = [
            {
                "uuid": c.uuid,
                "direction": "outbound",
                "created_epoch": str(int(c.created)),
                "name": c.name,
                "state": "CS_EXECUTE" if c.answered else "CS_CONSUME_MEDIA",
                "cid_name": c.variables.get("origination_caller_id_name", ""),
                "cid_num": c.variables.get("origination_caller_id_number", ""),
                "dest": c.destination,
                "callstate": c.call_state,
            }
            for c in self.switch.channels.values()
        ]
        if words[1:3] == ["as", "json"]:
            return orjson.dumps({"row_count": len(rows), "rows": rows}).decode()
        lines = ["uuid,direction,created_epoch,name,state,cid_name,cid_num,dest,callstate"]
        lines += [",".join(row.values()) for row in rows]
        return "\n".join(lines) + f"\n\n{len(rows)} total.\n"

    def _api_originate(self, args: str, done: Done) -> None:
        try:
            request = parse_originate(args)
        except ValueError as bad:
            done(f"-USAGE: {bad}\n")
            return
        if len(self.switch.channels) >= self.switch.config.max_sessions:
            done("-ERR SWITCH_CONGESTION\n")
            return
        self.switch.originate(request, done)
