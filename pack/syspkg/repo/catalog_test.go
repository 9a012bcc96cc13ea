package repo

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// catalogPackages is a small repository: the seed's example, its
// meta-package, a library it depends on and an alternative providing a
// name ("cron.vixie" provides "cron").
func catalogPackages(t testing.TB) []syspkg.Meta {
	proj := seedMeta(t)
	proj.Maintainer = "Jane Doe"
	proj.Homepage = "https://example.org/$LANG/myproject"
	proj.Depends = []string{"libc 1.0.0", "cron", "libx11 6.0.0"}
	gui := syspkg.Meta{
		ID: "gui", Version: "1.0.0", Category: "desktop",
		Description: []syspkg.Description{{Lang: "en_US", Name: "Graphical desktop", Text: "Installs the entire graphical environment"}},
		Depends:     []string{"libc", "myproject"},
	}
	libc := syspkg.Meta{
		ID: "libc", Version: "1.2.3", Category: "libs", URL: "https://example.org/libc-$VERSION-$ARCH.zip", License: "MIT",
		Description: []syspkg.Description{{Lang: "en", Name: "C library", Text: "The C library"}, {Lang: "de", Name: "C-Bibliothek", Text: "Die C-Bibliothek"}},
		Payloads: []syspkg.Payload{
			{Arch: "x86_64", Compressed: 1 << 20, Size: 3<<20 + 5000, SHA256: strings.Repeat("ab", 32)},
			{Arch: "aarch64", Compressed: 900, Size: 2000, SHA256: strings.Repeat("cd", 32)},
		},
		Maintainer: "Libc Team",
	}
	cron := syspkg.Meta{
		ID: "cron.vixie", Version: "4.1.0", Category: "tools", Conflicts: []string{"cron.cronie"},
		Description: []syspkg.Description{{Lang: "en", Name: "Vixie cron", Text: "Runs jobs <at> times & dates"}},
	}
	// Not sorted: the catalog sorts.
	return []syspkg.Meta{*proj, gui, libc, cron}
}

func catalogString(t *testing.T, pkgs []syspkg.Meta, l Labels) string {
	t.Helper()
	var b bytes.Buffer
	if err := Catalog(&b, pkgs, l); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCatalogGolden(t *testing.T) {
	repo := testSigner(t, "repo", "Example Repo", sign.Repository).Cert
	en := catalogString(t, catalogPackages(t), DefaultLabels(repo, "https://example.org/repolist.txt"))
	packtest.Golden(t, "catalog_en", en)

	de := catalogString(t, catalogPackages(t), Labels{
		Lang: "de", Title: "Paketkatalog", URL: "https://example.org/repolist.txt",
		Repository: "Paketquelle", Search: "Suchen", PackageSize: "Paketgröße", InstalledSize: "Installierte Größe",
		Download: "Herunterladen", Homepage: "Webseite", Bugtracker: "Fehlerverfolgung", Maintainer: "Betreuer",
		License: "Lizenz", Depends: "Hängt ab von", Suggests: "Schlägt vor", Conflicts: "Kollidiert mit",
		Categories: map[string]string{"tools": "Werkzeuge", "libs": "Bibliotheken"},
	})
	packtest.Golden(t, "catalog_de", de)

	// Same input in another order: same page.
	pkgs := catalogPackages(t)
	pkgs[0], pkgs[3] = pkgs[3], pkgs[0]
	if again := catalogString(t, pkgs, DefaultLabels(repo, "https://example.org/repolist.txt")); again != en {
		t.Error("catalog depends on the order of the packages")
	}
}

func TestCatalogContent(t *testing.T) {
	page := catalogString(t, catalogPackages(t), DefaultLabels(nil, ""))
	for _, want := range []string{
		"<title>Packages</title>",
		`placeholder="Search"`,
		`<a href="https://github.com/myuser/myproject/archive/1.0.1-x86_64.zip">x86_64</a>`,
		`<a href="https://example.org/libc-1.2.3-aarch64.zip">aarch64</a>`,
		"<div>1.0 MiB</div>", "<div>3.0 MiB</div>", "<div>900 B</div>",
		// The first description is English: $LANG is "en".
		`<a href="https://example.org/en/myproject">`,
		// Dependencies link to listed packages, names to their provider.
		`<a href="#pkg-libc">libc</a> 1.0.0, <a href="#pkg-cron.vixie">cron</a>, libx11 6.0.0`,
		"Runs jobs &lt;at&gt; times &amp; dates",
		"<dt>Maintainer</dt><dd>Jane Doe</dd>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("catalog lacks %q", want)
		}
	}
	for _, bad := range []string{"<link", " src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("catalog refers to an external asset: %q", bad)
		}
	}
	// German page: German descriptions where there are, first otherwise.
	de := catalogString(t, catalogPackages(t), Labels{Lang: "de_AT"})
	if !strings.Contains(de, "Die C-Bibliothek") || !strings.Contains(de, "Deutche Beschreibung") || !strings.Contains(de, "Graphical desktop") {
		t.Error("de_AT page does not pick German descriptions")
	}
	if !strings.Contains(de, `<a href="https://example.org/de/myproject">`) {
		t.Error("$LANG is not the shown description's language")
	}
}

func TestCatalogHostile(t *testing.T) {
	m := seedMeta(t)
	m.Homepage = "javascript:alert(1)"
	m.Description[0].Name = `</script><script>alert(1)</script>`
	page := catalogString(t, []syspkg.Meta{*m}, Labels{Search: `"><img src=x>`})
	if strings.Contains(page, `href="javascript`) || strings.Contains(page, "<script>alert") || strings.Contains(page, "<img") {
		t.Errorf("catalog did not escape hostile metainfo:\n%s", page)
	}
	if err := Catalog(&bytes.Buffer{}, []syspkg.Meta{*m, *m}, Labels{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate package: %v", err)
	}
	m.Version = "1"
	if err := Catalog(&bytes.Buffer{}, []syspkg.Meta{*m}, Labels{}); err == nil || !strings.Contains(err.Error(), "want major.featureset.patch") {
		t.Errorf("invalid metainfo: %v", err)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
