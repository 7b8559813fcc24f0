"""The FreeSWITCH side: the cluster controller on switchio, mod_callcenter commands, mod_json_cdr
parsing, config generators and the ESL simulator. Built by the FreeSWITCH controller issue."""
