package spk

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// hookScripts maps Toltec-style install hooks onto Package Center's
// scripts. Package Center runs preuninst/postuninst and preinst/postinst
// on an upgrade too (preupgrade, preuninst, postuninst, preinst, postinst,
// postupgrade), telling them apart by SYNOPKG_PKG_STATUS; the hooks have
// Toltec's meaning, so install- and removal-only hooks skip upgrades.
//
// env follows the header of each (see pack.Package.HookEnv).
func hookScripts(h pack.Hooks, env string) map[string]string {
	out := map[string]string{}
	add := func(name, hook, body string, skipUpgrade bool) {
		if strings.TrimSpace(body) == "" {
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, "#!/bin/sh\n# Written by kiln from the recipe's %s script.\nset -e\n%s", hook, env)
		if skipUpgrade {
			b.WriteString("[ \"${SYNOPKG_PKG_STATUS}\" = UPGRADE ] && exit 0\n")
		}
		fmt.Fprintf(&b, "%s() {\n%s\n}\n%s\nexit 0\n", hook, strings.TrimRight(body, "\n"), hook)
		out[name] = b.String()
	}
	add("preinst", "preinstall", h.Preinstall, true)
	add("postinst", "configure", h.Configure, false)
	add("preuninst", "preremove", h.Preremove, true)
	add("postuninst", "postremove", h.Postremove, true)
	add("preupgrade", "preupgrade", h.Preupgrade, false)
	add("postupgrade", "postupgrade", h.Postupgrade, false)
	return out
}
