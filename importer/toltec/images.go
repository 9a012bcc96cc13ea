package toltec

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/toolchains"
	"go.yaml.in/yaml/v3"
)

// toolImage is one of Toltec's toolchain images besides base: what it
// adds to the cross compiler, as the Debian packages and environment of a
// kiln target of its own (ARCH-IMAGE, written into targets/toltec.yaml
// beside the architectures), so a recipe naming the image builds in a
// toolchain that has it, as in Toltec, rather than in the bare one.
type toolImage struct {
	what     string
	packages []string // added to armv7's toolchain (NAME:armhf: the device's)
	env      map[string]string
	// systemLibs are sonames (patterns) the devices have besides armv7's
	// system libraries, which the image's libraries stand for.
	systemLibs []string
	// crossTool is a command that builds for the build machine in kiln's
	// toolchain but for the device in Toltec's image, and its counterpart.
	crossTool [2]string
}

// toolImages are Toltec's images kiln has a counterpart of. Debian's
// packages stand in for what Toltec builds into its images (Qt for the
// device, rustup's armv7 target, Go, Python with pip); dotnet6 has none.
var toolImages = map[string]toolImage{
	"qt": {
		what:     "Qt 5 for the device (qtbase, qtdeclarative), the host's moc and rcc, qmake for the device as arm-linux-gnueabihf-qmake",
		packages: []string{"qtbase5-dev:armhf", "qtdeclarative5-dev:armhf", "qtbase5-dev-tools", "qt5-qmake:armhf"},
		// The reMarkable's system has Qt 5, which Toltec's qt image
		// builds against.
		systemLibs: []string{"libQt5*.so.5"},
		crossTool:  [2]string{"qmake", "arm-linux-gnueabihf-qmake"},
	},
	"python": {
		what:     "Python 3 with pip, setuptools and wheel",
		packages: []string{"python3", "python3-pip", "python3-setuptools", "python3-wheel"},
	},
	"rust": {
		what:     "Rust and Cargo with the armv7-unknown-linux-gnueabihf standard library",
		packages: []string{"cargo", "rustc", "libstd-rust-dev:armhf"},
		env: map[string]string{
			"CARGO_BUILD_TARGET": "armv7-unknown-linux-gnueabihf",
			"CARGO_HOME":         "/tmp/cargo",
			"CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER": "arm-linux-gnueabihf-gcc",
		},
	},
	"golang": {
		what:     "Go, cross compiling for ARMv7 (GOARCH=arm, GOARM=7, cgo with the cross compiler)",
		packages: []string{"golang-go"},
		env: map[string]string{
			"GOOS": "linux", "GOARCH": "arm", "GOARM": "7", "CGO_ENABLED": "1",
			"GOCACHE": "/tmp/go-cache", "GOPATH": "/tmp/go", "GOFLAGS": "-trimpath",
		},
	},
}

// imageTarget is the kiln target of Toltec architecture arch built in
// Toltec's image img (its name without registry and tag).
func imageTarget(arch, img string) string {
	if img == "" || arch == "noarch" {
		return arch
	}
	return arch + "-" + img
}

// image reads the recipe's image: the image's name when it has targets
// of its own, "" for base (every target's own cross compiler) or none.
func (p *pkg) image(archs []string) string {
	img := p.scalar("image")
	if img == "" {
		return ""
	}
	base, _, _ := strings.Cut(path.Base(img), ":")
	_, known := toolImages[base]
	switch {
	case base == "base":
	case known && slices.Contains(archs, "noarch"):
		p.note("image", importer.Approximated, "Toltec's %s image for a noarch package: kiln's noarch target has no cross toolchain to add %s to", img, base)
	case known:
		p.crossTool(img, toolImages[base].crossTool)
		return base
	default:
		p.note("image", importer.Dropped, "Toltec's %s image has no kiln counterpart; the target's toolchain builds it", img)
	}
	return ""
}

// targetsYAML is targets/toltec.yaml: the architectures (targets.yaml),
// then for each image of toolImages a target per architecture, extending
// it with the image's packages on top of armv7's (a target's packages
// replace those it extends) and its environment. Targets that differ
// only by name share one toolchain.
func targetsYAML() ([]byte, error) {
	armv7, err := toolchains.Lookup("armv7")
	if err != nil {
		return nil, err
	}
	families, err := archFamilies()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Write(targetsFile)
	b.WriteString("\n  # Toltec's toolchain images: ARCH-IMAGE is ARCH built in that image's\n" +
		"  # counterpart, Debian's packages on kiln's armv7 toolchain.\n")
	for _, name := range slices.Sorted(maps.Keys(toolImages)) {
		img := toolImages[name]
		pkgs := append(slices.Clone(armv7.Packages), img.packages...)
		for _, arch := range Archs {
			fmt.Fprintf(&b, "  %s:\n    extends: %s\n", imageTarget(arch, name), arch)
			fmt.Fprintf(&b, "    description: %s in Toltec's %s image (%s)\n", arch, name, img.what)
			fmt.Fprintf(&b, "    families: [%s]\n", strings.Join(append([]string{arch}, families[arch]...), ", "))
			fmt.Fprintf(&b, "    packages: [%s]\n", strings.Join(pkgs, ", "))
			if len(img.systemLibs) > 0 {
				var libs []string
				for _, l := range append(slices.Clone(armv7.SystemLibs), img.systemLibs...) {
					libs = append(libs, fmt.Sprintf("%q", l))
				}
				fmt.Fprintf(&b, "    system_libs: [%s]\n", strings.Join(libs, ", "))
			}
			if len(img.env) > 0 {
				b.WriteString("    env:\n")
				for _, k := range slices.Sorted(maps.Keys(img.env)) {
					fmt.Fprintf(&b, "      %s: %q\n", k, img.env[k])
				}
			}
		}
	}
	return []byte(b.String()), nil
}

// archFamilies reads each architecture's families from targets.yaml.
func archFamilies() (map[string][]string, error) {
	var f struct {
		Targets map[string]struct {
			Families []string `yaml:"families"`
		} `yaml:"targets"`
	}
	if err := yaml.Unmarshal(targetsFile, &f); err != nil {
		return nil, fmt.Errorf("targets.yaml: %w", err)
	}
	out := map[string][]string{}
	for name, t := range f.Targets {
		out[name] = t.Families
	}
	return out, nil
}

// crossTool notes a build step calling tool[0], which in Toltec's image
// builds for the device but in kiln's toolchain for the build machine
// (whose files the ELF check then refuses): the device's is tool[1].
func (p *pkg) crossTool(img string, tool [2]string) {
	if tool[0] == "" {
		return
	}
	re := regexp.MustCompile(`(^|[\s;&|(])` + regexp.QuoteMeta(tool[0]) + `(\s|;|$)`)
	for _, s := range []string{"prepare", "build", "package"} {
		if f, ok := p.v.funcs[s]; ok && re.MatchString(f.body()) {
			p.note("image", importer.Approximated, "Toltec's %s image: %s() calls %s, which in kiln's toolchain builds for the build machine; the device's is %s", img, s, tool[0], tool[1])
			return
		}
	}
}
