// Package repo is the repository side of syspkg, as pack/syspkg is the
// package side: it reads a repository directory (signed metainfo next to
// their payload ZIPs) and makes the signed repository list and the HTML
// catalog of it. Index does all of that for kiln syspkg index.
package repo

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// A repository directory is what gets uploaded to a static web server: the
// metainfo files (*.json, each followed by its signature block) next to
// their payload ZIPs. ReadDir reads and checks it; the signed list and
// the catalog are then made from what it returns.

// DirOptions say where a repository directory is published and what
// its packages must be signed with.
type DirOptions struct {
	// BaseURL is the http(s) address the directory is served at; the
	// list names each metainfo as BaseURL/<file>.
	BaseURL string
	// Repo is the repository certificate: every metainfo must be signed
	// by a developer certificate it issued (or by itself).
	Repo *x509.Certificate
	// AllowUnsigned lists metainfo without a signature block too (syspkg
	// refuses to install them; useful for a preview).
	AllowUnsigned bool
	// At is the time certificates must be valid at (zero: now).
	At time.Time
}

// Entry is one package of a repository directory.
type Entry struct {
	File string // metainfo file name in the directory
	URL  string // its address in the published repository
	Meta syspkg.Meta
}

// ReadDir reads every *.json metainfo directly in dir, sorted by file
// name, verifies its signature against opts.Repo and checks each payload
// its URL mask places under opts.BaseURL against the ZIP in dir (present,
// same size and sha256): the list must not point at stale or missing
// payloads. Every problem is reported at once, each naming its file.
func ReadDir(dir string, opts DirOptions) ([]Entry, error) {
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("repository URL %q is not an http(s) URL", opts.BaseURL)
	}
	prefix := strings.TrimSuffix(opts.BaseURL, "/") + "/"
	if opts.Repo == nil || sign.KindOf(opts.Repo) != sign.Repository {
		return nil, errors.New("reading repository: no repository certificate")
	}
	files, err := metainfoFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("reading repository: %w", err)
		}
		return nil, fmt.Errorf("reading repository %s: no metainfo (*.json) files", dir)
	}
	sort.Strings(files)
	var entries []Entry
	var errs []error
	ids := map[string]string{}
	for _, file := range files {
		name := filepath.Base(file)
		m, err := readMetaFile(file, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if prev, dup := ids[m.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: package %q is also described by %s", name, m.ID, prev))
			continue
		}
		ids[m.ID] = name
		for _, p := range m.Payloads {
			u := syspkg.ExpandURL(m.URL, m.Version, m.Release, p.Arch)
			if rel, ok := strings.CutPrefix(u, prefix); ok {
				if err := checkLocalPayload(dir, rel, p); err != nil {
					errs = append(errs, fmt.Errorf("%s: payload %s: %w", name, p.Arch, err))
				}
			}
		}
		entries = append(entries, Entry{File: name, URL: prefix + url.PathEscape(name), Meta: *m})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("reading repository %s:\n%w", dir, err)
	}
	return entries, nil
}

func readMetaFile(file string, opts DirOptions) (*syspkg.Meta, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if _, _, _, err := sign.Split(data); err != nil {
		if !opts.AllowUnsigned {
			return nil, fmt.Errorf("not signed (%v): sign it with kiln syspkg sign and a developer certificate the repository issued", err)
		}
		m, err := syspkg.ParseMeta(data)
		if err != nil {
			return nil, err
		}
		return m, m.Validate()
	}
	m, err := syspkg.VerifyMeta(data, []*x509.Certificate{opts.Repo}, opts.At)
	if err != nil {
		return nil, fmt.Errorf("%w (developer certificates are issued with kiln cert sign)", err)
	}
	return m, m.Validate()
}

// checkLocalPayload compares a payload's recorded size and sha256 with the
// file at rel (a URL path relative to the repository) in dir.
func checkLocalPayload(dir, rel string, p syspkg.Payload) error {
	name, err := url.PathUnescape(rel)
	if err != nil || name != path.Clean(name) || strings.HasPrefix(name, "../") || path.IsAbs(name) {
		return fmt.Errorf("URL path %q does not name a file of the repository", rel)
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return fmt.Errorf("%w (the URL mask puts it in this repository)", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != p.Compressed || sum != p.SHA256 {
		return fmt.Errorf("%s is %d bytes with sha256 %s, the metainfo says %d bytes with %s: rebuild the metainfo",
			name, n, sum, p.Compressed, p.SHA256)
	}
	return nil
}

// URLs are the metainfo addresses of entries, for SignList.
func URLs(entries []Entry) []string {
	var urls []string
	for _, e := range entries {
		urls = append(urls, e.URL)
	}
	return urls
}

// Metas are the metainfo of entries, for Catalog.
func Metas(entries []Entry) []syspkg.Meta {
	var ms []syspkg.Meta
	for _, e := range entries {
		ms = append(ms, e.Meta)
	}
	return ms
}

// notMetainfo end the names of the JSON files a kiln build writes beside
// the payloads that are not metainfo: SBOMs and in-toto statements (the
// provenance, its DSSE envelope, buildx attestations).
var notMetainfo = []string{".spdx.json", ".intoto.json", ".intoto.dsse.json"}

// metainfoFiles lists the metainfo files (*.json) in dir.
func metainfoFiles(dir string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range all {
		if !slices.ContainsFunc(notMetainfo, func(suffix string) bool { return strings.HasSuffix(f, suffix) }) {
			out = append(out, f)
		}
	}
	return out, nil
}
