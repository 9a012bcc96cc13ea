package syspkg

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// catalogPackages is a small repository: the seed's example, its
// meta-package, a library it depends on and an alternative providing a
// name ("cron.vixie" provides "cron").
func catalogPackages() []Meta {
	proj := seedMeta()
	proj.Maintainer = "Jane Doe"
	proj.Homepage = "https://example.org/$LANG/myproject"
	proj.Depends = []string{"libc 1.0.0", "cron", "libx11 6.0.0"}
	gui := Meta{
		ID: "gui", Version: "1.0.0", Category: "desktop",
		Description: []Description{{Lang: "en_US", Name: "Graphical desktop", Text: "Installs the entire graphical environment"}},
		Depends:     []string{"libc", "myproject"},
	}
	libc := Meta{
		ID: "libc", Version: "1.2.3", Category: "libs", URL: "https://example.org/libc-$VERSION-$ARCH.zip", License: "MIT",
		Description: []Description{{Lang: "en", Name: "C library", Text: "The C library"}, {Lang: "de", Name: "C-Bibliothek", Text: "Die C-Bibliothek"}},
		Payloads:    []Payload{{"x86_64", 1 << 20, 3<<20 + 5000, strings.Repeat("ab", 32)}, {"aarch64", 900, 2000, strings.Repeat("cd", 32)}},
		Maintainer:  "Libc Team",
	}
	cron := Meta{
		ID: "cron.vixie", Version: "4.1.0", Category: "tools", Conflicts: []string{"cron.cronie"},
		Description: []Description{{Lang: "en", Name: "Vixie cron", Text: "Runs jobs <at> times & dates"}},
	}
	// Not sorted: the catalog sorts.
	return []Meta{*proj, gui, libc, cron}
}

func catalogString(t *testing.T, pkgs []Meta, l Labels) string {
	t.Helper()
	var b bytes.Buffer
	if err := Catalog(&b, pkgs, l); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCatalogGolden(t *testing.T) {
	repo := testSigner(t, "repo", "Example Repo", sign.Repository).Cert
	en := catalogString(t, catalogPackages(), DefaultLabels(repo, "https://example.org/repolist.txt"))
	packtest.Golden(t, "catalog_en", en)

	de := catalogString(t, catalogPackages(), Labels{
		Lang: "de", Title: "Paketkatalog", URL: "https://example.org/repolist.txt",
		Repository: "Paketquelle", Search: "Suchen", PackageSize: "Paketgröße", InstalledSize: "Installierte Größe",
		Download: "Herunterladen", Homepage: "Webseite", Bugtracker: "Fehlerverfolgung", Maintainer: "Betreuer",
		License: "Lizenz", Depends: "Hängt ab von", Suggests: "Schlägt vor", Conflicts: "Kollidiert mit",
		Categories: map[string]string{"tools": "Werkzeuge", "libs": "Bibliotheken"},
	})
	packtest.Golden(t, "catalog_de", de)

	// Same input in another order: same page.
	pkgs := catalogPackages()
	pkgs[0], pkgs[3] = pkgs[3], pkgs[0]
	if again := catalogString(t, pkgs, DefaultLabels(repo, "https://example.org/repolist.txt")); again != en {
		t.Error("catalog depends on the order of the packages")
	}
}

func TestCatalogContent(t *testing.T) {
	page := catalogString(t, catalogPackages(), DefaultLabels(nil, ""))
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
	de := catalogString(t, catalogPackages(), Labels{Lang: "de_AT"})
	if !strings.Contains(de, "Die C-Bibliothek") || !strings.Contains(de, "Deutche Beschreibung") || !strings.Contains(de, "Graphical desktop") {
		t.Error("de_AT page does not pick German descriptions")
	}
	if !strings.Contains(de, `<a href="https://example.org/de/myproject">`) {
		t.Error("$LANG is not the shown description's language")
	}
}

func TestCatalogHostile(t *testing.T) {
	m := seedMeta()
	m.Homepage = "javascript:alert(1)"
	m.Description[0].Name = `</script><script>alert(1)</script>`
	page := catalogString(t, []Meta{*m}, Labels{Search: `"><img src=x>`})
	if strings.Contains(page, `href="javascript`) || strings.Contains(page, "<script>alert") || strings.Contains(page, "<img") {
		t.Errorf("catalog did not escape hostile metainfo:\n%s", page)
	}
	if err := Catalog(&bytes.Buffer{}, []Meta{*m, *m}, Labels{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate package: %v", err)
	}
	m.Version = "1"
	if err := Catalog(&bytes.Buffer{}, []Meta{*m}, Labels{}); err == nil || !strings.Contains(err.Error(), "want major.featureset.patch") {
		t.Errorf("invalid metainfo: %v", err)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRepoList(t *testing.T) {
	repo := testSigner(t, "repo", "Example Repo", sign.Repository)
	urls := []string{"https://example.org/hello.json", "https://example.org/gui.json"}
	signed, err := RepoList(urls, repo)
	if err != nil {
		t.Fatal(err)
	}
	packtest.Golden(t, "repolist", string(signed))

	for name, trusted := range map[string][]*x509.Certificate{"first use": nil, "trusted": {repo.Cert}} {
		r, err := ParseRepoList(signed, trusted, verifyAt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Join(r.URLs, " ") != strings.Join(urls, " ") || r.Cert.Subject.CommonName != "Example Repo" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	other := testSigner(t, "other", "Other Repo", sign.Repository)
	if _, err := ParseRepoList(signed, []*x509.Certificate{other.Cert}, verifyAt); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("untrusted repository: %v", err)
	}
	changed := bytes.Replace(signed, []byte("gui.json"), []byte("evil.json"), 1)
	if _, err := ParseRepoList(changed, nil, verifyAt); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("changed list: %v", err)
	}
	// A list signed by another repository than the certificate it carries.
	body, _, _, _ := sign.Split(signed)
	resigned, _ := other.Sign(body)
	if _, err := ParseRepoList(resigned, nil, verifyAt); err == nil || !strings.Contains(err.Error(), "not the one that signed it") {
		t.Errorf("list signed by another key: %v", err)
	}

	dev := testSigner(t, "dev", "Jane Doe", sign.Developer)
	if _, err := RepoList(urls, dev); err == nil || !strings.Contains(err.Error(), "not a repository certificate") {
		t.Errorf("developer signing a list: %v", err)
	}
	if _, err := RepoList([]string{"https://a/x.json", "ftp://a/y.json", "https://a/x.json", "https://a/ z"}, repo); err == nil ||
		!strings.Contains(err.Error(), `"ftp://a/y.json" is not an http(s) URL`) || !strings.Contains(err.Error(), "listed twice") ||
		!strings.Contains(err.Error(), `"https://a/ z"`) {
		t.Errorf("bad URLs: %v", err)
	}
}
