// Package oci describes the container image kiln makes of a recipe's
// packages: the recipe's formats.oci options, and the image configuration
// written for each target platform. The image's root (the runtime base
// with the packages installed) is built in the LLB graph by package llb.
package oci

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kiln-build/kiln/pack"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options are what a recipe gives under formats.oci.
type Options struct {
	// Base is the runtime image the packages are installed on, pulled for
	// each target's platform (default: the target's toolchain base image).
	Base       string            `json:"base,omitempty"`
	Entrypoint []string          `json:"entrypoint,omitempty"`
	Cmd        []string          `json:"cmd,omitempty"`
	Env        map[string]string `json:"env,omitempty"`
	WorkingDir string            `json:"workdir,omitempty"`
	User       string            `json:"user,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// Decode reads a formats.oci object; unknown keys are errors.
func Decode(raw []byte) (Options, error) {
	var o Options
	if err := pack.DecodeOptions("oci", raw, &o); err != nil {
		return Options{}, err
	}
	for k := range o.Env {
		if k == "" || strings.ContainsAny(k, "= \t\n") {
			return Options{}, fmt.Errorf("formats.oci options: env: %q is not a variable name", k)
		}
	}
	if strings.ContainsAny(o.Base, " \t\n") {
		return Options{}, fmt.Errorf("formats.oci options: base %q is not an image reference", o.Base)
	}
	return o, nil
}

// Meta is what the image's labels say about the recipe.
type Meta struct {
	Name, Version, Summary, License, Homepage, Maintainer string
	Epoch                                                 int64
}

// DefaultPath is the PATH an image gets unless its options set one.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Config is the image configuration for platform p. Its creation time is
// the recipe's timestamp, so identical inputs give an identical image.
func Config(o Options, m Meta, p ocispecs.Platform) ([]byte, error) {
	created := time.Unix(m.Epoch, 0).UTC()
	env := map[string]string{"PATH": DefaultPath}
	for k, v := range o.Env {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var envList []string
	for _, k := range keys {
		envList = append(envList, k+"="+env[k])
	}
	labels := map[string]string{
		"org.opencontainers.image.title":   m.Name,
		"org.opencontainers.image.version": m.Version,
		"org.opencontainers.image.created": created.Format(time.RFC3339),
	}
	for k, v := range map[string]string{
		"org.opencontainers.image.description": m.Summary,
		"org.opencontainers.image.licenses":    m.License,
		"org.opencontainers.image.url":         m.Homepage,
		"org.opencontainers.image.authors":     m.Maintainer,
	} {
		if v != "" {
			labels[k] = v
		}
	}
	for k, v := range o.Labels {
		labels[k] = v
	}
	img := ocispecs.Image{
		Created:  &created,
		Platform: p,
		Config: ocispecs.ImageConfig{
			Env:        envList,
			Entrypoint: o.Entrypoint,
			Cmd:        o.Cmd,
			WorkingDir: o.WorkingDir,
			User:       o.User,
			Labels:     labels,
		},
		RootFS: ocispecs.RootFS{Type: "layers"},
	}
	return json.Marshal(img) // maps marshal sorted: stable bytes
}

// WithHistory gives cfg the history of the base image it is built on plus
// one entry for the layer kiln adds. BuildKit would otherwise describe the
// base layers by how its cache got them ("pulled from ...", or the local
// import that made them), which differs between daemons.
func WithHistory(cfg, baseCfg []byte, createdBy string) ([]byte, error) {
	var img, base ocispecs.Image
	if err := json.Unmarshal(cfg, &img); err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	if err := json.Unmarshal(baseCfg, &base); err != nil {
		return nil, fmt.Errorf("base image config: %w", err)
	}
	img.History = append(append([]ocispecs.History(nil), base.History...), ocispecs.History{
		Created: img.Created, CreatedBy: createdBy, Comment: "kiln",
	})
	// Base images without history still get one entry per layer.
	for len(img.History) < len(base.RootFS.DiffIDs)+1 {
		img.History = append([]ocispecs.History{{Created: base.Created, Comment: "base layer"}}, img.History...)
	}
	return json.Marshal(img)
}
