package llb

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/schema"
	"github.com/moby/buildkit/client/llb"
)

// DefaultFormat is what a recipe without formats is packed as.
const DefaultFormat = "ipk"

// formats are the package formats the recipe asks for under formats
// (oci is an image made from packages, not a package format), sorted, or
// the default.
func (c *compiler) formats() ([]pack.Format, error) {
	var names []string
	for name := range c.r.Formats {
		if name != "oci" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		names = []string{DefaultFormat}
	}
	sort.Strings(names)
	out := make([]pack.Format, 0, len(names))
	for _, n := range names {
		f, err := pack.Lookup(n)
		if err != nil {
			return nil, fmt.Errorf("formats: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// forFormat is p as format f sees it: the target's arch in f's naming and
// the recipe's formats.<f> options.
func (c *compiler) forFormat(p *pack.Package, f pack.Format) (*pack.Package, error) {
	q := *p
	q.Arch = c.o.Target.Formats[f.Name()].Arch
	if q.Arch == "" {
		return nil, fmt.Errorf("target %s has no %s architecture", c.o.Target.Name, f.Name())
	}
	if opts, ok := c.r.Formats[f.Name()]; ok && len(opts) > 0 {
		opts, q.RecipeFiles = c.recipeFileOptions(f.Name(), opts)
		raw, err := json.Marshal(opts) // map keys sorted: stable
		if err != nil {
			return nil, fmt.Errorf("formats.%s: %w", f.Name(), err)
		}
		q.Options = raw
	}
	if err := pack.Check(f, &q); err != nil {
		return nil, &FieldError{Recipe: c.r, Field: "formats." + f.Name(), Err: err}
	}
	return &q, nil
}

// FieldError is a compile error caused by one field of a recipe, so a
// caller holding the recipe's file can position it (kiln validate).
type FieldError struct {
	Recipe *schema.Recipe
	Field  string // recipe path, e.g. "formats.spk"
	Err    error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message() }

// Message is the error without the field's name in front.
func (e *FieldError) Message() string {
	return strings.TrimPrefix(e.Err.Error(), e.Field+": ")
}
func (e *FieldError) Unwrap() error { return e.Err }

// packages packs every output package in every selected format (and as
// .ipk for job.IPK), returning the selected outputs.
func (c *compiler) packages(job *Job, split llb.State, ran bool) ([]llb.State, error) {
	selected, err := c.formats()
	if err != nil {
		return nil, err
	}
	ipk, err := pack.Lookup("ipk")
	if err != nil {
		return nil, err
	}
	var outs []llb.State
	for _, name := range c.packageNames() {
		base, err := c.packageMeta(name)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", name, err)
		}
		root, rootOpts, err := c.packageRoot(base, split, ran)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", name, err)
		}
		ipkSelected := false
		for _, f := range selected {
			p, err := c.forFormat(base, f)
			if err != nil {
				return nil, fmt.Errorf("package %s: %w", name, err)
			}
			// With the SBOM beside the package, for feeds and kiln sbom query.
			out, err := c.pack(f, p, root, true, rootOpts...)
			if err != nil {
				return nil, err
			}
			outs = append(outs, out)
			job.Files = append(job.Files, f.FileName(p))
			job.Packages = append(job.Packages, name)
			job.Formats = append(job.Formats, f.Name())
			job.Metas = append(job.Metas, p)
			if f.Name() == "ipk" {
				ipkSelected = true
				job.IPK[name] = HostPackage{State: out, File: f.FileName(p), Name: name, Depends: base.Depends}
			}
		}
		if !ipkSelected {
			p, err := c.forFormat(base, ipk)
			if err != nil {
				return nil, fmt.Errorf("package %s: %w", name, err)
			}
			out, err := c.pack(ipk, p, root, false, rootOpts...)
			if err != nil {
				return nil, err
			}
			job.IPK[name] = HostPackage{State: out, File: ipk.FileName(p), Name: name, Depends: base.Depends}
		}
	}
	return outs, nil
}

// packageRoot is the tree package base is packed from (mounted with
// rootOpts): the split step's output for it (nothing when no step ran)
// with its SBOM at sbom.Path(base.Name).
func (c *compiler) packageRoot(base *pack.Package, split llb.State, ran bool) (root llb.State, rootOpts []llb.MountOption, err error) {
	name := base.Name
	if !ran { // nothing ran: an empty package but for its SBOM
		root, err = c.sbomStep(base, llb.Scratch(), "")
		return root, nil, err
	}
	rootOpts = []llb.MountOption{llb.SourcePath("/" + name)}
	sbomSt, err := c.sbomStep(base, split, "/"+name, rootOpts...)
	if err != nil {
		return root, nil, err
	}
	return llb.Merge([]llb.State{split, sbomSt}, c.name("%s with its sbom", name)), rootOpts, nil
}

// ipks lists the job's .ipk packages in package-name order.
func (j *Job) ipks() []HostPackage {
	names := make([]string, 0, len(j.IPK))
	for n := range j.IPK {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]HostPackage, 0, len(names))
	for _, n := range names {
		out = append(out, j.IPK[n])
	}
	return out
}
