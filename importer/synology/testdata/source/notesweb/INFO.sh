#!/bin/bash
source /pkgscripts-ng/include/pkg_util.sh

package="NotesWeb"
version="2.3.1-0007"
os_min_ver="7.0-40000"
displayname="Notes Web"
description="Web notes served by DSM's web server"
arch="noarch"
maintainer="Example Inc."
dsmuidir="ui"
adminport="8090"
adminurl="/notes"
ctl_stop="yes"
beta="yes"
install_type="system"

[ "$(caller)" != "0 NULL" ] && return 0
pkg_dump_info
