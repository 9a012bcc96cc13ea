package split

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzPlan: split's reader of files entries (globs, "!globs" and PLIST
// entries bin:, lib:, lnk:, rsc:) never panics whatever the entries, and
// a package only ever gets paths that are in the tree.
func FuzzPlan(f *testing.F) {
	for _, s := range []string{
		"bin:opt/bin/hello\nlib:opt/lib/*.so*\nlnk:opt/lib/libx.so\nrsc:opt/share/**",
		"opt/**\n!opt/share/doc\n!opt/share/doc/x",
		"rsc:../etc\nbin:/abs\n!bin:x\nzip:x\n\n*\n[",
		"var/spool\nrsc:var/empty/\n**/*.so.[0-9]",
	} {
		f.Add(s, "rsc:opt/share/**")
	}
	root := f.TempDir()
	var tree []string
	for _, p := range []string{"opt/bin/hello", "opt/lib/libx.so.1", "opt/lib/libx.so", "opt/share/doc/x", "opt/share/a b", "var/spool/", "var/empty/", ".hidden"} {
		full := filepath.Join(root, p)
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				f.Fatal(err)
			}
		} else {
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				f.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
				f.Fatal(err)
			}
		}
		tree = append(tree, strings.TrimSuffix(p, "/"))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		spec := Spec{Packages: []Package{{Name: "a", Files: strings.Split(a, "\n")}, {Name: "b", Files: strings.Split(b, "\n")}}}
		for _, allow := range []map[string]bool{nil, {AllowUnclaimed: true, AllowDoublyClaimed: true, AllowEmpty: true}} {
			spec.Allow = allow
			out, _, err := Plan(root, spec)
			if err != nil {
				continue
			}
			for pkg, files := range out {
				for _, p := range files {
					if !slices.Contains(tree, p) {
						t.Fatalf("package %s got %q, not in the tree", pkg, p)
					}
				}
			}
		}
	})
}
