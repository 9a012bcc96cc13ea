package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/oci"
	"github.com/kiln-build/kiln/solve"
	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// imageFlags ask kiln build for the container image of the build's recipe
// with formats.oci: pushed to a registry, and/or written as an OCI tarball.
type imageFlags struct {
	ref string // --image
	oci string // --oci
}

func (f *imageFlags) wanted() bool { return f.ref != "" || f.oci != "" }

// imageBuild is the image's solve, run once the packages are built (its
// steps are then cached): one ref per target platform.
type imageBuild struct {
	exports  []client.ExportEntry
	tmp      *os.File // the OCI tarball being written
	written  chan error
	desc     string
	platform []string
}

// prepare checks the flags and the plan before anything is built.
func (f *imageFlags) prepare(p *planned) (*imageBuild, error) {
	if f.ref != "" {
		if _, err := reference.ParseNormalizedNamed(f.ref); err != nil {
			return nil, fmt.Errorf("--image %q: %w", f.ref, err)
		}
	}
	jobs, err := frontend.Plan(p.opts)
	if err != nil {
		return nil, err
	}
	imgs, err := frontend.ImageJobs(jobs)
	if err != nil {
		return nil, err
	}
	b := &imageBuild{}
	for _, j := range imgs {
		b.platform = append(b.platform, platforms.Format(j.Image.Platform))
	}
	// Layers and the image's dates are clamped to the recipe's timestamp.
	// OCI media types in the registry too, so the pushed index and the
	// tarball's are the same bytes.
	attrs := map[string]string{
		"oci-mediatypes":    "true",
		"rewrite-timestamp": "true",
		"source-date-epoch": strconv.FormatInt(imgs[0].Recipe.Epoch, 10),
	}
	if f.ref != "" {
		a := maps.Clone(attrs)
		a["name"], a["push"] = f.ref, "true"
		if insecure(f.ref) {
			a["registry.insecure"] = "true"
		}
		b.exports = append(b.exports, client.ExportEntry{Type: client.ExporterImage, Attrs: a})
		b.desc = "pushed " + f.ref
	}
	if f.oci != "" {
		if err := os.MkdirAll(filepath.Dir(f.oci), 0o755); err != nil {
			return nil, err
		}
		tmp, err := os.CreateTemp(filepath.Dir(f.oci), "."+filepath.Base(f.oci)+".*")
		if err != nil {
			return nil, err
		}
		b.tmp = tmp
		// No name: BuildKit would annotate the tarball's index with where
		// the image was pushed before, which differs from run to run.
		a := maps.Clone(attrs)
		b.written = make(chan error, 1)
		b.exports = append(b.exports, client.ExportEntry{Type: client.ExporterOCI, Attrs: a,
			Output: func(map[string]string) (io.WriteCloser, error) {
				pr, pw := io.Pipe()
				go func() {
					err := oci.CleanLayout(pr, tmp)
					pr.CloseWithError(err)
					b.written <- err
				}()
				return pw, nil
			}})
		b.desc = strings.TrimPrefix(b.desc+", wrote "+f.oci, ", ")
	}
	return b, nil
}

// run solves the image on d and, on success, moves the tarball in place.
func (b *imageBuild) run(ctx context.Context, f *imageFlags, p *planned, d daemon.Remote, co cache.Options, progress string, steps map[string]string) error {
	o := p.opts
	_, err := solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: d, Cache: co, Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			c, err := cache.WithImports(c)
			if err != nil {
				return nil, err
			}
			return frontend.BuildImage(ctx, c, o)
		}}},
		Locals:   p.locals,
		Progress: progress,
		Steps:    steps,
		Exports:  b.exports,
	})
	if err != nil {
		return fmt.Errorf("container image: %w", err)
	}
	if b.tmp != nil {
		if err := <-b.written; err != nil {
			return fmt.Errorf("container image: %s: %w", f.oci, err)
		}
		if err := b.tmp.Sync(); err != nil {
			return err
		}
		if err := os.Chmod(b.tmp.Name(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(b.tmp.Name(), f.oci); err != nil {
			return err
		}
		b.tmp = nil
	}
	fmt.Fprintf(os.Stderr, "kiln: image %s (%s)\n", b.desc, strings.Join(b.platform, ", "))
	return nil
}

// cleanup removes a tarball left unfinished by a failed build.
func (b *imageBuild) cleanup() {
	if b.tmp != nil {
		b.tmp.Close()
		os.Remove(b.tmp.Name())
		b.tmp = nil
	}
}

// insecure: the image's registry is one the daemon reaches over plain
// HTTP (KILN_INSECURE_REGISTRIES, or loopback).
func insecure(ref string) bool {
	host, _, _ := strings.Cut(ref, "/")
	return slices.Contains(daemon.InsecureRegistries(), host) ||
		strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost:")
}
