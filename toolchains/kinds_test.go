package toolchains

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

const kindsYAML = `# the three toolchain kinds
targets:
  rm2:                          # Toltec-style: an image with its own compiler
    extends: armv7
    description: reMarkable 2
    triplet: arm-remarkable-linux-gnueabihf   # a toolchain's four parts
    toolchain: image
    image: registry.test/toltec/toolchain:v3
    env:
      CC: /opt/x-tools/arm-remarkable-linux-gnueabihf/bin/arm-remarkable-linux-gnueabihf-gcc
      SYSROOT: /opt/x-tools/arm-remarkable-linux-gnueabihf/arm-remarkable-linux-gnueabihf/sysroot
    libc: {version: "2.31"}
    formats: {ipk: {arch: rm2}}
  rm2apt:                       # the same image with Debian packages on top
    extends: rm2
    packages: [cmake]
  ds-armv7:                     # Synology-style: an archive on a Debian base
    extends: armv7
    description: Synology armada370
    toolchain: archive
    archive:
      url: http://toolchains.test/dl/armada370-gcc.txz
      sha256: 4f2dab1111111111111111111111111111111111111111111111111111111111
      strip: 1
      dest: /opt/x-tools/arm-unknown-linux-gnueabi
      max_unpacked: 8589934592
    packages: [make, libmpc3]
    env: {CC: /opt/x-tools/arm-unknown-linux-gnueabi/bin/arm-unknown-linux-gnueabi-gcc}
    formats: {spk: {arch: armada370}}
`

// ops is every op of st's definition with its name, in order.
func ops(t *testing.T, tg *Target, o Options) (all []*pb.Op, names []string) {
	t.Helper()
	def, err := tg.State(o).Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		all = append(all, &op)
	}
	for _, md := range def.Metadata {
		if n := md.Description["llb.customname"]; n != "" {
			names = append(names, n)
		}
	}
	return all, names
}

// TestToolchainKinds: an image toolchain is its image with /sysroot and
// apt-get only for packages it lists; an archive toolchain is the Debian
// base with its packages, then the archive fetched pinned by sha256,
// unpacked and copied into dest. Neither inherits the Debian cross
// packages of the armv7 it extends; --base-image replaces the archive
// toolchain's base but never a toolchain image.
func TestToolchainKinds(t *testing.T) {
	s, err := Load(Source{File: "targets/kinds.yaml", Data: []byte(kindsYAML)})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{AptMirror: "http://mirror.test/debian", BaseImage: "registry.test/debian:bookworm"}
	lookup := func(n string) *Target {
		tg, err := s.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	rm2, rm2apt, ds := lookup("rm2"), lookup("rm2apt"), lookup("ds-armv7")
	if rm2.Kind != KindImage || len(rm2.Packages) != 0 || rm2.Suite != "bookworm" || rm2.Triplet != "arm-remarkable-linux-gnueabihf" || rm2.Qemu != "qemu-arm-static" {
		t.Errorf("rm2: %+v", rm2)
	}
	if ds.Kind != KindArchive || strings.Join(ds.Packages, " ") != "make libmpc3" || ds.Image != "docker.io/library/debian:bookworm" ||
		*ds.Archive != (Archive{URL: "http://toolchains.test/dl/armada370-gcc.txz", SHA256: "4f2dab" + strings.Repeat("1", 58), Strip: 1, Dest: "/opt/x-tools/arm-unknown-linux-gnueabi", MaxUnpacked: 8 << 30}) {
		t.Errorf("ds-armv7: %+v, archive %+v", ds, ds.Archive)
	}
	if ds.Env["STRIP"] != "arm-linux-gnueabihf-strip" || ds.Formats["ipk"].Arch != "armv7" {
		t.Errorf("ds-armv7 does not inherit armv7's env and formats: %+v", ds)
	}
	// The archive's own limit reaches the unpack step.
	dsOps, _ := ops(t, ds, o)
	limit := ""
	for _, op := range dsOps {
		if e := op.GetExec(); e != nil {
			for _, env := range e.Meta.Env {
				if v, ok := strings.CutPrefix(env, "LIMIT="); ok {
					limit = v
				}
			}
		}
	}
	if limit != "8589934592" {
		t.Errorf("the archive unpacks with LIMIT=%q, want its max_unpacked", limit)
	}
	for _, tg := range []*Target{rm2, rm2apt, ds} {
		if tg.Toolchain() != tg.Name {
			t.Errorf("%s builds in %s's toolchain", tg.Name, tg.Toolchain())
		}
	}

	// rm2: the image as it is, /sysroot made by a file op: no exec at all.
	all, names := ops(t, rm2, o)
	var images []string
	for _, op := range all {
		if src := op.GetSource(); src != nil {
			images = append(images, src.Identifier)
		}
		if op.GetExec() != nil {
			t.Errorf("rm2: toolchain runs %v", op.GetExec().Meta.Args)
		}
	}
	if strings.Join(images, " ") != "docker-image://registry.test/toltec/toolchain:v3" {
		t.Errorf("rm2: sources %v", images)
	}
	if strings.Join(names, " ") != "toolchain rm2: registry.test/toltec/toolchain:v3 with /sysroot" {
		t.Errorf("rm2: names %q", names)
	}
	// rm2apt: apt-get, on the same image, only for its own packages.
	_, names = ops(t, rm2apt, o)
	if strings.Join(names, " ") != "toolchain rm2apt: install cmake" {
		t.Errorf("rm2apt: names %q", names)
	}

	// ds-armv7: apt on the (replaced) base, then the archive.
	all, names = ops(t, ds, o)
	var http *pb.SourceOp
	var unpack, copyTo bool
	images = nil
	for _, op := range all {
		if src := op.GetSource(); src != nil {
			if strings.HasPrefix(src.Identifier, "http") {
				http = src
			} else {
				images = append(images, src.Identifier)
			}
		}
		if e := op.GetExec(); e != nil && strings.Contains(strings.Join(e.Meta.Env, " "), "ARCHIVE=/kiln/dl/armada370-gcc.txz") {
			unpack = strings.Contains(strings.Join(e.Meta.Env, " "), "STRIP=1")
		}
		if f := op.GetFile(); f != nil {
			for _, a := range f.Actions {
				if c := a.GetCopy(); c != nil && c.Dest == "/opt/x-tools/arm-unknown-linux-gnueabi/" {
					copyTo = true
				}
			}
		}
	}
	if http == nil || http.Identifier != "http://toolchains.test/dl/armada370-gcc.txz" ||
		http.Attrs["http.checksum"] != "sha256:4f2dab"+strings.Repeat("1", 58) || http.Attrs["http.filename"] != "armada370-gcc.txz" {
		t.Errorf("ds-armv7: archive source %+v", http)
	}
	if !unpack || !copyTo {
		t.Errorf("ds-armv7: unpacked with strip 1: %v, copied to dest: %v", unpack, copyTo)
	}
	if strings.Join(images, " ") != "docker-image://registry.test/debian:bookworm" {
		t.Errorf("ds-armv7: images %v, want the --base-image alone", images)
	}
	for _, w := range []string{
		"toolchain ds-armv7: install libmpc3 make",
		"toolchain ds-armv7: fetch http://toolchains.test/dl/armada370-gcc.txz",
		"toolchain ds-armv7: unpack armada370-gcc.txz (strip 1)",
		"toolchain ds-armv7: copy the files of armada370-gcc.txz to /opt/x-tools/arm-unknown-linux-gnueabi",
	} {
		if !strings.Contains(strings.Join(names, "\n"), w) {
			t.Errorf("ds-armv7: no vertex %q in %q", w, names)
		}
	}

	// Which images a client may replace: the toolchain image always.
	if got := strings.Join(s.BaseImages(o, []string{"rm2", "ds-armv7"}, nil), " "); got != "docker.io/library/debian:bookworm registry.test/debian:bookworm registry.test/toltec/toolchain:v3" {
		t.Errorf("BaseImages = %s", got)
	}

	// Another archive (sha256, dest) is another toolchain; the same one
	// under another name is shared.
	s2, err := Load(Source{File: "targets/kinds.yaml", Data: []byte(kindsYAML + `  ds-other: {extends: ds-armv7, archive: {dest: /opt/other}}
  ds-same: {extends: ds-armv7, formats: {spk: {arch: armada375}}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s2.Lookup("ds-other")
	same, _ := s2.Lookup("ds-same")
	if other.Toolchain() != "ds-other" || other.Archive.URL != ds.Archive.URL || other.Archive.Dest != "/opt/other" || same.Toolchain() != "ds-armv7" {
		t.Errorf("ds-other builds in %s (archive %+v), ds-same in %s", other.Toolchain(), other.Archive, same.Toolchain())
	}
}

// TestToolchainKindErrors: a toolchain kind's fields are checked where
// the user wrote them.
func TestToolchainKindErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"no sha256", "targets:\n  ds:\n    extends: armv7\n    toolchain: archive\n    archive: {url: http://x.test/t.txz}\n",
			`t.yaml:5:5: targets.ds.archive: field "sha256" is required: a toolchain archive is pinned by its checksum`},
		{"no archive", "targets:\n  ds:\n    extends: armv7\n    toolchain: archive\n",
			`t.yaml:2:3: targets.ds: field "archive" is required: an archive toolchain names its archive (url, sha256)`},
		{"no image", "targets:\n  rm2:\n    extends: armv7\n    toolchain: image\n",
			`t.yaml:2:3: targets.rm2: field "image" is required: an image toolchain names its image`},
		{"archive of a debian toolchain", "targets:\n  ds:\n    extends: armv7\n    archive: {url: http://x.test/t.txz}\n",
			`t.yaml:4:5: targets.ds.archive: only archive toolchains (toolchain: archive) have an archive`},
		{"unknown kind", "targets:\n  rm2:\n    extends: armv7\n    toolchain: docker\n",
			`t.yaml:4:5: targets.rm2.toolchain: "docker" is not a toolchain kind: debian, image, archive or emulated`},
		{"bad sha256", "targets:\n  ds:\n    extends: armv7\n    toolchain: archive\n    archive: {url: http://x.test/t.txz, sha256: abc}\n",
			`t.yaml:5:41: targets.ds.archive.sha256: "abc" is not a sha256 checksum (64 lowercase hex digits)`},
		{"relative dest", "targets:\n  ds:\n    extends: armv7\n    toolchain: archive\n    archive: {url: http://x.test/t.txz, sha256: " + strings.Repeat("a", 64) + ", dest: opt}\n",
			`targets.ds.archive.dest: "opt" is not an absolute path`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Source{File: "t.yaml", Data: []byte(c.src)})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

// TestEmulatedToolchain: an emulated target extending aarch64 pulls the
// Debian base for linux/arm64 and installs Debian's native compiler there
// (not the cross packages it would inherit), every exec on it runs as
// arm64, and build:NAME:target packages lose the qualifier (no
// dpkg --add-architecture of the native architecture).
func TestEmulatedToolchain(t *testing.T) {
	s, err := Load(Source{File: "targets/emu.yaml", Data: []byte("targets:\n  aarch64-emu:\n    extends: aarch64\n    toolchain: emulated\n")})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := s.Lookup("aarch64-emu")
	if err != nil {
		t.Fatal(err)
	}
	if tg.Kind != KindEmulated || tg.Image != "docker.io/library/debian:bookworm" || tg.Env["CC"] != "aarch64-linux-gnu-gcc" {
		t.Fatalf("aarch64-emu: %+v", tg)
	}
	if got := strings.Join(tg.Packages, " "); got != "make pkg-config file patch gcc g++ libc6-dev binutils" {
		t.Errorf("packages %q, want the native compiler", got)
	}
	o := Options{AptMirror: "http://mirror.test/debian"}
	def, err := tg.For(o, "", []string{"zlib1g-dev:arm64", "cmake"}).Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var execs []string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if src := op.GetSource(); src != nil && src.Identifier != "docker-image://docker.io/library/debian:bookworm" {
			t.Errorf("source %s", src.Identifier)
		}
		if e := op.GetExec(); e != nil {
			if op.Platform == nil || op.Platform.Architecture != "arm64" {
				t.Errorf("exec %q runs on %v, want arm64", e.Meta.Args, op.Platform)
			}
			execs = append(execs, strings.Join(e.Meta.Args, " "))
		}
	}
	all := strings.Join(execs, "\n")
	if len(execs) != 2 || !strings.HasSuffix(execs[1], " apt-install cmake zlib1g-dev") ||
		!strings.HasSuffix(execs[0], " apt-install binutils file g++ gcc libc6-dev make patch pkg-config") {
		t.Errorf("execs:\n%s", all)
	}
}

// TestTargetMultiarch: a Debian target whose own packages include the
// device's (qtbase5-dev:armhf, as a Toltec qt image target lists) has
// dpkg take that architecture (the install runs on that step); armv7 itself,
// whose packages are all the host's, does not.
func TestTargetMultiarch(t *testing.T) {
	s, err := Load(Source{File: "targets/qt.yaml", Data: []byte("targets:\n  armv7-qt:\n    extends: armv7\n    packages: [gcc-arm-linux-gnueabihf, qtbase5-dev:armhf]\n")})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{AptMirror: "http://mirror.test/debian"}
	for name, want := range map[string]bool{"armv7-qt": true, "armv7": false} {
		tg, err := s.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		_, names := ops(t, tg, o)
		all := strings.Join(names, "\n")
		if got := strings.Contains(all, ": enable armhf packages"); got != want || !strings.Contains(all, ": install ") {
			t.Errorf("%s: steps\n%s\nwant dpkg --add-architecture armhf: %v", name, all, want)
		}
	}
}
