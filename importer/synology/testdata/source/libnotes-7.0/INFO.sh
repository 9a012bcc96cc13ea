#!/bin/bash
# INFO.sh of a library package other projects build against.
source /pkgscripts-ng/include/pkg_util.sh

package="libnotes"
version="2.1.0-0003"
os_min_ver="7.0-40000"
displayname="Notes library"
description="Storage library for the notes packages"
arch="$(pkg_get_platform_family)"
maintainer="Example Inc."
thirdparty="yes"
startable="no"

[ "$(caller)" != "0 NULL" ] && return 0
pkg_dump_info
