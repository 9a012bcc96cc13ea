package build

import (
	"fmt"
	"runtime/debug"
)

// stamp is kiln's version, set at build time
// (-ldflags "-X github.com/kiln-build/kiln/build.stamp=..."); without it
// the module's build information gives one.
var stamp = ""

// Version is kiln's version and the BuildKit version it is built with.
func Version() (kiln, buildkit string) {
	kiln, buildkit = stamp, "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if kiln == "" && info.Main.Version != "(devel)" {
			kiln = info.Main.Version
		}
		if kiln == "" {
			kiln = vcsVersion(info.Settings)
		}
		for _, d := range info.Deps {
			if d.Path == "github.com/moby/buildkit" {
				buildkit = d.Version
			}
		}
	}
	if kiln == "" {
		kiln = "(devel)"
	}
	return kiln, buildkit
}

// vcsVersion names a development build by the commit it was built from.
func vcsVersion(settings []debug.BuildSetting) string {
	rev, dirty := "", ""
	for _, s := range settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			rev = s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return ""
	}
	return fmt.Sprintf("devel-%s%s", rev, dirty)
}
