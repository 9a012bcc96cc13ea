package syspkg

import (
	"bytes"
	"crypto/x509"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// seedMeta is the seed's example metainfo as a value.
func seedMeta() *Meta {
	en := func(name, text string) []Description { return []Description{{Lang: "en", Name: name, Text: text}} }
	return &Meta{
		ID: "myproject",
		Description: []Description{
			{Lang: "en_US", Name: "My Project", Text: "English description\nanother line\nthird line"},
			{Lang: "en_GB", Name: "Me Project", Text: "British description"},
			{Lang: "de", Name: "Meine Projekt", Text: "Deutche Beschreibung"},
			{Lang: "es", Name: "Mi Proyecto", Text: "Español descripción"},
		},
		Version:    "1.0.1",
		Release:    "1.0-beta-rc",
		URL:        "https://github.com/myuser/myproject/archive/$VERSION-$ARCH.zip",
		Category:   "tools",
		Depends:    []string{"libc 1.0.0", "libx11 6.0.0"},
		Suggests:   []string{"libpng", "libjpeg 2.0.0"},
		License:    "MIT",
		EULA:       "https://github.com/myuser/myproject/raw/master/LICENSE",
		Homepage:   "https://myuser.github.io/myproject",
		Bugtracker: "https://github.com/myuser/myproject/issues",
		Screenshots: []string{
			"https://github.com/myuser/myproject/raw/master/docs/screen1.png",
			"https://github.com/myuser/myproject/raw/master/docs/screen2.png",
		},
		Postinst: &Postinst{
			Env: []EnvVar{
				{Name: "FEAT1", Type: "chk(disable,enable)", Desc: en("Some feature", "Adds X feature")},
				{Name: "CFLAGS", Type: "str(-ansi -Wall)", Desc: en("Compiler flags", "Specify gcc flags")},
				{Name: "LDFLAGS", Type: "str(-nostdlibs)", Desc: en("Linker flags", "Specify ld flags")},
				{Name: "MAKEJ", Type: "num(1,16,2)", Desc: en("Threads", "Number of threads")},
			},
			Commands: []string{
				"$SRCDIR/configure --with-cflags=$CFLAGS --with-ldflags=$LDFLAGS --$FEAT1-somefeature",
				"make -C $SRCDIR -j $MAKEJ all",
				"make -C $SRCDIR install",
			},
		},
		Payloads: []Payload{
			{"x86_64", 1234, 23456, "be82deeabe8f4a38cdd6d5b195c287f32f7287d6861ca591b88b180d29b87f78"},
			{"aarch64", 1245, 23567, "d4056f2ff1a01ac23cbed8ad767f61f421f60a4d54ffab14c724ce1bd7000d13"},
			{"riscv64", 1256, 23678, "c0e8b735574fbd2261b1c738c1949fb6f35aae38cc05ab6661c00eaf1add81a9"},
		},
		Files: []File{
			{128, "bin/myproject"},
			{256, "inc/myproject/myproject.h"},
			{256, "inc/myproject/myproject.hpp"},
			{512, "lib/libmyproject.so"},
		},
	}
}

func render(t testing.TB, m *Meta) string {
	t.Helper()
	data, err := Render(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestRenderGolden(t *testing.T) {
	full := seedMeta()
	full.Conflicts = []string{"otherproject"}
	full.Override = map[string]string{"src": "code", "bin": "build/cli", "inc": "code/headers", "lib": "build/so"}
	full.Description[0].Text += "\n<b>\"quoted\" & \\ tab\t</b>"
	packtest.Golden(t, "meta_seed", render(t, seedMeta()))
	packtest.Golden(t, "meta_full", render(t, full))
	packtest.Golden(t, "meta_minimal", render(t, &Meta{
		ID: "gui", Version: "1.0.0", Category: "tools",
		Description: []Description{{Lang: "en_US", Name: "Graphical desktop", Text: "Installs the entire graphical environment"}},
		Depends:     []string{"libc", "libx11"},
	}))
}

// TestParseSeed reads the seed's three examples, as printed there.
func TestParseSeed(t *testing.T) {
	read := func(name string) *Meta {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseMeta(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return m
	}
	if got, want := read("seed_example.json"), seedMeta(); !reflect.DeepEqual(got, want) {
		t.Errorf("seed example:\n got %+v\nwant %+v", got, want)
	}
	o := read("seed_override.json")
	if want := map[string]string{"bin": "build/cli", "lib": "build/so", "src": "code", "inc": "code/headers"}; !reflect.DeepEqual(o.Override, want) {
		t.Errorf("override = %v", o.Override)
	}
	g := read("seed_gui.json")
	if len(g.Depends) != 7 || g.Payloads != nil || g.Release != "" {
		t.Errorf("meta-package = %+v", g)
	}
}

func TestRenderParseRoundTrip(t *testing.T) {
	m := seedMeta()
	m.Override = map[string]string{"bin": "build/cli"}
	m.Conflicts = []string{"a", "b.c 1.2.3"}
	first := render(t, m)
	back, err := ParseMeta([]byte(first))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, m)
	}
	if second := render(t, back); second != first {
		t.Errorf("render of the parsed metainfo differs:\n%s", second)
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		`{ "id": "x", "conflits": [ "y" ] }`:                 "",
		`{ "id": "x", "colour": "red" }`:                     `line 1 column 24: unknown field "colour"`,
		`{ "id": "x",` + "\n" + ` "description": [ "en" ] }`: `line 2 column 19: expected { "lang", "name", "description" }`,
		`{ "payloads": [ { "x86_64", 1, 2 } ] }`:             `expected { "arch", compressed size, size, "sha256" }`,
		`{ "files": [ { 1.5, "bin/x" } ] }`:                  "expected a whole number, got 1.5",
		`{ "id": "x", "id": "y" }`:                           `field "id" repeated`,
		`{ "id": "x" } trailing`:                             "data after the metainfo object",
		`{ "id": "x`:                                         "unterminated string",
		`[ 1, 2 ]`:                                           "expected a metainfo object",
	} {
		m, err := ParseMeta([]byte(in))
		switch {
		case want == "" && err != nil:
			t.Errorf("ParseMeta(%s): %v", in, err)
		case want == "" && (len(m.Conflicts) != 1 || m.Conflicts[0] != "y"):
			t.Errorf("ParseMeta(%s): conflicts %v", in, m.Conflicts)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("ParseMeta(%s) error = %v, want %q", in, err, want)
		}
	}
}

func TestValidate(t *testing.T) {
	m := seedMeta()
	m.ID = "my project"
	m.Description = append(m.Description, Description{Lang: "english", Name: ""})
	m.Version = "1.0"
	m.Depends = append(m.Depends, "libc >= 2")
	m.Postinst.Env[0].Type = "bool()"
	m.Payloads[1].Arch = "x86_64"
	m.Override = map[string]string{"docs": "d"}
	_, err := Render(m)
	if err == nil {
		t.Fatal("Render accepted an invalid metainfo")
	}
	for _, want := range []string{
		`id "my project"`, `description[4]: language code "english"`, "description[4]: name is empty",
		`version "1.0": want major.featureset.patch`, `depends: "libc >= 2"`,
		`postinst.env[0]: type "bool()"`, `payloads[1]: arch "x86_64" is empty or repeated`,
		`override: "docs" is not a category`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestFromPackage(t *testing.T) {
	m, err := FromPackage(testPackage(), DefaultURL("https://example.org/pkgs/", "hello"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Meta{
		ID:          "hello",
		Description: []Description{{Lang: "en", Name: "Friendly greeter", Text: "Hello prints a friendly greeting.\nIt is an example."}},
		Version:     "1.2.0", Release: "1.2~beta1-3",
		URL:      "https://example.org/pkgs/hello-$VERSION-$ARCH.zip",
		Category: "tools", License: "MIT", Homepage: "https://example.org/hello",
		Depends: []string{"libc6 2.31.0", "zlib"}, Conflicts: []string{"hello-classic"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("FromPackage:\n got %+v\nwant %+v", m, want)
	}
	p := testPackage()
	p.Depends = []string{"display (<< 3.0) | rm2fb", "libfoo (= 1.0)"}
	p.Conflicts = []string{"old (>= 1.0)"}
	_, err = FromPackage(p, "", "tools")
	for _, w := range []string{"no alternatives", `"libfoo (= 1.0)": syspkg states only minimum versions`, `conflicts: "old (>= 1.0)"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("FromPackage error lacks %q: %v", w, err)
		}
	}
}

// TestIndex is the integrator's index step: two per-arch payloads made by
// Pack, scanned from their files, recorded in one metainfo, signed, and
// verified and parsed back.
func TestIndex(t *testing.T) {
	dir := t.TempDir()
	root := buildTree(t, testTree, packtest.Default)
	var scanned []*Scanned
	for _, arch := range []string{"x86_64", "aarch64"} {
		p := testPackage()
		p.Arch = arch
		data := packBytes(t, Format{}, p, root)
		file := filepath.Join(dir, Format{}.FileName(p))
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := ScanPayloadFile("hello", arch, file)
		if err != nil {
			t.Fatal(err)
		}
		if s.Payload.SHA256 != packtest.SHA256(data) || s.Payload.Compressed != int64(len(data)) {
			t.Errorf("%s: scanned %+v", arch, s.Payload)
		}
		scanned = append(scanned, s)
	}
	m, err := FromPackage(testPackage(), DefaultURL("https://example.org/pkgs", "hello"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Index(scanned...); err != nil {
		t.Fatal(err)
	}
	if err := m.Index(scanned[0], scanned[0]); err == nil {
		t.Error("Index accepted one arch twice")
	}
	_ = m.Index(scanned...)
	packtest.Golden(t, "meta_indexed", render(t, m))

	s := testSigner(t, "dev", "Jane Doe", sign.Developer)
	signed, err := Sign(m, s)
	if err != nil {
		t.Fatal(err)
	}
	packtest.Golden(t, "meta_signed", string(signed))
	got, err := VerifyMeta(signed, []*x509.Certificate{s.Cert}, verifyAt)
	if err != nil {
		t.Fatal(err)
	}
	if got.Maintainer != "Jane Doe" || !reflect.DeepEqual(got.Payloads, m.Payloads) || !reflect.DeepEqual(got.Files, m.Files) {
		t.Errorf("VerifyMeta = %+v", got)
	}
	if _, err := VerifyMeta(bytes.Replace(signed, []byte("x86_64"), []byte("x86-64"), 1), []*x509.Certificate{s.Cert}, verifyAt); err == nil {
		t.Error("VerifyMeta accepted a changed metainfo")
	}
}

func TestScanPayloadLayouts(t *testing.T) {
	zipOf := func(names ...string) *bytes.Reader {
		var items []item
		for _, n := range names {
			it := item{name: n, mode: 0o644, data: []byte("x")}
			if strings.HasSuffix(n, "/") {
				it = item{name: n, mode: fs.ModeDir | 0o755}
			}
			items = append(items, it)
		}
		var b bytes.Buffer
		if err := writeZip(&b, items, Store); err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b.Bytes())
	}
	scan := func(id string, r *bytes.Reader) (*Scanned, error) {
		return ScanPayload(id, "x86_64", r, r.Size())
	}
	flat := zipOf("usr/", "usr/x", "bin/y")
	if _, err := scan("hello", flat); err == nil || !strings.Contains(err.Error(), `usr/: top-level directory "usr" is not a category`) {
		t.Errorf("ScanPayload: %v", err)
	}
	if _, err := scan(BaseID, flat); err != nil {
		t.Errorf("ScanPayload(base): %v", err)
	}
	// A main directory, as in a code host's branch ZIP, is left out of
	// the file list.
	s, err := scan("hello", zipOf("hello-master/", "hello-master/bin/", "hello-master/bin/hello", "hello-master/shr/d"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 2 || s.Files[0].Name != "bin/hello" || s.Files[1].Name != "shr/d" || s.Payload.Size != 2 {
		t.Errorf("main directory: %+v", s)
	}
}

// verifyAt is a time at which the test certificates are valid.
var verifyAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// testSigner makes a certificate of kind from a fixed test key at a fixed
// time, so signed golden files are stable.
func testSigner(t testing.TB, key, name string, kind sign.Kind) *sign.Signer {
	t.Helper()
	k, err := os.ReadFile(filepath.Join("sign", "testdata", key+".test.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, _, err := sign.NewCert(kind, name, &sign.CertOptions{Key: k, Country: "HU", Now: time.Unix(packtest.Epoch, 0), Serial: big.NewInt(packtest.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewSigner(cert, k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
