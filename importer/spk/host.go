package spk

import (
	"github.com/kiln-build/kiln/importer"
)

// SPK's host options (spk build fills them from the machine it runs on)
// say what a build is for; kiln's counterpart is the target, so they
// become no kiln option. Scripts that read them (SPK_OPT_arch) get the
// target's value.
var (
	// spkArchs are SPK's architecture names with kiln's target for each.
	spkArchs = map[string]string{"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64",
		"armv7": "armv7", "armv7l": "armv7", "noarch": "noarch"}
	// hostVars are the shell values scripts see for each host option.
	hostVars = map[string]string{"arch": `$KILN_ARCH_IPK`, "os": "linux"}
)

// hostOption maps var: NAME[/VALUE] when NAME is a host option, reporting
// whether it was one: arch/VALUE pins the target (without a value the
// recipe keeps x86_64, the machine kiln's toolchains run on, as spk build
// builds for the machine it runs on); os is linux, which every kiln
// target is; distro names the system the build runs on, for kiln
// Debian's.
func (c *conv) hostOption(o node, name, value string) bool {
	switch name {
	case "arch":
		if value == "" {
			break
		}
		t, ok := spkArchs[value]
		if !ok {
			c.note(o, "build.options", importer.Dropped, "var arch/%s: kiln has no such target (%s)", value, "x86_64, aarch64, armv7, noarch")
			break
		}
		c.f.Set("targets", []string{t})
	case "os":
		if value != "" && value != "linux" {
			c.note(o, "build.options", importer.Dropped, "var os/%s: kiln's targets are Linux", value)
		}
	case "distro":
		if value != "" && value != "debian" {
			c.note(o, "build.options", importer.Approximated, "var distro/%s: kiln builds in Debian's toolchains", value)
		}
		return false // scripts may still ask which; it stays an option
	default:
		return false
	}
	c.hostOpts = append(c.hostOpts, name)
	return true
}
