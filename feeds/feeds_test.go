package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serveFeed serves a feed whose index names libx 1.0-1 (the file pkg,
// with sum as its sha256) and libx 2.0-1 (absent), and returns the index
// as a fetch step sees it.
func serveFeed(t *testing.T, pkg []byte, sum string) Index {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pool"), 0o755)
	os.WriteFile(filepath.Join(dir, "pool/libx_1.0-1_armv7.ipk"), pkg, 0o644)
	index := fmt.Sprintf("Package: libx\nVersion: 1.0-1\nArchitecture: armv7\nFilename: pool/libx_1.0-1_armv7.ipk\nSize: %d\nSHA256sum: %s\n\n"+
		"Package: libx\nVersion: 2.0-1\nArchitecture: armv7\nFilename: pool/libx_2.0-1_armv7.ipk\nSHA256sum: %s\n", len(pkg), sum, sum)
	os.WriteFile(filepath.Join(dir, "Packages"), []byte(index), 0o644)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return Index{URL: srv.URL + "/Packages", File: filepath.Join(dir, "Packages")}
}

func TestFetch(t *testing.T) {
	pkg := []byte("not really an ipk, but bytes the index pins")
	h := sha256.Sum256(pkg)
	sum := hex.EncodeToString(h[:])
	x := serveFeed(t, pkg, sum)
	out := t.TempDir()
	s := FetchSpec{Name: "libx", Op: "<<", Version: "2.0", Archs: []string{"armv7", "all"}, Feeds: []Index{x}}
	if err := Fetch(s, out); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(out, FileName("libx"))); string(got) != string(pkg) {
		t.Errorf("fetched %q", got)
	}

	// The newest version (2.0-1) is missing from the server.
	s.Op, s.Version = "", ""
	if err := Fetch(s, t.TempDir()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("Fetch of a missing file = %v", err)
	}
	// A version no feed has is named.
	s.Op, s.Version = ">=", "3.0"
	err := Fetch(s, t.TempDir())
	if want := "libx (>= 3.0): feed " + x.URL + ": no version of libx satisfies >= 3.0 (it has 1.0-1, 2.0-1)"; err == nil || err.Error() != want {
		t.Errorf("Fetch(>= 3.0) = %v, want %q", err, want)
	}
	// A file that is not what the index pins is refused, naming both.
	bad := serveFeed(t, pkg, strings.Repeat("0", 64))
	s = FetchSpec{Name: "libx", Op: "=", Version: "1.0-1", Archs: []string{"armv7"}, Feeds: []Index{bad}}
	err = Fetch(s, out)
	if err == nil || !strings.Contains(err.Error(), "the feed index says sha256:"+strings.Repeat("0", 64)+" but the downloaded file is sha256:"+sum) {
		t.Errorf("Fetch with a wrong sum = %v", err)
	}
}
