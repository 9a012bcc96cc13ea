package llb_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	digest "github.com/opencontainers/go-digest"
)

const familyTargets = `targets:
  rmall: {extends: armv7, description: every reMarkable, formats: {ipk: {arch: rmall}}}
  rm1: {extends: rmall, description: reMarkable 1, families: [rmall], formats: {ipk: {arch: rm1}}}
  rm2: {extends: rmall, description: reMarkable 2, families: [rmall], formats: {ipk: {arch: rm2}}}
`

// deviceJob compiles r for one target of the family.
func deviceJob(t *testing.T, r *schema.Recipe, target string) *llb.Job {
	t.Helper()
	set, err := toolchains.Load(toolchains.Source{File: "targets/rm.yaml", Data: []byte(familyTargets)})
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, "armv7")
	if o.Target, err = set.Lookup(target); err != nil {
		t.Fatal(err)
	}
	j, err := llb.Compile(r, o)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// steps maps a job's vertex names to their digests, with the target's
// name and ipk architecture written as DEV.
func steps(t *testing.T, j *llb.Job) map[string]digest.Digest {
	def, err := j.Output.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]digest.Digest{}
	for d, md := range def.Metadata {
		if n := md.Description["llb.customname"]; n != "" {
			out[strings.ReplaceAll(n, j.Target.Name, "DEV")] = d
		}
	}
	return out
}

// TestPerTargetJobs: a recipe built for rm1 and rm2 gets the same steps in
// the same toolchain vertex; its packages differ in their architecture
// and target, and where per_target says: rm2's conflicts, depends and
// configure hook. Build steps see the target and its architectures.
func TestPerTargetJobs(t *testing.T) {
	r := &schema.Recipe{Name: "splash", Version: "1.0-1", Summary: "Boot splash", License: "MIT", Maintainer: "A <a@example.org>",
		Targets: []string{"rm1", "rm2"}, Sources: []schema.Source{{Path: "src"}}, Build: `make ARCH_NAME="$KILN_ARCH_IPK"`, Package: "make install",
		Depends: []string{"display"}, Conflicts: []string{"splash-legacy"},
		Scripts: schema.Scripts{Configure: `echo "configured for $KILN_ARCH"`, Preremove: "echo removing"},
		PerTarget: map[string]*schema.TargetFields{"rm2": {Conflicts: []string{}, Depends: []string{"display", "rm2fb >= 1.0"},
			Scripts: schema.Scripts{Configure: "rm2-setup"}}},
	}
	rm1, rm2 := deviceJob(t, r, "rm1"), deviceJob(t, r, "rm2")
	if got := strings.Join(append(rm1.Files, rm2.Files...), " "); got != "splash_1.0-1_rm1.ipk splash_1.0-1_rm2.ipk" {
		t.Errorf("files %s", got)
	}
	s1, s2 := steps(t, rm1), steps(t, rm2)
	names := func(m map[string]digest.Digest) []string {
		var n []string
		for k := range m {
			n = append(n, k)
		}
		slices.Sort(n)
		return n
	}
	if a, b := names(s1), names(s2); !slices.Equal(a, b) {
		t.Errorf("rm1 and rm2 have different steps:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	var toolchain string
	for n := range s1 {
		if strings.HasPrefix(n, "toolchain ") {
			toolchain = n
		}
	}
	if toolchain != "toolchain armv7: install "+strings.Join(slices.Sorted(slices.Values(rm1.Target.Packages)), " ") || s1[toolchain] != s2[toolchain] {
		t.Errorf("rm1 and rm2 do not share armv7's toolchain vertex (%q)", toolchain)
	}
	if s1["splash source 0: local src"] != s2["splash source 0: local src"] || s1["splash [DEV] build"] == s2["splash [DEV] build"] {
		t.Error("want the sources shared and the builds apart")
	}
	build := render(t, rm2.Output)
	for _, want := range []string{`"KILN_TARGET=rm2"`, `"KILN_ARCH_IPK=rm2"`, `"KILN_ARCH_SPK=armv7"`, `"KILN_ARCH_SYSPKG=armv7"`} {
		if !strings.Contains(build, want) {
			t.Errorf("rm2's build lacks %s", want)
		}
	}

	m1, m2 := *rm1.Metas[0], *rm2.Metas[0]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"rm1 arch", m1.Arch, "rm1"}, {"rm2 arch", m2.Arch, "rm2"},
		{"rm1 target", m1.Target, "rm1"}, {"rm2 target", m2.Target, "rm2"},
		{"rm1 conflicts", strings.Join(m1.Conflicts, ","), "splash-legacy"}, {"rm2 conflicts", strings.Join(m2.Conflicts, ","), ""},
		{"rm1 depends", strings.Join(m1.Depends, ","), "display"}, {"rm2 depends", strings.Join(m2.Depends, ","), "display,rm2fb (>= 1.0)"},
		{"rm1 hooks", m1.Hooks, pack.Hooks{Configure: `echo "configured for $KILN_ARCH"`, Preremove: "echo removing"}},
		{"rm2 hooks", m2.Hooks, pack.Hooks{Configure: "rm2-setup", Preremove: "echo removing"}},
		{"rm2 job's recipe", strings.Join(rm2.Recipe.Depends, ","), "display,rm2fb >= 1.0"},
	} {
		if !reflectEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	// Nothing else differs.
	m2.Arch, m2.Target, m2.Conflicts, m2.Depends, m2.Hooks = m1.Arch, m1.Target, m1.Conflicts, m1.Depends, m1.Hooks
	if !reflectEqual(m1, m2) {
		t.Errorf("rm1 and rm2 packages differ beyond per_target:\n%+v\n%+v", m1, m2)
	}
}

func reflectEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

// TestImageToolchainJob: a recipe for a target whose toolchain is an
// image builds in that image (a recipe's own image replaces it, as a
// Toltec recipe picks its toolchain image); install tests run binaries
// under qemu with the target's QEMU_LD_PREFIX; a container image needs a
// runtime base of its own, as the toolchain image is none.
func TestImageToolchainJob(t *testing.T) {
	set, err := toolchains.Load(toolchains.Source{File: "targets/rm.yaml", Data: []byte(`targets:
  rm2:
    extends: armv7
    toolchain: image
    image: registry.test/toltec/base:v3
    env:
      CC: /opt/x-tools/bin/arm-remarkable-linux-gnueabihf-gcc
      QEMU_LD_PREFIX: /opt/x-tools/sysroot
`)})
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, "armv7")
	if o.Target, err = set.Lookup("rm2"); err != nil {
		t.Fatal(err)
	}
	r := &schema.Recipe{Name: "splash", Version: "1.0-1", Summary: "Boot splash", License: "MIT", Maintainer: "A <a@example.org>",
		Targets: []string{"rm2"}, Build: "make", Package: "make install",
		Tests: []schema.Test{{Stage: "install", Script: "splash --version"}}}
	for _, c := range []struct{ image, want string }{{"", "registry.test/toltec/base:v3"}, {"registry.test/toltec/qt:v3", "registry.test/toltec/qt:v3"}} {
		r.Image = c.image
		j, err := llb.Compile(r, o)
		if err != nil {
			t.Fatal(err)
		}
		out := render(t, j.Output)
		for _, w := range []string{`"docker-image://` + c.want + `"`, `"QEMU_LD_PREFIX=/opt/x-tools/sysroot"`,
			`"CC=/opt/x-tools/bin/arm-remarkable-linux-gnueabihf-gcc"`, "# name: toolchain rm2: " + c.want + " with /sysroot"} {
			if !strings.Contains(out, w) {
				t.Errorf("image %q: no %s", c.image, w)
			}
		}
		for _, w := range []string{"library/debian", "registry.test/debian", "apt-get", "QEMU_LD_PREFIX=/usr/arm-linux-gnueabihf"} {
			if strings.Contains(out, w) {
				t.Errorf("image %q: %s in the LLB", c.image, w)
			}
		}
	}
	r.Image, r.Tests = "", nil
	r.Formats = map[string]map[string]any{"oci": {}}
	if _, err := llb.Compile(r, o); err == nil || !strings.Contains(err.Error(), "formats.oci: target rm2 builds in a toolchain image, which is no runtime base: set formats.oci.base") {
		t.Errorf("oci without a base: %v", err)
	}
}
