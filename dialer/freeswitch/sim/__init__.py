"""The FreeSWITCH simulator: call models, a simulated switch (mod_callcenter, AMD, mod_json_cdr,
mod_xml_curl for callcenter.conf) and the Event Socket in front of it. `Switch` on a `VirtualClock`
runs the same models without sockets, in simulated time."""

from dialer.freeswitch.sim.cdr import JsonCdrConfig
from dialer.freeswitch.sim.clock import LoopClock, VirtualClock
from dialer.freeswitch.sim.models import CallPlan, Dist, TrunkModel
from dialer.freeswitch.sim.node import SimCluster, SimNode
from dialer.freeswitch.sim.switch import Switch, SwitchConfig
from dialer.freeswitch.sim.xml_curl import XmlCurlConfig

__all__ = [
    "CallPlan",
    "Dist",
    "JsonCdrConfig",
    "LoopClock",
    "SimCluster",
    "SimNode",
    "Switch",
    "SwitchConfig",
    "TrunkModel",
    "VirtualClock",
    "XmlCurlConfig",
]
