#!/bin/bash
# INFO.sh of a native package, in pkgscripts-ng's form.
source /pkgscripts-ng/include/pkg_util.sh

package="HelloSyno"
version="1.0.0-0001"
os_min_ver="7.0-40000"
displayname="Hello Syno"
description="Greets from the command line"
description_fre="Salue depuis la ligne de commande"
arch="$(pkg_get_platform_family)"
maintainer="Example Inc."
maintainer_url="https://example.org"
thirdparty="yes"
startable="no"
create_time="$(date +%Y%m%d)"

[ "$(caller)" != "0 NULL" ] && return 0
pkg_dump_info
