#!/bin/sh
# motd prints the message of the day configured in $MOTD_CONF.
conf=${MOTD_CONF:-/etc/motd.conf}
[ -r "$conf" ] || { echo "motd: cannot read $conf" >&2; exit 1; }
. "$conf"
printf '%s\n' "$MESSAGE"
