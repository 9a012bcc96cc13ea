package syspkg

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetaSource(t *testing.T) {
	dir := t.TempDir()
	x86, _ := writePayload(t, t.TempDir(), "deflate")
	arm, _ := writePayload(t, t.TempDir(), "zstd")
	seed := filepath.Join("testdata", "seed_example.json")

	// A metainfo file with two payloads, published under a base URL.
	m, err := MetaSource{File: seed, BaseURL: "https://example.org/repo", Payloads: []string{"x86_64=" + x86, "aarch64=" + arm}}.Load()
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "myproject" || m.URL != "https://example.org/repo/myproject-$VERSION-$ARCH.zip" ||
		len(m.Payloads) != 2 || m.Payloads[0].Arch != "x86_64" || m.Payloads[1].Arch != "aarch64" || len(m.Files) == 0 {
		t.Errorf("meta = %+v", m)
	}
	// The mask wins over the base URL; without payloads the file's stay.
	m, err = MetaSource{File: seed, BaseURL: "https://example.org/repo", URL: "https://cdn.example.org/p-$ARCH.zip"}.Load()
	if err != nil || m.URL != "https://cdn.example.org/p-$ARCH.zip" || len(m.Payloads) != 3 {
		t.Errorf("Load = %+v, %v", m, err)
	}
	// kiln's package metadata instead.
	data, err := json.Marshal(testPackage())
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "hello.pkg.json")
	if err := os.WriteFile(pkg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err = MetaSource{Package: pkg, BaseURL: "https://example.org/repo", Payloads: []string{"x86_64=" + x86}}.Load()
	if err != nil || m.ID != "hello" || m.URL != "https://example.org/repo/hello-$VERSION-$ARCH.zip" || len(m.Payloads) != 1 {
		t.Errorf("Load = %+v, %v", m, err)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{ "name": "hello" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		src     MetaSource
		wantErr string
	}{
		{MetaSource{File: seed, Payloads: []string{"x86_64"}}, `payload "x86_64": want ARCH=PAYLOAD.zip`},
		{MetaSource{File: seed, Payloads: []string{"=" + x86}}, "want ARCH=PAYLOAD.zip"},
		{MetaSource{File: seed, Payloads: []string{"x86_64=" + x86, "x86_64=" + arm}}, `two payloads for arch "x86_64"`},
		{MetaSource{File: seed, Payloads: []string{"x86_64=" + filepath.Join(dir, "nope.zip")}}, "nope.zip: open"},
		{MetaSource{File: bad}, "bad.json: parsing metainfo"},
		{MetaSource{File: filepath.Join(dir, "missing.json")}, "missing.json: no such file"},
		{MetaSource{Package: bad}, `bad.json: version ""`},
		{MetaSource{Package: seed + "x"}, "reading package metadata"},
	} {
		if _, err := tc.src.Load(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%+v: err = %v, want one containing %q", tc.src, err, tc.wantErr)
		}
	}
}
