package spksrc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/split"
)

// FuzzPLIST: the PLIST reader (cross/NAME/PLIST, rewritten by the
// Makefile's PLIST_TRANSFORM) never panics, whatever the two hold, and
// every entry it imports is a typed entry under the package's install
// prefix that split either reads or refuses with an error (never a
// panic); whatever it drops it reports.
func FuzzPLIST(f *testing.F) {
	seed, err := os.ReadFile("testdata/tree/cross/cmaketool/PLIST")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed), `sed -e 's,^bin/cmaketool-0\.9$,bin/cmaketool,' -e 's,lib64/,lib/,'`)
	f.Add("rsc:share/doc\n# comment\n\nbin:../../etc/passwd\nlnk:/abs\nfoo:bar\nnocolon\n", `sed -e 's,\(.*\),\1/x,'`)
	f.Add("lib:lib/libx.so.1\r\nbin:bin/*\n", `sed -e 's,[,x,' -e "s|lib|lib64|"`)
	f.Fuzz(func(t *testing.T, plist, transform string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "PLIST"), []byte(plist), 0o644); err != nil {
			t.Fatal(err)
		}
		mf := &makefile{vars: map[string]string{"PLIST_TRANSFORM": transform}, lines: map[string]int{"PLIST_TRANSFORM": 1}}
		c := &conv{root: dir, r: &importer.Recipe{Name: "p"}}
		entries := c.plist(filepath.Join(dir, "Makefile"), mf, dir)
		tree := t.TempDir()
		for _, e := range entries {
			kind, p, ok := strings.Cut(e, ":")
			if !ok || !strings.HasPrefix(p, prefix("p")+"/") {
				t.Fatalf("entry %q is not a typed entry under %s", e, prefix("p"))
			}
			switch kind {
			case "bin", "lib", "lnk", "rsc":
			default:
				t.Fatalf("entry %q has type %q", e, kind)
			}
			// split reads what the importer wrote, or refuses it.
			_, _, _ = split.Plan(tree, split.Spec{Packages: []split.Package{{Name: "p", Files: []string{e}}}, Allow: map[string]bool{split.AllowEmpty: true}})
		}
	})
}
