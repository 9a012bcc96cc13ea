package shlibs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/internal/specfile"
	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/kiln-build/kiln/version"
	"github.com/sirupsen/logrus"
)

// Spec is what the in-graph step (kiln shlibs) resolves. It travels into
// the graph as JSON.
type Spec struct {
	Target string `json:"target"`
	// Version is the recipe's: its packages depend on each other with it.
	Version string `json:"version"`
	// Packages are the output packages: one directory each under the root.
	Packages []string `json:"packages"`
	// Host are the .ipk files installed into $SYSROOT; their Provides
	// entries are the sonames they provide.
	Host   []string `json:"host,omitempty"`
	System []string `json:"system,omitempty"`
	Allow  bool     `json:"allow,omitempty"`
	// Feeds serve the target with packages of Archs: sonames are looked
	// up in them after $SYSROOT, and every dependency of Check (those the
	// build does not produce) must be met by one.
	Feeds []feeds.Index `json:"feeds,omitempty"`
	// SystemPackages are the packages (name: version) the target's
	// devices have, which meet a dependency of Check too.
	SystemPackages map[string]string `json:"system_packages,omitempty"`
	Archs          []string          `json:"archs,omitempty"`
	Check          []Relation        `json:"check,omitempty"`
}

// Relation is a dependency of a package, as the recipe says it.
type Relation struct {
	Package string      `json:"package"`
	Dep     version.Dep `json:"dep"`
}

// ResultFile is where Run writes package name's Result under its output
// directory; NeededFile lists the names of every package the job gained
// a dependency on, one a line, for the install tests' root.
func ResultFile(name string) string { return name + ".json" }

// NeededFile is the list of packages the job's packages gained.
const NeededFile = "needed"

// Run scans each package of s (a directory of that name under root),
// resolves what its files need and writes the results into out.
func Run(s Spec, root, out string) error {
	var pkgs []Package
	own := Source{Name: "the packages of this recipe"}
	for _, name := range s.Packages {
		dir := filepath.Join(root, name)
		var files []File
		if _, err := os.Stat(dir); err == nil {
			if files, err = Scan(dir); err != nil {
				return fmt.Errorf("package %s: %w", name, err)
			}
		}
		pkgs = append(pkgs, Package{Name: name, Files: files})
		own.Providers = append(own.Providers, Provider{Package: name, Version: s.Version, Sonames: Provided(files)})
	}
	in := Input{Target: s.Target, Sources: []Source{own}, System: s.System, Allow: s.Allow}
	var host []*feed.Entry
	if len(s.Host) > 0 {
		var err error
		if host, err = readIPKs(s.Host); err != nil {
			return err
		}
		in.Sources = append(in.Sources, Source{Name: "the host: packages in $SYSROOT", Providers: providers(host, nil)})
	}
	fs, err := feeds.ReadAll(s.Feeds)
	if err != nil {
		return err
	}
	for _, f := range fs {
		in.Sources = append(in.Sources, Source{Name: "feed " + f.URL, Providers: providers(f.Entries, s.Archs)})
	}
	if err := checkRelations(s, fs); err != nil {
		return err
	}
	results, warnings, err := Resolve(in, pkgs)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		logrus.Warnf("%s (allowed by validation rule %s)", w, AllowUnresolved)
	}
	return write(results, host, out)
}

// providers are the packages of es (of archs, when given) with the
// sonames their Provides lists.
func providers(es []*feed.Entry, archs []string) []Provider {
	var out []Provider
	for _, e := range es {
		if archs == nil || slices.Contains(archs, e.Arch) {
			out = append(out, Provider{Package: e.Package, Version: e.Version, Sonames: feed.List(e.Field("Provides"))})
		}
	}
	return out
}

// checkRelations reports every dependency of s.Check that no feed meets.
func checkRelations(s Spec, fs []feeds.Feed) error {
	var problems []string
	for _, r := range s.Check {
		if have, ok := s.SystemPackages[r.Dep.Name]; ok {
			if err := r.Dep.Meets(have); err != nil {
				problems = append(problems, fmt.Sprintf("package %s depends on %s: target %s's system has %s %s", r.Package, r.Dep.Debian(), s.Target, r.Dep.Name, have))
			}
			continue
		}
		if _, _, err := feeds.Find(fs, r.Dep, s.Archs); err != nil {
			problems = append(problems, fmt.Sprintf("package %s depends on %v", r.Package, err))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("dependencies that neither the build, a feed nor the system of target %s meets:\n%s", s.Target, strings.Join(problems, "\n"))
}

// readIPKs reads the control files of .ipk files.
func readIPKs(files []string) ([]*feed.Entry, error) {
	var out []*feed.Entry
	for _, f := range files {
		e, err := feed.Read(f, filepath.Base(f))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// write stores each result, and the list of packages needed: those the
// results name and, as a package manager would install them, the host
// packages those depend on, transitively.
func write(results map[string]Result, host []*feed.Entry, out string) error {
	needed := map[string]bool{}
	for name, r := range results {
		if err := os.WriteFile(filepath.Join(out, ResultFile(name)), marshal(r), 0o644); err != nil {
			return err
		}
		for _, p := range r.Packages {
			needed[p] = true
		}
	}
	closeOver(needed, host)
	names := slices.Sorted(maps.Keys(needed))
	list := strings.Join(names, "\n")
	if list != "" {
		list += "\n"
	}
	return os.WriteFile(filepath.Join(out, NeededFile), []byte(list), 0o644)
}

// closeOver adds to needed the packages of host that needed ones depend
// on (any alternative host has), until nothing is added.
func closeOver(needed map[string]bool, host []*feed.Entry) {
	for added := true; added; {
		added = false
		for _, e := range host {
			if !needed[e.Package] {
				continue
			}
			for _, rel := range feeds.Depends(e) {
				alts, err := feeds.Relation(rel)
				if err != nil {
					continue // the graph's sysroot step followed the same relations
				}
				for _, d := range alts {
					if !needed[d.Name] && slices.ContainsFunc(host, func(h *feed.Entry) bool { return h.Package == d.Name }) {
						needed[d.Name], added = true, true
					}
				}
			}
		}
	}
}

// marshal is v as indented JSON, "(>= 1.0)" written as it reads.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // plain values: cannot fail
	return b.Bytes()
}

// RunFile is Run with the spec read from a JSON file: the in-graph step
// (kiln shlibs --spec FILE --root DIR --out DIR).
func RunFile(specFile, root, out string) error {
	var s Spec
	if err := specfile.Read(specFile, &s); err != nil {
		return err
	}
	return Run(s, root, out)
}

// ReadResult reads a Result written by Run: the pack step's --shlibs file.
func ReadResult(file string) (Result, error) {
	var r Result
	err := specfile.Read(file, &r)
	return r, err
}
