package spk

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// NoArch is the arch of a package without native code; it installs on
// every model.
const NoArch = "noarch"

// Families are the platform families of pkgscripts-ng's plat_to_family
// (x86_64, i686, armv7, armv8) plus the older ones the Synology guide names
// (armv5, ppc). A family package installs on every model of the family.
var Families = []string{"x86_64", "i686", "armv7", "armv8", "armv5", "ppc"}

// platformFamily maps specific platforms (what pkg_get_spk_platform prints)
// to their family. Platforms pkgscripts-ng's plat_to_family leaves as their
// own family ("armv7 not ready platforms") or does not know map to
// themselves: a package for them is per platform.
var platformFamily = map[string]string{}

func init() {
	for family, platforms := range map[string]string{
		"x86_64": "apollolake avoton braswell broadwell broadwellnk broadwellnkv2 broadwellntb " +
			"broadwellntbap bromolow cedarview coffeelake denverton dockerx64 epyc7002 epyc7003 " +
			"epyc7003ntb geminilake geminilakenk grantley icelaked kvmcloud kvmx64 nextkvmx64 " +
			"purley r1000 r1000nk skylaked v1000 v1000nk x64",
		"i686":  "evansport",
		"armv7": "alpine alpine4k",
		"armv8": "armada37xx rtd1296 rtd1619 rtd1619b",
		"":      "armada370 armada375 armada38x armadaxp comcerto2k monaco hi3535 88f6281 qoriq ppc853x ppc854x",
	} {
		for _, p := range strings.Fields(platforms) {
			platformFamily[p] = family
			if family == "" {
				platformFamily[p] = p
			}
		}
	}
}

// archAliases are names kiln targets and other package managers use for a
// family, so that p.Arch can be a kiln target name.
var archAliases = map[string]string{
	"aarch64": "armv8", "arm64": "armv8",
	"amd64": "x86_64",
	"armhf": "armv7",
	"all":   NoArch, "any": NoArch,
}

// Arch maps a kiln target or architecture name to a Synology arch value:
// x86_64 -> x86_64, aarch64 -> armv8, armv7 -> armv7, noarch -> noarch.
// Synology families and platforms map to themselves, so a recipe may name
// them directly. Anything else is an error listing the known values.
func Arch(name string) (string, error) {
	if a, ok := archAliases[name]; ok {
		return a, nil
	}
	if name == NoArch || slices.Contains(Families, name) {
		return name, nil
	}
	if _, ok := platformFamily[name]; ok {
		return name, nil
	}
	return "", fmt.Errorf("unknown Synology arch %q: want %s, a family (%s) or a platform (%s)",
		name, NoArch, strings.Join(Families, ", "), strings.Join(Platforms(), ", "))
}

// Platforms lists the known specific platforms, sorted.
func Platforms() []string {
	var ps []string
	for p := range platformFamily {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// family returns the family of a Synology arch value (a family is its own).
func family(arch string) string {
	if f, ok := platformFamily[arch]; ok {
		return f
	}
	return arch
}

// resolveArch normalizes an arch list: aliases mapped, duplicates dropped,
// order kept. noarch must stand alone.
func resolveArch(list []string) ([]string, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("arch is empty")
	}
	var out []string
	for _, a := range list {
		v, err := Arch(a)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > 1 && slices.Contains(out, NoArch) {
		return nil, fmt.Errorf("arch %q: noarch cannot be combined with other values", strings.Join(list, " "))
	}
	return out, nil
}

// fileArch is the arch part of the .spk file name, following pkgscripts-ng:
// none for noarch (pkg_get_spk_name prints "examplePkg-1.0.0000.spk"); the
// value itself for one family or platform (pkg_get_spk_family_name /
// pkg_get_spk_name); the family when several platforms share one ("bromolow
// and x64 will have same spk name"). pkgscripts-ng has no rule for several
// families, since it names a package after the one toolkit it was built
// in; kiln joins the families, sorted, with '+'.
func fileArch(arch []string) string {
	if len(arch) == 1 {
		if arch[0] == NoArch {
			return ""
		}
		return arch[0]
	}
	var fams []string
	for _, a := range arch {
		if f := family(a); !slices.Contains(fams, f) {
			fams = append(fams, f)
		}
	}
	sort.Strings(fams)
	return strings.Join(fams, "+")
}

// spkFileName is ${package}[-${arch}]-${version}.spk.
func spkFileName(pkg, version string, arch []string) string {
	if a := fileArch(arch); a != "" {
		return pkg + "-" + a + "-" + version + ".spk"
	}
	return pkg + "-" + version + ".spk"
}
