package sbom

import (
	"bufio"
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml"
)

// Vendored is a dependency a generator source fetched (a Go module, a
// crate, an npm or Python package), as its lock file pins it.
type Vendored struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	// Algorithm (SHA1, SHA256, SHA512) and Checksum (hex) are the lock
	// file's checksum of the package's archive, when it gives one.
	Algorithm string `json:"algorithm,omitempty"`
	Checksum  string `json:"checksum,omitempty"`
	// Comment holds a pin SPDX has no checksum algorithm for (go.sum's
	// h1: hash) or several hashes (pip's, one per distribution file).
	Comment string `json:"comment,omitempty"`
}

// LockFile is the lock file a generator of kind reads in its directory
// (pip names its own requirements file).
func LockFile(kind string) string {
	switch kind {
	case "gomod":
		return "go.sum"
	case "cargo":
		return "Cargo.lock"
	case "npm":
		return "package-lock.json"
	}
	return ""
}

// ReadLock lists the dependencies the lock file at file pins for a
// generator of kind (gomod: go.sum, or go.mod's requirements without
// one; cargo: Cargo.lock; npm: package-lock.json; pip: a requirements
// file with hashes), sorted by name and version.
func ReadLock(kind, file string) ([]Vendored, error) {
	data, err := os.ReadFile(file)
	if kind == "gomod" && errors.Is(err, fs.ErrNotExist) {
		file = filepath.Join(filepath.Dir(file), "go.mod")
		data, err = os.ReadFile(file)
		if err == nil {
			return sorted(goModRequires(data), nil)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the lock file: %w", err)
	}
	var out []Vendored
	switch kind {
	case "gomod":
		out, err = goSum(data)
	case "cargo":
		out, err = cargoLock(data)
	case "npm":
		out, err = npmLock(data)
	case "pip":
		out, err = pipRequirements(data)
	default:
		return nil, fmt.Errorf("%s: no lock file reader for %s", file, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return sorted(out, nil)
}

func sorted(v []Vendored, err error) ([]Vendored, error) {
	sort.SliceStable(v, func(i, j int) bool {
		if v[i].Name != v[j].Name {
			return v[i].Name < v[j].Name
		}
		return v[i].Version < v[j].Version
	})
	return v, err
}

// goSum reads go.sum: a module's "PATH VERSION h1:HASH" line says go
// downloaded its zip (a ".../go.mod" line only its go.mod).
func goSum(data []byte) ([]Vendored, error) {
	var out []Vendored
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want MODULE VERSION HASH, got %q", i+1, line)
		}
		if strings.HasSuffix(f[1], "/go.mod") {
			continue
		}
		out = append(out, Vendored{Name: f[0], Version: f[1], PURL: goPURL(f[0], f[1]), Comment: "go.sum " + f[2]})
	}
	return out, nil
}

// goModRequires reads go.mod's require directives (one line or a block).
func goModRequires(data []byte) []Vendored {
	var out []Vendored
	block := false
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "require" && f[1] == "(":
			block = true
			continue
		case block && len(f) == 1 && f[0] == ")":
			block = false
			continue
		case len(f) == 3 && f[0] == "require":
			f = f[1:]
		case !block || len(f) != 2:
			continue
		}
		out = append(out, Vendored{Name: f[0], Version: f[1], PURL: goPURL(f[0], f[1]), Comment: "go.mod requirement (no go.sum)"})
	}
	return out
}

func goPURL(module, version string) string {
	segs := strings.Split(module, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "pkg:golang/" + strings.Join(segs, "/") + "@" + url.PathEscape(version)
}

// cargoLock reads Cargo.lock's registry packages: the crates kiln vendors
// (the workspace's own packages have no source).
func cargoLock(data []byte) ([]Vendored, error) {
	var lock struct {
		Package []struct {
			Name     string `toml:"name"`
			Version  string `toml:"version"`
			Source   string `toml:"source"`
			Checksum string `toml:"checksum"`
		} `toml:"package"`
	}
	if err := toml.Unmarshal(data, &lock); err != nil {
		return nil, err
	}
	var out []Vendored
	for i, p := range lock.Package {
		if !strings.HasPrefix(p.Source, "registry+") {
			continue
		}
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("package %d: no name or version", i+1)
		}
		v := Vendored{Name: p.Name, Version: p.Version, PURL: "pkg:cargo/" + url.PathEscape(p.Name) + "@" + url.PathEscape(p.Version)}
		if p.Checksum != "" {
			v.Algorithm, v.Checksum = "SHA256", p.Checksum
		}
		out = append(out, v)
	}
	return out, nil
}

// npmLock reads package-lock.json's installed packages: "packages"
// (lockfileVersion 2 and 3) or the nested "dependencies" (version 1).
func npmLock(data []byte) ([]Vendored, error) {
	type entry struct {
		Version   string `json:"version"`
		Integrity string `json:"integrity"`
		Link      bool   `json:"link"`
	}
	type dep struct { // lockfileVersion 1: dependencies nest
		entry
		Dependencies map[string]dep `json:"dependencies"`
	}
	var lock struct {
		Packages     map[string]entry `json:"packages"`
		Dependencies map[string]dep   `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, err
	}
	var out []Vendored
	add := func(name string, d entry) error {
		v := Vendored{Name: name, Version: d.Version, PURL: npmPURL(name, d.Version)}
		var err error
		if v.Algorithm, v.Checksum, err = sri(d.Integrity); err != nil {
			return fmt.Errorf("package %s: integrity: %w", name, err)
		}
		out = append(out, v)
		return nil
	}
	if lock.Packages != nil {
		for key, d := range lock.Packages {
			i := strings.LastIndex(key, "node_modules/")
			if i < 0 || d.Link {
				continue // the project itself, or a workspace link
			}
			if err := add(key[i+len("node_modules/"):], d); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var walk func(map[string]dep) error
	walk = func(deps map[string]dep) error {
		for name, d := range deps {
			if err := add(name, d.entry); err != nil {
				return err
			}
			if err := walk(d.Dependencies); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(lock.Dependencies)
}

func npmPURL(name, version string) string {
	if scope, n, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		// purl: the scope is the namespace, its "@" percent-encoded.
		return "pkg:npm/%40" + url.PathEscape(scope[1:]) + "/" + url.PathEscape(n) + "@" + url.PathEscape(version)
	}
	return "pkg:npm/" + url.PathEscape(name) + "@" + url.PathEscape(version)
}

// sri reads a subresource-integrity value ("sha512-BASE64"; the first of
// several) as an SPDX algorithm and hex digest.
func sri(integrity string) (algorithm, hexDigest string, err error) {
	if integrity == "" {
		return "", "", nil
	}
	first, _, _ := strings.Cut(integrity, " ")
	alg, b64, ok := strings.Cut(first, "-")
	sizes := map[string]string{"sha1": "SHA1", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}
	if !ok || sizes[alg] == "" {
		return "", "", fmt.Errorf("%q: want sha512-BASE64", integrity)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || (alg == "sha512" && len(raw) != sha512.Size) {
		return "", "", fmt.Errorf("%q: not a %s digest in base64", integrity, alg)
	}
	return sizes[alg], hex.EncodeToString(raw), nil
}

var (
	pipPin  = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;\\]+)`)
	pipHash = regexp.MustCompile(`--hash[= ]sha256:([0-9a-f]{64})`)
)

// pipRequirements reads a requirements file in pip's hash-checking mode:
// each requirement NAME==VERSION with its --hash=sha256: values (one per
// distribution file pip may download), lines joined at a backslash.
func pipRequirements(data []byte) ([]Vendored, error) {
	var out []Vendored
	sc := bufio.NewScanner(bytes.NewReader(data))
	var logical strings.Builder
	start, n := 0, 0
	flush := func() error {
		line := strings.TrimSpace(logical.String())
		logical.Reset()
		if line == "" || strings.HasPrefix(line, "-") {
			return nil // an option line (--index-url, -r ...)
		}
		m := pipPin.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("line %d: want NAME==VERSION (hash-checking mode pins every requirement), got %q", start, line)
		}
		v := Vendored{Name: m[1], Version: m[3], PURL: "pkg:pypi/" + url.PathEscape(pypiName(m[1])) + "@" + url.PathEscape(m[3])}
		hashes := pipHash.FindAllStringSubmatch(line, -1)
		switch len(hashes) {
		case 0:
			return fmt.Errorf("line %d: %s has no --hash=sha256:HEX (hash-checking mode)", start, m[1])
		case 1:
			v.Algorithm, v.Checksum = "SHA256", hashes[0][1]
		default:
			var hs []string
			for _, h := range hashes {
				hs = append(hs, "sha256:"+h[1])
			}
			v.Comment = "one of the distribution files " + strings.Join(hs, " ")
		}
		out = append(out, v)
		return nil
	}
	for sc.Scan() {
		n++
		line, _, _ := strings.Cut(sc.Text(), " #")
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			line = ""
		}
		if logical.Len() == 0 {
			start = n
		}
		if l, ok := strings.CutSuffix(strings.TrimRight(line, " \t"), "\\"); ok {
			logical.WriteString(l + " ")
			continue
		}
		logical.WriteString(line)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, flush()
}

// pypiName is a Python package name normalized as PyPI (and purl) does.
func pypiName(n string) string {
	return pypiSep.ReplaceAllString(strings.ToLower(n), "-")
}

var pypiSep = regexp.MustCompile(`[-_.]+`)
