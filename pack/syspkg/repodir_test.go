package syspkg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// repoDir writes a repository directory: hello's x86_64 payload and its
// metainfo signed by a developer certificate the repository issued.
func repoDir(t *testing.T) (dir string, repo *sign.Signer, dev *sign.Signer) {
	t.Helper()
	dir = t.TempDir()
	repo = testSigner(t, "repo", "Example Repo", sign.Repository)
	self := testSigner(t, "dev", "Jane Doe", sign.Developer)
	repoKey, _ := os.ReadFile(filepath.Join("sign", "testdata", "repo.test.key"))
	devKey, _ := os.ReadFile(filepath.Join("sign", "testdata", "dev.test.key"))
	issued, err := sign.SignCert(pemCert(repo.Cert), repoKey, pemCert(self.Cert), &sign.CertOptions{Now: time.Unix(packtest.Epoch, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if dev, err = sign.NewSigner(issued, devKey); err != nil {
		t.Fatal(err)
	}
	p := testPackage()
	payload := filepath.Join(dir, Format{}.FileName(p))
	if err := os.WriteFile(payload, packBytes(t, Format{}, p, buildTree(t, testTree, packtest.Default)), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ScanPayloadFile("hello", "x86_64", payload)
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromPackage(p, DefaultURL("https://example.org/repo", "hello"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Index(s); err != nil {
		t.Fatal(err)
	}
	writeSigned(t, filepath.Join(dir, "hello pkg.json"), m, dev)
	return dir, repo, dev
}

func writeSigned(t *testing.T, file string, m *Meta, s *sign.Signer) {
	t.Helper()
	signed, err := Sign(m, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, signed, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadRepoDir(t *testing.T) {
	dir, repo, _ := repoDir(t)
	opts := RepoDirOptions{BaseURL: "https://example.org/repo/", Repo: repo.Cert, At: verifyAt}
	entries, err := ReadRepoDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].URL != "https://example.org/repo/hello%20pkg.json" || entries[0].Meta.Maintainer != "Jane Doe" {
		t.Fatalf("entries = %+v", entries)
	}
	// The list and catalog come from what was read.
	list, err := RepoList(RepoURLs(entries), repo)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRepoList(list, nil, verifyAt)
	if err != nil || len(r.URLs) != 1 {
		t.Fatalf("ParseRepoList = %+v, %v", r, err)
	}
	var page strings.Builder
	if err := Catalog(&page, RepoMetas(entries), DefaultLabels(repo.Cert, "")); err != nil {
		t.Fatal(err)
	}

	// Payloads served elsewhere are not looked for in the directory.
	opts.BaseURL = "https://mirror.example.net/"
	if _, err := ReadRepoDir(dir, opts); err != nil {
		t.Errorf("payloads under another URL: %v", err)
	}
	opts.BaseURL = "https://example.org/repo"

	for _, tc := range []struct {
		name    string
		change  func(t *testing.T, o *RepoDirOptions)
		wantErr string
	}{
		{"other repository", func(t *testing.T, o *RepoDirOptions) {
			o.Repo = testSigner(t, "other", "Other Repo", sign.Repository).Cert
		}, `hello pkg.json: metainfo: certificate "Jane Doe" is not trusted`},
		{"developer as repository", func(t *testing.T, o *RepoDirOptions) {
			o.Repo = testSigner(t, "dev", "Jane Doe", sign.Developer).Cert
		}, "no repository certificate"},
		{"expired", func(t *testing.T, o *RepoDirOptions) { o.At = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC) }, "not trusted"},
		{"bad URL", func(t *testing.T, o *RepoDirOptions) { o.BaseURL = "example.org/repo" }, "not an http(s) URL"},
		{"missing dir", func(t *testing.T, o *RepoDirOptions) {}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			tc.change(t, &o)
			d := dir
			if tc.wantErr == "" {
				d, tc.wantErr = filepath.Join(dir, "nope"), "no such file"
			}
			if _, err := ReadRepoDir(d, o); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadRepoDirPayloadChecks(t *testing.T) {
	dir, repo, dev := repoDir(t)
	opts := RepoDirOptions{BaseURL: "https://example.org/repo", Repo: repo.Cert, At: verifyAt}
	m := &Meta{ID: "evil", Version: "1.0.0", Category: "tools", URL: "https://example.org/repo/../secret-$ARCH.zip",
		Description: []Description{{Lang: "en", Name: "Evil", Text: "x"}},
		Payloads:    []Payload{{Arch: "x86_64", Compressed: 1, Size: 1, SHA256: strings.Repeat("0", 64)}}}
	writeSigned(t, filepath.Join(dir, "evil.json"), m, dev)
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{ \"id\": \"x\",\n  \"bogus\": 1 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadRepoDir(dir, opts)
	for _, want := range []string{
		`evil.json: payload x86_64: URL path "../secret-x86_64.zip" does not name a file of the repository`,
		"broken.json: not signed",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
	opts.AllowUnsigned = true
	if _, err := ReadRepoDir(dir, opts); err == nil || !strings.Contains(err.Error(), `broken.json: parsing metainfo: line 2`) {
		t.Errorf("unsigned, unparsable: %v", err)
	}
}

func TestLabels(t *testing.T) {
	l := english
	if err := l.ParseLabels([]byte("# German\nSearch = Suche\nPackage Size=Paketgröße\nlang=de\n\ntools=Werkzeuge\n")); err != nil {
		t.Fatal(err)
	}
	if l.Search != "Suche" || l.PackageSize != "Paketgröße" || l.Lang != "de" || l.Categories["tools"] != "Werkzeuge" || l.Download != "Download" {
		t.Errorf("labels = %+v", l)
	}
	err := l.ParseLabels([]byte("Search=x\nnothing\nlang=German\nNot A Label=y\n"))
	for _, want := range []string{"line 2: want Name=Text", `line 3: lang "German"`, `line 4: "Not A Label" is neither a label`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
}
