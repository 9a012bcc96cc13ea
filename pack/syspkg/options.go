package syspkg

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// Options are what a recipe gives under formats.syspkg: how the payload is
// packed, and the metainfo fields that have no counterpart in the recipe
// (the repository index reads them back from the package metadata).
type Options struct {
	Compression string            `json:"compression,omitempty"` // zstd (default), deflate, store
	Override    map[string]string `json:"override,omitempty"`
	Category    string            `json:"category,omitempty"`
	URL         string            `json:"url,omitempty"` // payload URL mask
	// Descriptions are translations: {lang, name, text}.
	Descriptions []struct {
		Lang string `json:"lang"`
		Name string `json:"name"`
		Text string `json:"text"`
	} `json:"descriptions,omitempty"`
	Suggests    []string `json:"suggests,omitempty"`
	EULA        string   `json:"eula,omitempty"`
	Bugtracker  string   `json:"bugtracker,omitempty"`
	Screenshots []string `json:"screenshots,omitempty"`
	Postinst    *struct {
		Env []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"env,omitempty"`
		Commands []string `json:"commands,omitempty"`
	} `json:"postinst,omitempty"`
}

// DecodeOptions reads p's formats.syspkg object; unknown keys are errors,
// since a misspelt key would otherwise be dropped without a word.
func DecodeOptions(p *pack.Package) (Options, error) {
	var o Options
	if err := pack.DecodeOptions("syspkg", p.Options, &o); err != nil {
		return Options{}, err
	}
	return o, nil
}

// withOptions is f with the package's own options applied over it.
func (f Format) withOptions(p *pack.Package) (Format, error) {
	o, err := DecodeOptions(p)
	if err != nil {
		return f, err
	}
	if o.Compression != "" {
		f.Compression = o.Compression
	}
	if len(o.Override) > 0 {
		f.Override = o.Override
	}
	if _, err := ParseCompression(f.Compression); err != nil {
		return f, fmt.Errorf("formats.syspkg options: %w", err)
	}
	for cat := range f.Override {
		if !isCategory(cat) {
			return f, fmt.Errorf("formats.syspkg options: override: %q is not a category (%s)", cat, strings.Join(Categories, ", "))
		}
	}
	return f, nil
}

// Check implements pack.Checker.
func (f Format) Check(p *pack.Package) error {
	if err := Validate(p); err != nil {
		return err
	}
	if _, err := f.withOptions(p); err != nil {
		return err // the caller names the package
	}
	return nil
}
