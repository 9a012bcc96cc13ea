// Package feeds uses existing opkg feeds as inputs of a build: a feed's
// index, fetched by the daemon and checked against the sha256 the
// repository pins, names each package with its own sha256, so a package
// fetched from the feed is pinned too. The index is read before planning
// (a small solve on the daemon: build.ReadIndexes), so the plan chooses
// each package and the graph fetches it as an llb.HTTP source with the
// index's checksum; nothing in the graph reaches the network on its own.
package feeds

import (
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/kiln-build/kiln/version"
)

// Feed is a feed's index as read: the feed's URL (which names it in
// messages and is where its packages are) and its entries.
type Feed struct {
	URL     string
	Entries []*feed.Entry
}

// Parse reads the index data (Packages, or Packages.gz) of the feed at url.
func Parse(url string, data []byte) (Feed, error) {
	es, err := feed.ParseIndex(data)
	if err != nil {
		return Feed{}, fmt.Errorf("feed %s: index: %w", url, err)
	}
	return Feed{URL: url, Entries: es}, nil
}

// Key identifies a pinned index: a feed's URL and the index's sha256.
func Key(url, sha256 string) string { return url + " " + strings.ToLower(sha256) }

// Index is a feed's index as an in-graph step sees it: the feed's URL and
// the index file, mounted from the daemon's fetch of it.
type Index struct {
	URL  string `json:"url"`
	File string `json:"file"`
}

// Read reads and parses the index file.
func (x Index) Read() (Feed, error) {
	data, err := os.ReadFile(x.File)
	if err != nil {
		return Feed{}, fmt.Errorf("feed %s: %w", x.URL, err)
	}
	return Parse(x.URL, data)
}

// ReadAll reads every index of xs.
func ReadAll(xs []Index) ([]Feed, error) {
	out := make([]Feed, 0, len(xs))
	for _, x := range xs {
		f, err := x.Read()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Find chooses the newest package satisfying d among the feeds, the first
// feed that has one winning; archs are the architectures the target's
// devices install. The error names the dependency and what each feed has.
func Find(fs []Feed, d version.Dep, archs []string) (*feed.Entry, Feed, error) {
	var why []string
	for _, f := range fs {
		e, err := feed.Select(f.Entries, d, archs)
		if err == nil {
			return e, f, nil
		}
		why = append(why, fmt.Sprintf("feed %s: %v", f.URL, err))
	}
	if len(fs) == 0 {
		return nil, Feed{}, fmt.Errorf("%s: no feed serves this target", d.Debian())
	}
	return nil, Feed{}, fmt.Errorf("%s: %s", d.Debian(), strings.Join(why, "; "))
}

// Pinned is a package of a feed as the graph fetches it: its URL, the
// sha256 the index gives it and a file name for it.
type Pinned struct {
	URL    string
	SHA256 string
	File   string
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// safeFile is a package file name kept as the feed names it.
var safeFile = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]*\.ipk$`)

// Pin is where entry e of feed f is and the checksum it must have. A
// package the index gives no (well-formed) SHA256sum is refused: kiln
// installs only pinned packages.
func (f Feed) Pin(e *feed.Entry) (Pinned, error) {
	if !hexSHA256.MatchString(e.SHA256) {
		return Pinned{}, fmt.Errorf("feed %s: package %s %s has no SHA256sum in the index (%q): kiln installs only pinned packages", f.URL, e.Package, e.Version, e.SHA256)
	}
	if _, err := hex.DecodeString(e.SHA256); err != nil {
		return Pinned{}, err
	}
	file := path.Base(e.Filename)
	if !safeFile.MatchString(file) {
		file = e.Package + ".ipk"
	}
	base := f.URL[:strings.LastIndex(f.URL, "/")+1]
	return Pinned{URL: base + strings.TrimPrefix(e.Filename, "./"), SHA256: strings.ToLower(e.SHA256), File: file}, nil
}

// Relation parses one entry of a Depends field as a feed writes it
// ("libfoo (>= 1.2)", "libfoo:any", "a | b"): its alternatives, in order.
func Relation(s string) ([]version.Dep, error) {
	var out []version.Dep
	for _, alt := range strings.Split(s, "|") {
		alt = strings.NewReplacer("(", " ", ")", " ").Replace(alt)
		f := strings.Fields(alt)
		if len(f) == 0 {
			return nil, fmt.Errorf("dependency %q: an empty alternative", s)
		}
		f[0], _, _ = strings.Cut(f[0], ":") // an architecture qualifier
		d, err := version.ParseDep(strings.Join(f, " "))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Depends are the relations of an entry's Depends field, as written.
func Depends(e *feed.Entry) []string {
	var out []string
	for _, r := range strings.Split(e.Field("Depends"), ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}
