package spk

import "strings"

// ScriptNames are the seven scripts of scripts/. Package Center refuses a
// package that lacks any of them, so Pack writes a default for each one
// the package does not give.
var ScriptNames = []string{
	"preinst", "postinst", "preuninst", "postuninst", "preupgrade", "postupgrade", "start-stop-status",
}

// ExtraScriptNames are further scripts DSM 7 runs when present (added with
// DSM 7's replace mechanism); they have no default.
var ExtraScriptNames = []string{"prereplace", "postreplace"}

// noopScript is the default of the install/upgrade/uninstall hooks: exit 0
// is "success" to Package Center.
const noopScript = "#!/bin/sh\n# Written by kiln: this package has nothing to do at this step.\nexit 0\n"

// startStopStatus is the default start-stop-status of a package that does
// not give one. Package Center calls it with start, stop and status (and,
// with precheckstartstop, prestart/prestop). status must exit 0 when the
// package runs and 3 when it does not (1, 2 and 4 mean dead with a pid
// file, dead with a lock file, unknown; 150 means broken); start and stop
// exit 0 on success and non-zero on failure.
//
// Without a service of its own, "running" means "started by the user and
// not stopped since": a marker file in the package's var directory
// (SYNOPKG_PKGVAR on DSM 7, SYNOPKG_PKGDEST/var before, as spksrc does)
// remembers it, so Package Center shows the state the user chose and a
// reboot keeps it.
const startStopStatus = `#!/bin/sh
# Written by kiln: the package has no service, so "running" is the state
# the user chose, kept in a marker file. status exits 0 (running) or 3
# (not running), as Package Center expects.
state_dir="${SYNOPKG_PKGVAR}"
if [ -z "${state_dir}" ]; then
    if [ -n "${SYNOPKG_PKGDEST}" ]; then
        state_dir="${SYNOPKG_PKGDEST}/var"
    else
        state_dir="/var/packages/@PACKAGE@/var"
    fi
fi
marker="${state_dir}/.kiln-started"

case "$1" in
    start)
        mkdir -p "${state_dir}" && touch "${marker}" || exit 1
        ;;
    stop)
        rm -f "${marker}" || exit 1
        ;;
    status)
        [ -e "${marker}" ] || exit 3
        ;;
    prestart|prestop)
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 1
        ;;
esac
exit 0
`

// nonStartable is the default start-stop-status of a package that says
// it has no service (ctl_stop or startable "no"): every action succeeds and
// status reports running, like spksrc's non-startable script, so Package
// Center shows the package as normal rather than stopped.
const nonStartable = `#!/bin/sh
# Written by kiln: this package has no service to start or stop.
case "$1" in
    start|stop|status|prestart|prestop)
        exit 0
        ;;
esac
exit 1
`

// defaultScript returns the script Pack writes for a name the package does
// not give.
func defaultScript(name string, s *spec) []byte {
	if name != "start-stop-status" {
		return []byte(noopScript)
	}
	if !s.startable() {
		return []byte(nonStartable)
	}
	// The identity is restricted to [A-Za-z0-9._+-] (packageRE), so it
	// needs no quoting inside the double-quoted path.
	return []byte(strings.ReplaceAll(startStopStatus, "@PACKAGE@", s.pkg))
}
