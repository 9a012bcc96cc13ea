package graph

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/llb"
	bkllb "github.com/moby/buildkit/client/llb"
)

// Selector is one name a build's outputs can be narrowed to (buildx
// --target): an output package or a package format.
type Selector struct {
	Name        string
	Description string
}

// Selectors lists the packages, then the formats, that jobs produce.
func Selectors(jobs []*llb.Job) []Selector {
	pkgs := map[string]string{}
	formats := map[string]bool{}
	for _, j := range jobs {
		for i, p := range j.Packages {
			desc := j.Recipe.Summary
			if spec := j.Recipe.Packages[p]; spec != nil && spec.Summary != "" {
				desc = spec.Summary
			}
			pkgs[p] = "package: " + desc
			formats[j.Formats[i]] = true
		}
	}
	var out []Selector
	for _, n := range slices.Sorted(maps.Keys(pkgs)) {
		out = append(out, Selector{n, pkgs[n]})
	}
	for _, f := range slices.Sorted(maps.Keys(formats)) {
		out = append(out, Selector{f, "format: every " + f + " package"})
	}
	for _, j := range jobs {
		if j.Image != nil {
			out = append(out, Selector{ImageTarget, "container image of " + j.Recipe.Name + " (formats.oci), one per --platform"})
			break
		}
	}
	return out
}

// Selected is the state holding only the package files sel names (an
// output package, a format, or PACKAGE/FORMAT; a name that is both a
// package and a format means the package) and the feed index of the .ipk
// files among them.
func Selected(jobs []*llb.Job, sel string, packer llb.Packer) (bkllb.State, error) {
	match := matcher(jobs, sel)
	var states []bkllb.State
	var files []string
	ipks := 0
	for _, j := range jobs {
		for i, p := range j.Packages {
			if !match(p, j.Formats[i]) {
				continue
			}
			if j.Formats[i] == "ipk" {
				ipks++
			}
			f, sb := "/"+j.Files[i], "/"+llb.SBOMFile(j.Files[i])
			files = append(files, j.Files[i])
			states = append(states, bkllb.Scratch().
				File(bkllb.Copy(j.Output, f, f, &bkllb.CopyInfo{CreateDestPath: true}).
					Copy(j.Output, sb, sb, &bkllb.CopyInfo{CreateDestPath: true}),
					bkllb.WithCustomName("select "+j.Files[i])))
		}
	}
	if len(states) == 0 {
		var names []string
		for _, s := range Selectors(jobs) {
			names = append(names, s.Name)
		}
		return bkllb.State{}, fmt.Errorf("target %q: no output package or format of that name in this build (have: %s)", sel, strings.Join(names, ", "))
	}
	out := states[0]
	if len(states) > 1 {
		sort.Strings(files)
		out = bkllb.Merge(states, bkllb.WithCustomName(fmt.Sprintf("collect %s", strings.Join(files, ", "))))
	}
	return withIndex(out, ipks, packer), nil
}

// matcher tells which output packages (by package and format name) sel
// names.
func matcher(jobs []*llb.Job, sel string) func(pkg, format string) bool {
	if sel == "" {
		return func(string, string) bool { return true }
	}
	if hasPackage(jobs, sel) {
		return func(pkg, format string) bool { return pkg == sel }
	}
	if pkgName, fmtName, hasFormat := strings.Cut(sel, "/"); hasFormat {
		return func(pkg, format string) bool { return pkg == pkgName && format == fmtName }
	}
	return func(pkg, format string) bool { return format == sel }
}

// Files lists the package files (paths in the build's output) that a
// build of jobs selecting sel ("" = everything) writes, sorted; each has
// its SBOM beside it (llb.SBOMFile).
func Files(jobs []*llb.Job, sel string) []string {
	match := matcher(jobs, sel)
	var out []string
	for _, j := range jobs {
		for i, p := range j.Packages {
			if match(p, j.Formats[i]) {
				out = append(out, j.Files[i])
			}
		}
	}
	sort.Strings(out)
	return out
}

func hasPackage(jobs []*llb.Job, name string) bool {
	for _, j := range jobs {
		for _, p := range j.Packages {
			if p == name {
				return true
			}
		}
	}
	return false
}
