// Package feeds uses existing opkg feeds as inputs of a build: a feed's
// index, fetched by the daemon and checked against the sha256 the
// repository pins, names each package with its own sha256, so a package
// fetched from the feed is pinned too. The in-graph step (kiln feedfetch)
// chooses the newest version a dependency allows, downloads it and checks
// it against the index.
package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/specfile"
	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/kiln-build/kiln/version"

	// The fetch step runs in an empty root, without the CA certificates
	// an https feed needs: these are used where the system has none.
	_ "golang.org/x/crypto/x509roots/fallback"
)

// Index is a feed's index as a step sees it: the feed's URL (which
// names it in messages and is where its packages are) and the index file.
type Index struct {
	URL  string `json:"url"`
	File string `json:"file"`
}

// Read parses the index file.
func (x Index) Read() ([]*feed.Entry, error) {
	data, err := os.ReadFile(x.File)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", x.URL, err)
	}
	es, err := feed.ParseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("feed %s: index: %w", x.URL, err)
	}
	return es, nil
}

// Find chooses the newest package satisfying d among the feeds, the first
// feed that has one winning; archs are the architectures the target's
// devices install. The error names the dependency and what each feed has.
func Find(feeds []Index, d version.Dep, archs []string) (*feed.Entry, Index, error) {
	var why []string
	for _, x := range feeds {
		es, err := x.Read()
		if err != nil {
			return nil, x, err
		}
		e, err := feed.Select(es, d, archs)
		if err == nil {
			return e, x, nil
		}
		why = append(why, fmt.Sprintf("feed %s: %v", x.URL, err))
	}
	if len(feeds) == 0 {
		return nil, Index{}, fmt.Errorf("%s: no feed serves this target", d.Debian())
	}
	return nil, Index{}, fmt.Errorf("%s: %s", d.Debian(), strings.Join(why, "; "))
}

// FetchSpec is what the fetch step (kiln feedfetch) fetches: one
// dependency, from the first of Feeds that has a version it allows.
type FetchSpec struct {
	Name    string   `json:"name"`
	Op      string   `json:"op,omitempty"`
	Version string   `json:"version,omitempty"`
	Archs   []string `json:"archs"`
	Feeds   []Index  `json:"feeds"`
}

// FileName is the name the fetched package gets in the step's output.
func FileName(name string) string { return name + ".ipk" }

// Fetch downloads the package s asks for into out (as FileName), checking
// its size and sha256 against the index.
func Fetch(s FetchSpec, out string) error {
	d := version.Dep{Name: s.Name, Op: s.Op, Version: s.Version}
	e, x, err := Find(s.Feeds, d, s.Archs)
	if err != nil {
		return err
	}
	if e.SHA256 == "" {
		return fmt.Errorf("feed %s: package %s %s has no SHA256sum in the index: kiln installs only pinned packages", x.URL, e.Package, e.Version)
	}
	url := strings.TrimSuffix(x.URL, path.Base(x.URL)) + strings.TrimPrefix(e.Filename, "./")
	client := &http.Client{Timeout: 10 * time.Minute}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("fetching %s %s: %w", e.Package, e.Version, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s %s: %s: %s", e.Package, e.Version, url, resp.Status)
	}
	final := filepath.Join(out, FileName(s.Name))
	tmp, err := os.CreateTemp(out, ".fetch-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), resp.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(e.SHA256) {
		return fmt.Errorf("checksum mismatch for %s: the feed index says sha256:%s but the downloaded file is sha256:%s", url, e.SHA256, got)
	}
	if e.Size > 0 && n != e.Size {
		return fmt.Errorf("%s: the feed index says %d bytes, the download has %d", url, e.Size, n)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s %s from %s\n", e.Package, e.Version, url)
	return os.Rename(tmp.Name(), final)
}

// FetchFile is Fetch with the spec read from a JSON file (kiln feedfetch
// --spec FILE --out DIR).
func FetchFile(specFile, out string) error {
	var s FetchSpec
	if err := specfile.Read(specFile, &s); err != nil {
		return err
	}
	return Fetch(s, out)
}
