package toolchains

import (
	"context"
	"strings"
	"testing"
)

const boardsYAML = `# a reMarkable-like device family
targets:
  armv7:
    suite: bullseye
    image: docker.io/library/debian:bullseye
  rm2:
    extends: armv7
    description: reMarkable 2
    env:
      CFLAGS: -mcpu=cortex-a7
    formats:
      ipk: {arch: rm2}
`

const boardCUE = `package boards

#cross: "riscv64-linux-gnu"

targets: riscv64: {
	description: "64-bit RISC-V"
	debian_arch: "riscv64"
	triplet:     #cross
	platform:    "linux/riscv64"
	packages: ["gcc-riscv64-linux-gnu"]
	env: CC: #cross + "-gcc"
	formats: {ipk: arch: "riscv64", spk: arch: "riscv64", syspkg: arch: "riscv64"}
}
`

// TestUserTargets: a repository's targets extend kiln's own and add new
// ones; each says where it was defined.
func TestUserTargets(t *testing.T) {
	s, err := Load(
		Source{File: "repo/targets/boards.yaml", Data: []byte(boardsYAML)},
		Source{File: "repo/targets/riscv.cue", Data: []byte(boardCUE)},
		Source{File: "repo/hello/kiln.yaml", Data: []byte("name: hello\ntargets: [rm2]\n"), Recipes: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	own, _ := Lookup("armv7")
	armv7, _ := s.Lookup("armv7")
	rm2, err := s.Lookup("rm2")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"armv7 suite", armv7.Suite, "bullseye"},
		{"armv7 image", armv7.Image, "docker.io/library/debian:bullseye"},
		{"armv7 keeps its triplet", armv7.Triplet, own.Triplet},
		{"armv7 keeps its description", armv7.Description, own.Description},
		{"kiln's armv7 unchanged", own.Suite, "bookworm"},
		{"rm2 name", rm2.Name, "rm2"},
		{"rm2 starts from the repository's armv7", rm2.Suite, "bullseye"},
		{"rm2 description", rm2.Description, "reMarkable 2"},
		{"rm2 packages", strings.Join(rm2.Packages, " "), strings.Join(own.Packages, " ")},
		{"rm2 env merged", rm2.Env["CFLAGS"] + " " + rm2.Env["CC"], "-mcpu=cortex-a7 arm-linux-gnueabihf-gcc"},
		{"rm2 ipk arch", rm2.Formats["ipk"].Arch, "rm2"},
		{"rm2 spk arch inherited", rm2.Formats["spk"].Arch, "armv7"},
		{"rm2 qemu", rm2.Qemu, "qemu-arm-static"},
		{"rm2 system_libs inherited", strings.Join(rm2.SystemLibs, " "), strings.Join(own.SystemLibs, " ")},
		{"names", strings.Join(s.Names(), " "), "aarch64 armv7 noarch riscv64 rm2 x86_64"},
		{"armv7 origin", s.Origin("armv7"), Origin{File: "repo/targets/boards.yaml", Line: 3, Col: 3, Extends: "armv7"}},
		{"rm2 origin", s.Origin("rm2").String(), "repo/targets/boards.yaml:6"},
		{"rm2 extends", s.Origin("rm2").Extends, "armv7"},
		{"riscv64 origin", s.Origin("riscv64").String(), "repo/targets/riscv.cue:5"},
		{"x86_64 origin", s.Origin("x86_64").String(), "built-in"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	rv, _ := s.Lookup("riscv64")
	if rv.Suite != "bookworm" || rv.Triplet != "riscv64-linux-gnu" || rv.Env["CC"] != "riscv64-linux-gnu-gcc" || rv.Qemu != "" {
		t.Errorf("riscv64: %+v", rv)
	}
	if _, err := (*Set)(nil).Lookup("rm2"); err == nil {
		t.Error("kiln's own targets know rm2")
	}
}

// TestUserTargetsRepositoryFile: a repository file defines targets beside
// its recipes, in JSON too.
func TestUserTargetsRepositoryFile(t *testing.T) {
	repo := `{
  "recipes": {"hello": {"targets": ["rm1"]}},
  "targets": {
    "rm1": {"extends": "armv7", "formats": {"ipk": {"arch": "rm1"}}}
  }
}`
	s, err := Load(Source{File: "repo.json", Data: []byte(repo), Recipes: true})
	if err != nil {
		t.Fatal(err)
	}
	rm1, err := s.Lookup("rm1")
	if err != nil {
		t.Fatal(err)
	}
	if rm1.Formats["ipk"].Arch != "rm1" || rm1.Triplet != "arm-linux-gnueabihf" || s.Origin("rm1").String() != "repo.json:4" {
		t.Errorf("rm1: %+v from %v", rm1, s.Origin("rm1"))
	}
}

// TestUserTargetErrors: every problem in the user's target files is
// reported at once, as file:line:col: field: message.
func TestUserTargetErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		srcs []Source
		want []string
	}{
		{"new target lacks fields", []Source{{File: "t/new.yaml", Data: []byte("targets:\n  rm3:\n    description: x\n    triplet: arm-linux-gnueabihf\n")}},
			[]string{`t/new.yaml:2:3: targets.rm3: field "debian_arch" is required`, `t/new.yaml:2:3: targets.rm3: field "formats" is required`,
				`t/new.yaml:2:3: targets.rm3: field "platform" is required`}},
		{"bad values", []Source{{File: "t/bad.yaml", Data: []byte("targets:\n  armv7:\n    platform: arm\n    suite: 11\n    colour: red\n")}},
			[]string{`t/bad.yaml:3:5: targets.armv7.platform: "arm" is not a Linux OCI platform (linux/arm/v7)`,
				`t/bad.yaml:4:5: targets.armv7.suite: expected string, found integer 11 (quote it in YAML)`,
				`t/bad.yaml:5:5: targets.armv7.colour: unknown field`}},
		{"bad name", []Source{{File: "t/name.cue", Data: []byte("targets: RM2: {extends: \"armv7\"}\n")}},
			[]string{`t/name.cue:1:10: targets.RM2: "RM2" is not a target name`}},
		{"unknown extends", []Source{{File: "t/ext.yaml", Data: []byte("targets:\n  rm2: {extends: sparc}\n")}},
			[]string{`t/ext.yaml:2:9: targets.rm2.extends: "sparc" is not a known target (known: aarch64, armv7, noarch, x86_64)`}},
		{"cycle", []Source{{File: "t/cycle.yaml", Data: []byte("targets:\n  a: {extends: b}\n  b: {extends: a}\n")}},
			[]string{`t/cycle.yaml:2:7: targets.a.extends: targets extend each other in a cycle: a -> b -> a`}},
		{"extends itself", []Source{{File: "t/self.yaml", Data: []byte("targets:\n  a: {extends: a}\n")}},
			[]string{`t/self.yaml:2:7: targets.a.extends: target "a" extends itself`}},
		{"defined twice", []Source{
			{File: "t/a.yaml", Data: []byte("targets:\n  rm2: {extends: armv7}\n")},
			{File: "t/b.cue", Data: []byte("\ntargets: rm2: extends: \"armv7\"\n")},
		}, []string{`t/b.cue:2:10: targets.rm2: target "rm2" is defined twice (also at t/a.yaml:2)`}},
		{"not a targets file", []Source{{File: "t/x.yaml", Data: []byte("targets: [armv7]\nname: x\n")}},
			[]string{`t/x.yaml:1:1: targets: expected mapping, found list`, `t/x.yaml:2:1: name: unknown field; a targets file holds "targets"`}},
		{"syntax", []Source{{File: "t/s.json", Data: []byte("{\"targets\": {\n")}},
			[]string{`t/s.json:1:14: invalid JSON: unexpected end of JSON input`}},
		{"repository file", []Source{{File: "repo.cue", Data: []byte("recipes: {}\ntargets: rm2: {extends: \"armv7\", qemu: 1}\n"), Recipes: true}},
			[]string{`repo.cue:2:34: targets.rm2.qemu: expected string, found integer 1`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.srcs...)
			if err == nil {
				t.Fatal("no error")
			}
			got := err.Error()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			if n := strings.Count(got, "\n") + 1; n != len(c.want) {
				t.Errorf("%d errors, want %d:\n%s", n, len(c.want), got)
			}
		})
	}
}

// TestUserTargetState: a repository's armv7 is a toolchain of its own,
// never the memoized state of kiln's armv7 of the same name.
func TestUserTargetState(t *testing.T) {
	s, err := Load(Source{File: "targets/boards.yaml", Data: []byte(boardsYAML)})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{AptMirror: "http://mirror.test/debian"}
	own, _ := Lookup("armv7")
	mine, _ := s.Lookup("armv7")
	for _, c := range []struct {
		tg            *Target
		want, without string
	}{
		{own, "library/debian:bookworm", "bullseye"},
		{mine, "library/debian:bullseye", "bookworm"},
	} {
		def, err := c.tg.State(o).Marshal(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var all string
		for _, dt := range def.Def {
			all += string(dt)
		}
		if !strings.Contains(all, c.want) || strings.Contains(all, c.without) {
			t.Errorf("%s from %s: toolchain does not start from %s alone", c.tg.Name, s.Origin(c.tg.Name), c.want)
		}
	}
	if got := strings.Join(s.BaseImages(o, []string{"armv7", "x86_64"}, nil), " "); got != "docker.io/library/debian:bookworm docker.io/library/debian:bullseye" {
		t.Errorf("BaseImages = %s", got)
	}
}

const familyYAML = `# a device family: rmall packages serve rm1 and rm2
targets:
  rmall:
    extends: armv7
    description: every reMarkable
    formats: {ipk: {arch: rmall}}
  rm1:
    extends: rmall
    description: reMarkable 1
    env: {CFLAGS: -mcpu=cortex-a9}
    formats: {ipk: {arch: rm1}}
  rm2:
    extends: rmall
    description: reMarkable 2
    libc: {name: glibc, version: "2.31"}
    formats: {ipk: {arch: rm2}}
  rm2dev:
    extends: rm2
    packages: [gcc-arm-linux-gnueabihf, gdb-multiarch]
`

// TestSharedToolchain: targets that differ only in what the toolchain
// does not depend on (architecture names, description, env, libc floor)
// share kiln's armv7 toolchain: the same LLB, labelled "toolchain armv7".
// A target with other packages has a toolchain of its own.
func TestSharedToolchain(t *testing.T) {
	s, err := Load(Source{File: "targets/family.yaml", Data: []byte(familyYAML)})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{AptMirror: "http://mirror.test/debian"}
	def := func(name string) (string, string) {
		tg, err := s.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		d, err := tg.State(o).Marshal(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var ops, names string
		for _, dt := range d.Def {
			ops += string(dt)
		}
		for _, md := range d.Metadata {
			names += md.Description["llb.customname"]
		}
		return ops, names
	}
	armv7, armv7Names := def("armv7")
	for _, n := range []string{"rmall", "rm1", "rm2"} {
		tg, _ := s.Lookup(n)
		if tg.Toolchain() != "armv7" {
			t.Errorf("%s: toolchain %q, want armv7", n, tg.Toolchain())
		}
		ops, names := def(n)
		if ops != armv7 {
			t.Errorf("%s: toolchain LLB differs from armv7's", n)
		}
		if names != armv7Names || !strings.Contains(names, "toolchain armv7: install") {
			t.Errorf("%s: toolchain vertex named %q", n, names)
		}
	}
	dev, _ := s.Lookup("rm2dev")
	if ops, names := def("rm2dev"); dev.Toolchain() != "rm2dev" || ops == armv7 || !strings.Contains(names, "toolchain rm2dev: install gcc-arm-linux-gnueabihf gdb-multiarch") {
		t.Errorf("rm2dev: toolchain %q, shared with armv7: %v, named %q", dev.Toolchain(), ops == armv7, names)
	}
	// A repository's armv7 on another suite is a toolchain of its own,
	// named armv7 too, shared by the rm2 that extends it.
	b, err := Load(Source{File: "targets/boards.yaml", Data: []byte(boardsYAML)})
	if err != nil {
		t.Fatal(err)
	}
	mine, _ := b.Lookup("armv7")
	rm2, _ := b.Lookup("rm2")
	if mine.Toolchain() != "armv7" || rm2.Toolchain() != "armv7" {
		t.Errorf("bullseye armv7, rm2: toolchains %q, %q", mine.Toolchain(), rm2.Toolchain())
	}
	x, _ := mine.State(o).Marshal(context.Background())
	y, _ := rm2.State(o).Marshal(context.Background())
	if x.Def[len(x.Def)-1] == nil || string(x.Def[len(x.Def)-1]) != string(y.Def[len(y.Def)-1]) {
		t.Error("rm2 does not share the repository's armv7 toolchain")
	}
}

// TestFamilies: a target's families serve it, and theirs in turn, nearest
// first; a family must be a known target other than itself whose packages
// run on the target's devices.
func TestFamilies(t *testing.T) {
	s, err := Load(Source{File: "targets/rm.yaml", Data: []byte(`targets:
  rmall: {extends: armv7, formats: {ipk: {arch: rmall}}}
  rmallos3: {extends: rmall, families: [rmall], formats: {ipk: {arch: rmallos3}}}
  rm2: {extends: rmall, families: [rmall], formats: {ipk: {arch: rm2}}}
  rm2os3: {extends: rm2, families: [rm2, rmallos3, noarch], formats: {ipk: {arch: rm2os3}}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"rmall": "", "rm2": "rmall", "rm2os3": "rm2 rmall rmallos3 noarch", "armv7": ""} {
		if got := strings.Join(s.Serving(name), " "); got != want {
			t.Errorf("Serving(%s) = %q, want %q", name, got, want)
		}
	}
	for _, c := range []struct{ name, src, want string }{
		{"unknown", "targets:\n  rm2:\n    extends: armv7\n    families: [rmall]\n",
			`t.yaml:4:16: targets.rm2.families.0: "rmall" is not a known target (known: aarch64, armv7, noarch, rm2, x86_64)`},
		{"itself", "targets:\n  rm2: {extends: armv7, families: [rm2]}\n",
			`t.yaml:2:36: targets.rm2.families.0: target "rm2" is its own family`},
		{"platform", "targets:\n  rm2: {extends: armv7, families: [noarch, aarch64]}\n",
			`t.yaml:2:44: targets.rm2.families.1: family aarch64 builds for linux/arm64, target rm2 for linux/arm/v7: its packages would not run there`},
		{"libc", "targets:\n  rm2:\n    extends: armv7\n    libc: {name: glibc, version: \"2.31\"}\n    families: [armv7]\n",
			`t.yaml:5:16: targets.rm2.families.0: family armv7 allows glibc 2.36, newer than target rm2's 2.31: its packages may not run there`},
		{"not a name", "targets:\n  rm2: {extends: armv7, families: [RM]}\n",
			`t.yaml:2:36: targets.rm2.families.0: "RM" is not a target name`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Source{File: "t.yaml", Data: []byte(c.src)})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}
