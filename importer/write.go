package importer

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/internal/atomicfile"
)

// Format is an output format for recipes.
type Format string

// Output formats.
const (
	FormatCUE  Format = "cue"
	FormatYAML Format = "yaml"
)

// Render returns r's recipe file name and contents in format f.
func Render(r *Recipe, f Format) (string, []byte, error) {
	header := []string{"Imported by kiln import from " + r.Source + "."}
	switch f {
	case FormatCUE, "":
		b, err := CUE(r.Fields, header)
		return "kiln.cue", b, err
	case FormatYAML:
		b, err := YAML(r.Fields, header)
		return "kiln.yaml", b, err
	}
	return "", nil, fmt.Errorf("no output format %q (cue, yaml)", f)
}

// Write writes every recipe of im into dir/NAME/ with its local files,
// and im's shared files into dir. Each file is written to a temporary
// name and renamed, and a file already holding the same bytes is left
// alone, so importing again over an earlier import changes nothing. It
// returns the recipe files written.
func Write(dir string, im *Import, f Format) ([]string, error) {
	files := map[string][]byte{}
	modes := map[string]fs.FileMode{}
	var recipes []string
	for _, r := range im.Recipes {
		name, data, err := Render(r, f)
		if err != nil {
			return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		rdir := filepath.Join(dir, r.Name)
		p := filepath.Join(rdir, name)
		if _, dup := files[p]; dup {
			return nil, fmt.Errorf("two recipes named %s (the second from %s)", r.Name, r.Source)
		}
		files[p] = data
		recipes = append(recipes, p)
		for _, lf := range r.Files {
			data, err := os.ReadFile(lf.From)
			if err != nil {
				return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
			}
			to := filepath.Join(rdir, filepath.FromSlash(lf.To))
			files[to] = data
			if st, err := os.Stat(lf.From); err == nil && st.Mode()&0o111 != 0 {
				modes[to] = 0o755
			}
		}
		for rel, data := range r.Generated {
			files[filepath.Join(rdir, filepath.FromSlash(rel))] = data
		}
	}
	for rel, data := range im.Shared {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, dup := files[p]; dup {
			return nil, fmt.Errorf("%s: written by the importer itself, and by an imported recipe of the same name", rel)
		}
		files[p] = data
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		mode := modes[p]
		if mode == 0 {
			mode = 0o644
		}
		if err := writeIfChanged(p, files[p], mode); err != nil {
			return nil, err
		}
	}
	return recipes, nil
}

func writeIfChanged(p string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteIfChanged(p, data, mode)
}

// TextReport renders the notes of every recipe, one a line, and a last
// line counting recipes carried over whole.
func TextReport(im *Import) string {
	var b strings.Builder
	whole := 0
	for _, r := range im.Recipes {
		if len(r.Notes) == 0 {
			whole++
			continue
		}
		lost := 0
		for _, n := range r.Notes {
			if n.Kind != Filled {
				lost++
			}
		}
		if lost == 0 {
			whole++
		}
		fmt.Fprintf(&b, "%s (from %s): %d field(s) not carried over exactly, %d filled from options\n", r.Name, r.Source, lost, len(r.Notes)-lost)
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	fmt.Fprintf(&b, "%d recipe(s) imported, %d carried over whole\n", len(im.Recipes), whole)
	return b.String()
}

// JSONReport is the report's --json form.
type JSONReport struct {
	Recipes []JSONRecipe `json:"recipes"`
}

// JSONRecipe is one recipe of a JSONReport.
type JSONRecipe struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Output string `json:"output,omitempty"`
	Notes  []Note `json:"notes"`
}

// NewJSONReport builds the --json report; outputs are the recipe files
// Write returned, in order.
func NewJSONReport(im *Import, outputs []string) JSONReport {
	rep := JSONReport{Recipes: []JSONRecipe{}}
	for i, r := range im.Recipes {
		jr := JSONRecipe{Name: r.Name, Source: r.Source, Notes: r.Notes}
		if jr.Notes == nil {
			jr.Notes = []Note{}
		}
		if i < len(outputs) {
			jr.Output = filepath.ToSlash(outputs[i])
		}
		rep.Recipes = append(rep.Recipes, jr)
	}
	return rep
}

// Complete reports whether every recipe was carried over whole (values
// filled from the import's options do not count against it).
func Complete(im *Import) bool {
	for _, r := range im.Recipes {
		if !r.Whole() {
			return false
		}
	}
	return true
}
