"""The FreeSWITCH side: the cluster controller on switchio (node, cluster, calls, events, hangup
causes) and the ESL simulator (`dialer.freeswitch.sim`). See docs/freeswitch.md."""
