package spk

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

func minimalPackage() *pack.Package {
	return &pack.Package{
		Name: "hello", Version: "1.0-1", Arch: "x86_64",
		Maintainer: "Jane Doe <jane@example.org>", Summary: "Friendly greeter",
		Epoch: packtest.Epoch,
	}
}

func fullPackage() *pack.Package {
	return &pack.Package{
		Name:        "hello",
		Version:     "1:1.2.0-3",
		Arch:        "x86_64",
		Maintainer:  "Jane Doe <jane@example.org>",
		Summary:     "Friendly greeter",
		Description: "Hello prints a friendly greeting.\nIt is a test package.\n",
		License:     "MIT",
		Homepage:    "https://example.org/hello",
		Scripts:     map[string]string{"preinst": "#!/bin/sh\necho checking\n"},
		Epoch:       packtest.Epoch,
	}
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// fullOptions sets every option (icons aside, which need files).
func fullOptions(p *pack.Package) Options {
	o := DefaultOptions(p)
	o.DisplayName = `Hello "World"`
	o.Description = `Hello prints a friendly greeting, in "quotes" & <b>bold</b>.`
	o.Descriptions = map[string]string{"ger": "Hallo grüßt freundlich.", "fre": "Hello salue « poliment »."}
	o.MaintainerURL = "https://example.org/jane"
	o.Distributor = "Kiln Builders"
	o.DistributorURL = "https://example.org"
	o.Arch = ArchList{"apollolake", "denverton", "geminilake"}
	o.OSMinVer = "7.0-41890"
	o.OSMaxVer = "7.2-72806"
	o.Beta, o.ThirdParty = yes(), yes()
	o.SilentInstall, o.SilentUpgrade, o.SilentUninstall = yes(), yes(), no()
	o.Startable, o.CtlStop, o.CheckPort = yes(), yes(), no()
	o.InstallDepPackages = []string{"WebStation", "PHP7.4>=7.4.0-0001"}
	o.InstallConflictPackages = []string{"hello-classic"}
	o.SupportURL = "https://example.org/hello/support"
	o.ReportURL = "https://example.org/hello/issues"
	o.Changelog = "Fixed the greeting.<br>Added --name."
	o.DSMUIDir = "ui"
	o.DSMAppName = "com.example.hello"
	o.AdminProtocol, o.AdminPort, o.AdminURL = "https", 8443, "/hello/"
	o.Privilege = json.RawMessage(`{"username": "hello", "defaults": {"run-as": "package"}, "groupname": "hello"}`)
	o.Resource = json.RawMessage(`{"port-config": {"protocol-file": "ui/hello.sc"}}`)
	o.Scripts["postinst"] = "#!/bin/sh\necho installed >\"$SYNOPKG_TEMP_LOGFILE\"\n"
	return o
}

func TestInfoGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *pack.Package
		o    func(*pack.Package) Options
	}{
		{"info_minimal", minimalPackage(), DefaultOptions},
		{"info_full", fullPackage(), fullOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Info(tc.p, tc.o(tc.p), 1234, "0123456789abcdef0123456789abcdef")
			if err != nil {
				t.Fatal(err)
			}
			packtest.Golden(t, tc.name, string(info))
		})
	}
}

func TestInfoDefaults(t *testing.T) {
	p := minimalPackage()
	p.Summary = ""
	p.Description = "Hello prints\n  a greeting.\n"
	p.Homepage = "https://example.org"
	info, err := Info(p, DefaultOptions(p), 4, "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`description="Hello prints a greeting."`, // no summary: the description, on one line
		`helpurl="https://example.org"`,
		`os_min_ver="7.0-40000"`,
		`arch="x86_64"`,
	} {
		if !strings.Contains(string(info), want+"\n") {
			t.Errorf("INFO lacks %s:\n%s", want, info)
		}
	}
	if strings.Contains(string(info), "create_time") {
		t.Error("INFO has create_time")
	}
}

// DSM 6 reads conf/ only with support_conf_folder="yes"; DSM 7 always does.
func TestSupportConfFolder(t *testing.T) {
	p := minimalPackage()
	o := DefaultOptions(p)
	o.Resource = json.RawMessage(`{"usr-local-linker": {"bin": ["bin/hello"]}}`)
	for osMin, want := range map[string]bool{"6.2-25556": true, "7.0-40000": false} {
		o.OSMinVer = osMin
		info, err := Info(p, o, 0, "x")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(info), "support_conf_folder=\"yes\"\n"); got != want {
			t.Errorf("os_min_ver %s: support_conf_folder written = %v, want %v\n%s", osMin, got, want, info)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"1.0", "1.0", ""},
		{"1.0-1", "1.0-1", ""},
		{"1:1.2.0-3", "1.2.0-3", ""}, // epoch dropped
		{"12:2.0_1-0004", "2.0_1-0004", ""},
		{"3.6-3263", "3.6-3263", ""},
		{"1:1.2.0~beta1-3", "", `"1.2.0~beta1-3"`},
		{"1.2.0+dfsg-1", "", "numbers separated"},
		{"1.0a", "", "numbers separated"},
		{"1.2.3-0ubuntu1", "", "numbers separated"},
		{"1.2147483648", "", "2^31-1"},
		{"1.2147483647", "1.2147483647", ""},
		{"2.0:1", "", "numbers separated"}, // only a leading epoch is one
		{"", "", "numbers separated"},
	} {
		got, err := Version(tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("Version(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "formats.spk.version") {
			t.Errorf("Version(%q) = %q, %v; want an error containing %q and naming formats.spk.version", tc.in, got, err, tc.err)
		}
	}
}

func TestVersionOverride(t *testing.T) {
	p := minimalPackage()
	p.Version = "1:1.2.0~beta1-3"
	o := DefaultOptions(p)
	if err := Validate(p, o); err == nil {
		t.Fatal("pre-release version accepted without formats.spk.version")
	}
	o.Version = "1.1.99-0003"
	info, err := Info(p, o, 0, "x")
	if err != nil || !strings.Contains(string(info), "version=\"1.1.99-0003\"\n") {
		t.Errorf("override: %v\n%s", err, info)
	}
	o.Version = "1.2.0-beta"
	if err := Validate(p, o); err == nil || !strings.Contains(err.Error(), "formats.spk.version") {
		t.Errorf("invalid override: %v", err)
	}
}

func TestValidateErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(p *pack.Package, o *Options)
		want   []string
	}{
		{"colon in identity", func(p *pack.Package, o *Options) { o.Package = "hello:world" }, []string{`identity "hello:world"`, "':'"}},
		{"slash in identity", func(p *pack.Package, o *Options) { o.Package = "a/b" }, []string{`identity "a/b"`}},
		{"space in identity", func(p *pack.Package, o *Options) { o.Package = "hello world" }, []string{`identity "hello world"`}},
		{"empty identity", func(p *pack.Package, o *Options) { o.Package = "" }, []string{`identity ""`}},
		{"empty version", func(p *pack.Package, o *Options) { p.Version = "" }, []string{"version is empty"}},
		{"empty arch", func(p *pack.Package, o *Options) { p.Arch = "" }, []string{"arch is empty"}},
		{"unknown arch", func(p *pack.Package, o *Options) { p.Arch = "riscv64" }, []string{`unknown Synology arch "riscv64"`, "noarch", "armv8", "apollolake"}},
		{"noarch with others", func(p *pack.Package, o *Options) { o.Arch = ArchList{"noarch", "x86_64"} }, []string{"noarch cannot be combined"}},
		{"empty description", func(p *pack.Package, o *Options) { o.Description = " " }, []string{"description is required"}},
		{"empty maintainer", func(p *pack.Package, o *Options) { o.Maintainer = "" }, []string{"maintainer is required"}},
		{"newline in description", func(p *pack.Package, o *Options) { o.Description = "a\nb" }, []string{"description", "line break"}},
		{"newline in displayname", func(p *pack.Package, o *Options) { o.DisplayName = "a\r\nb" }, []string{"displayname", "line break"}},
		{"dollar in description", func(p *pack.Package, o *Options) { o.Description = "costs $HOME" }, []string{"description", `'$'`}},
		{"backquote in changelog", func(p *pack.Package, o *Options) { o.Changelog = "`id`" }, []string{"changelog", "'`'"}},
		{"backslash in helpurl", func(p *pack.Package, o *Options) { o.HelpURL = `a\b` }, []string{"helpurl", `'\\'`}},
		{"control character", func(p *pack.Package, o *Options) { o.Maintainer = "a\x00b" }, []string{"maintainer", "control character"}},
		{"bad os_min_ver", func(p *pack.Package, o *Options) { o.OSMinVer = "7.0" }, []string{`os_min_ver "7.0"`}},
		{"os_min_ver below DSM 7", func(p *pack.Package, o *Options) { o.OSMinVer = "7.0-1000" }, []string{"at least 7.0-40000"}},
		{"os_max_ver below min", func(p *pack.Package, o *Options) { o.OSMaxVer = "6.2-25556" }, []string{"below os_min_ver"}},
		{"bad dependency", func(p *pack.Package, o *Options) { o.InstallDepPackages = []string{"a:b"} }, []string{`install_dep_packages entry "a:b"`}},
		{"bad conflict", func(p *pack.Package, o *Options) { o.InstallConflictPackages = []string{""} }, []string{`install_conflict_packages entry ""`}},
		{"bad protocol", func(p *pack.Package, o *Options) { o.AdminProtocol = "ftp" }, []string{`adminprotocol "ftp"`}},
		{"bad language", func(p *pack.Package, o *Options) { o.Descriptions = map[string]string{"de_DE": "x"} }, []string{`"de_DE" is not a Synology language code`}},
		{"dollar in translation", func(p *pack.Package, o *Options) { o.Descriptions = map[string]string{"ger": "$x"} }, []string{"description_ger", `'$'`}},
		{"bad port", func(p *pack.Package, o *Options) { o.AdminPort = 70000 }, []string{"adminport 70000"}},
		{"absolute dsmuidir", func(p *pack.Package, o *Options) { o.DSMUIDir = "/ui" }, []string{`dsmuidir "/ui"`}},
		{"unknown script", func(p *pack.Package, o *Options) { o.Scripts["postrm"] = "#!/bin/sh\n" }, []string{`unknown spk script "postrm"`, "preuninst"}},
		{"script without interpreter", func(p *pack.Package, o *Options) { o.Scripts["postinst"] = "echo hi\n" }, []string{"script postinst", "#!"}},
		{"privilege not an object", func(p *pack.Package, o *Options) { o.Privilege = json.RawMessage(`[1]`) }, []string{"privilege", "JSON object"}},
		{"privilege run-as system", func(p *pack.Package, o *Options) {
			o.Privilege = json.RawMessage(`{"defaults": {"run-as": "system"}}`)
		}, []string{"privilege", `"run-as": "package"`}},
		{"resource not JSON", func(p *pack.Package, o *Options) { o.Resource = json.RawMessage(`{`) }, []string{"resource", "JSON object"}},
		{"negative epoch", func(p *pack.Package, o *Options) { p.Epoch = -1 }, []string{"epoch -1"}},
		{"all at once", func(p *pack.Package, o *Options) { o.Package = "a=b"; p.Version = "x"; p.Arch = "mips" },
			[]string{`identity "a=b"`, `version "x"`, `"mips"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := fullPackage()
			o := DefaultOptions(p)
			tc.change(p, &o)
			err := Validate(p, o)
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if _, err := Info(p, o, 0, ""); err == nil {
				t.Error("Info succeeded on an invalid package")
			}
		})
	}
	if err := Validate(nil, Options{}); err == nil {
		t.Error("Validate(nil) succeeded")
	}
	// DSM 6 packages may still run as system; only DSM 7 forbids it.
	p := fullPackage()
	o := DefaultOptions(p)
	o.OSMinVer = "6.2-25556"
	o.Privilege = json.RawMessage(`{"defaults": {"run-as": "system"}}`)
	if err := Validate(p, o); err != nil {
		t.Errorf("DSM 6 run-as system: %v", err)
	}
}

func TestDecodeOptions(t *testing.T) {
	p := fullPackage()
	for _, raw := range []string{"", "  ", "null"} {
		o, err := decodeOptions([]byte(raw), p)
		if err != nil {
			t.Fatalf("decodeOptions(%q): %v", raw, err)
		}
		if o.Package != "hello" || o.OSMinVer != DefaultOSMinVer || o.HelpURL != p.Homepage || o.Scripts["preinst"] == "" {
			t.Errorf("decodeOptions(%q) = %+v, want the defaults", raw, o)
		}
	}

	o, err := decodeOptions([]byte(`{
		"displayname": "Hello",
		"arch": "x86_64 aarch64",
		"beta": true,
		"adminport": 8080,
		"privilege": {"defaults": {"run-as": "package"}},
		"scripts": {"postinst": "#!/bin/sh\nexit 0\n"}
	}`), p)
	if err != nil {
		t.Fatal(err)
	}
	if o.DisplayName != "Hello" || o.Beta == nil || !*o.Beta || o.AdminPort != 8080 || o.Maintainer != p.Maintainer {
		t.Errorf("decoded %+v", o)
	}
	if strings.Join(o.Arch, ",") != "x86_64,aarch64" {
		t.Errorf("arch string decoded as %q", o.Arch)
	}
	// Recipe scripts join the package's own.
	if o.Scripts["preinst"] == "" || o.Scripts["postinst"] == "" {
		t.Errorf("scripts %v", o.Scripts)
	}
	if p.Scripts["postinst"] != "" {
		t.Error("decodeOptions modified the package's scripts")
	}
	if err := Validate(p, o); err != nil {
		t.Errorf("Validate(decoded) = %v", err)
	}

	o, err = decodeOptions([]byte(`{"arch": ["noarch"]}`), p)
	if err != nil || strings.Join(o.Arch, ",") != "noarch" {
		t.Errorf("arch list: %q, %v", o.Arch, err)
	}

	for raw, want := range map[string]string{
		`{"displayname": "x", "dispalyname": "y"}`: `unknown option "dispalyname" (did you mean "displayname"?)`,
		`{"arch": 5}`:          "arch must be a string or a list",
		`{"beta": "yes"}`:      "beta",
		`{"adminport": "80"}`:  "adminport",
		`{"package": "x"} {}`:  "unexpected data",
		`[]`:                   "cannot unmarshal array",
		`{"displayname": "x",`: "unexpected EOF",
	} {
		if _, err := decodeOptions([]byte(raw), p); err == nil || !strings.Contains(err.Error(), want) ||
			!strings.Contains(err.Error(), "formats.spk") {
			t.Errorf("decodeOptions(%s) = %v, want an error about formats.spk containing %q", raw, err, want)
		}
	}
}

func TestCanonicalConf(t *testing.T) {
	p := fullPackage()
	o := fullOptions(p)
	s, err := resolve(p, o)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"defaults\": {\n    \"run-as\": \"package\"\n  },\n  \"groupname\": \"hello\",\n  \"username\": \"hello\"\n}\n"
	if got := string(s.conf["privilege"]); got != want {
		t.Errorf("privilege:\n%s\nwant\n%s", got, want)
	}
	// Numbers and HTML characters are kept as written.
	data, _, err := canonicalJSON([]byte(`{"b": 12345678901234567890, "a": "<x>&"}`))
	if err != nil || string(data) != "{\n  \"a\": \"<x>&\",\n  \"b\": 12345678901234567890\n}\n" {
		t.Errorf("canonicalJSON = %s, %v", data, err)
	}
}

func TestDefaultPrivilege(t *testing.T) {
	p := minimalPackage()
	o := DefaultOptions(p)
	s, err := resolve(p, o)
	if err != nil {
		t.Fatal(err)
	}
	if string(s.conf["privilege"]) != defaultPrivilege {
		t.Errorf("DSM 7 default privilege = %q", s.conf["privilege"])
	}
	if _, _, err := canonicalJSON([]byte(defaultPrivilege)); err != nil {
		t.Errorf("default privilege is not JSON: %v", err)
	}
	o.OSMinVer = "6.2-25556"
	if s, err = resolve(p, o); err != nil || len(s.conf) != 0 {
		t.Errorf("DSM 6 without privilege: conf %v, %v; want none", s.conf, err)
	}
}
