package repo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

func TestReadDir(t *testing.T) {
	dir, repo, _ := repoDir(t)
	// A kiln build's SBOMs and provenance beside the payloads are not metainfo.
	for _, n := range []string{"hello-1.0-x86_64.zip.spdx.json", "provenance.intoto.json", "provenance.intoto.dsse.json"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := DirOptions{BaseURL: "https://example.org/repo/", Repo: repo.Cert, At: verifyAt}
	entries, err := ReadDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].URL != "https://example.org/repo/hello%20pkg.json" || entries[0].Meta.Maintainer != "Jane Doe" {
		t.Fatalf("entries = %+v", entries)
	}
	// The list and catalog come from what was read.
	list, err := SignList(URLs(entries), repo)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseList(list, nil, verifyAt)
	if err != nil || len(r.URLs) != 1 {
		t.Fatalf("ParseList = %+v, %v", r, err)
	}
	var page strings.Builder
	if err := Catalog(&page, Metas(entries), DefaultLabels(repo.Cert, "")); err != nil {
		t.Fatal(err)
	}

	// Payloads served elsewhere are not looked for in the directory.
	opts.BaseURL = "https://mirror.example.net/"
	if _, err := ReadDir(dir, opts); err != nil {
		t.Errorf("payloads under another URL: %v", err)
	}
	opts.BaseURL = "https://example.org/repo"

	for _, tc := range []struct {
		name    string
		change  func(t *testing.T, o *DirOptions)
		wantErr string
	}{
		{"other repository", func(t *testing.T, o *DirOptions) {
			o.Repo = testSigner(t, "other", "Other Repo", sign.Repository).Cert
		}, `hello pkg.json: metainfo: certificate "Jane Doe" is not trusted`},
		{"developer as repository", func(t *testing.T, o *DirOptions) {
			o.Repo = testSigner(t, "dev", "Jane Doe", sign.Developer).Cert
		}, "no repository certificate"},
		{"expired", func(t *testing.T, o *DirOptions) { o.At = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC) }, "not trusted"},
		{"bad URL", func(t *testing.T, o *DirOptions) { o.BaseURL = "example.org/repo" }, "not an http(s) URL"},
		{"missing dir", func(t *testing.T, o *DirOptions) {}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			tc.change(t, &o)
			d := dir
			if tc.wantErr == "" {
				d, tc.wantErr = filepath.Join(dir, "nope"), "no such file"
			}
			if _, err := ReadDir(d, o); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadDirPayloadChecks(t *testing.T) {
	dir, repo, dev := repoDir(t)
	opts := DirOptions{BaseURL: "https://example.org/repo", Repo: repo.Cert, At: verifyAt}
	m := &syspkg.Meta{ID: "evil", Version: "1.0.0", Category: "tools", URL: "https://example.org/repo/../secret-$ARCH.zip",
		Description: []syspkg.Description{{Lang: "en", Name: "Evil", Text: "x"}},
		Payloads:    []syspkg.Payload{{Arch: "x86_64", Compressed: 1, Size: 1, SHA256: strings.Repeat("0", 64)}}}
	writeSigned(t, filepath.Join(dir, "evil.json"), m, dev)
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{ \"id\": \"x\",\n  \"bogus\": 1 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadDir(dir, opts)
	for _, want := range []string{
		`evil.json: payload x86_64: URL path "../secret-x86_64.zip" does not name a file of the repository`,
		"broken.json: not signed",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
	opts.AllowUnsigned = true
	if _, err := ReadDir(dir, opts); err == nil || !strings.Contains(err.Error(), `broken.json: parsing metainfo: line 2`) {
		t.Errorf("unsigned, unparsable: %v", err)
	}
}

func TestLabels(t *testing.T) {
	l := english
	if err := l.Parse([]byte("# German\nSearch = Suche\nPackage Size=Paketgröße\nlang=de\n\ntools=Werkzeuge\n")); err != nil {
		t.Fatal(err)
	}
	if l.Search != "Suche" || l.PackageSize != "Paketgröße" || l.Lang != "de" || l.Categories["tools"] != "Werkzeuge" || l.Download != "Download" {
		t.Errorf("labels = %+v", l)
	}
	err := l.Parse([]byte("Search=x\nnothing\nlang=German\nNot A Label=y\n"))
	for _, want := range []string{"line 2: want Name=Text", `line 3: lang "German"`, `line 4: "Not A Label" is neither a label`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
}
