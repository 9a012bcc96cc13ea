package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// builderFile is the on-disk form of a builder: the daemons one build is
// spread across, each with its own TLS files (as buildx nodes have).
type builderFile struct {
	Daemons []yaml.Node `yaml:"daemons"`
}

// LoadBuilder reads a builder file (YAML, or JSON which is YAML too):
//
//	daemons:
//	  - addr: tcp://build1.example:1234
//	    tlscacert: certs/ca.pem   # relative paths are relative to this file
//	    tlscert: certs/cert.pem
//	    tlskey: certs/key.pem
//	  - addr: tcp://build2.example:1234
//
// Errors name the file and line.
func LoadBuilder(path string) ([]Remote, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading builder file: %w", err)
	}
	// Typed first, for misspelt fields (KnownFields does not reach into
	// yaml.Node values); then as nodes, for each entry's line.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var typed struct {
		Daemons []Remote `yaml:"daemons"`
	}
	if err := dec.Decode(&typed); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var f builderFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Daemons) == 0 {
		return nil, fmt.Errorf("%s: no daemons listed (want `daemons: [{addr: tcp://host:port}, ...]`)", path)
	}
	dir := filepath.Dir(path)
	var out []Remote
	var errs []error
	for i := range f.Daemons {
		n := &f.Daemons[i]
		var r Remote
		if err := n.Decode(&r); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: daemons[%d]: %w", path, n.Line, i, err))
			continue
		}
		if r.Addr == "" {
			errs = append(errs, fmt.Errorf("%s:%d: daemons[%d]: addr is required", path, n.Line, i))
			continue
		}
		for _, p := range []*string{&r.CACert, &r.Cert, &r.Key} {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(dir, *p)
			}
		}
		if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: daemons[%d]: %w", path, n.Line, i, err))
			continue
		}
		out = append(out, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
