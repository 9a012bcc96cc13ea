package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/oci"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/solve"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/sirupsen/logrus"
)

// Image asks a build for the container image of its recipe with
// formats.oci (every target's platform).
type Image struct {
	// Ref is where the image is pushed ("" = nowhere).
	Ref string
	// OCI is a file the image is written to as an OCI layout tarball.
	OCI string
}

// imageExport is the image's solve, run once the packages are built (its
// steps are then cached): one ref per target platform.
type imageExport struct {
	img      *Image
	attrs    map[string]string
	platform []string
}

// newImageExport checks the request and the plan before anything is built.
func newImageExport(p *plan.Plan, f *Image) (*imageExport, error) {
	if f.Ref != "" {
		if _, err := reference.ParseNormalizedNamed(f.Ref); err != nil {
			return nil, fmt.Errorf("--image %q: %w", f.Ref, err)
		}
	}
	imgs, err := graph.ImageJobs(p.Jobs)
	if err != nil {
		return nil, err
	}
	e := &imageExport{img: f}
	for _, j := range imgs {
		e.platform = append(e.platform, platforms.Format(j.Image.Platform))
	}
	// Layers and the image's dates are clamped to the recipe's timestamp.
	// OCI media types in the registry too, so the pushed index and the
	// tarball's are the same bytes.
	e.attrs = map[string]string{
		"oci-mediatypes":    "true",
		"rewrite-timestamp": "true",
		"source-date-epoch": strconv.FormatInt(imgs[0].Recipe.Epoch, 10),
	}
	return e, nil
}

// run solves the image on the first daemon, pushes it and writes the
// tarball through a temporary file, moved in place only on success. It
// returns what was done, for the user, and for the provenance the
// tarball and the pushed image by their digests.
func (e *imageExport) run(ctx context.Context, b *Build, t Target) (string, []provenance.Artifact, error) {
	var exports []client.ExportEntry
	var done []string
	if ref := e.img.Ref; ref != "" {
		a := maps.Clone(e.attrs)
		a["name"], a["push"] = ref, "true"
		if insecure(ref) {
			a["registry.insecure"] = "true"
		}
		exports = append(exports, client.ExportEntry{Type: client.ExporterImage, Attrs: a})
		done = append(done, "pushed "+ref)
	}
	var tar *tarball
	if e.img.OCI != "" {
		var err error
		if tar, err = newTarball(e.img.OCI); err != nil {
			return "", nil, err
		}
		defer tar.cleanup()
		// No name: BuildKit would annotate the tarball's index with where
		// the image was pushed before, which differs from run to run.
		exports = append(exports, client.ExportEntry{Type: client.ExporterOCI, Attrs: maps.Clone(e.attrs), Output: tar.output})
		done = append(done, "wrote "+e.img.OCI)
	}
	s := Solve{Imports: t.Cache.GatewayImports()}
	p, err := b.Plan(ctx)
	if err != nil {
		return "", nil, err
	}
	steps, err := b.stepKinds(ctx)
	if err != nil {
		return "", nil, err
	}
	sum, err := solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: t.Daemons[0], Cache: t.Cache, Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return SolveImage(ctx, c, p, s)
		}}},
		Locals:   b.Locals,
		Progress: t.Progress,
		Steps:    steps,
		Exports:  exports,
	})
	if err != nil {
		return "", nil, fmt.Errorf("container image: %w", err)
	}
	var arts []provenance.Artifact
	if tar != nil {
		if err := tar.commit(); err != nil {
			return "", nil, fmt.Errorf("container image: %s: %w", e.img.OCI, err)
		}
		a, err := tarballArtifact(e.img.OCI, t.OutDir)
		if err != nil {
			return "", nil, err
		}
		arts = append(arts, a)
	}
	if ref := e.img.Ref; ref != "" {
		dg, ok := strings.CutPrefix(sum.Exported[exptypes.ExporterImageDigestKey], "sha256:")
		if !ok {
			return "", nil, fmt.Errorf("container image: the daemon did not say which digest %s was pushed as", ref)
		}
		arts = append(arts, provenance.Artifact{Name: ref, SHA256: dg})
	}
	return fmt.Sprintf("%s (%s)", strings.Join(done, ", "), strings.Join(e.platform, ", ")), arts, nil
}

// tarballArtifact is the OCI tarball at name by its sha256, named by its
// path in the output directory dir when it is there, else by its file
// name (a path elsewhere says nothing about the build).
func tarballArtifact(name, dir string) (provenance.Artifact, error) {
	f, err := os.Open(name)
	if err != nil {
		return provenance.Artifact{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return provenance.Artifact{}, fmt.Errorf("hashing %s: %w", name, err)
	}
	a := provenance.Artifact{Name: filepath.Base(name), SHA256: hex.EncodeToString(h.Sum(nil))}
	absDir, err1 := filepath.Abs(dir)
	absName, err2 := filepath.Abs(name)
	if rel, err := filepath.Rel(absDir, absName); err1 == nil && err2 == nil && err == nil && filepath.IsLocal(rel) {
		a.Name = filepath.ToSlash(rel)
	}
	return a, nil
}

// tarball is an OCI layout tarball being written beside its final name.
type tarball struct {
	name    string
	tmp     *os.File
	written chan error
}

func newTarball(name string) (*tarball, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	// Staged under a name SweepStale knows: a kiln killed (SIGKILL) while
	// writing leaves no lasting half-written image beside the packages.
	if err := atomicfile.SweepStale(filepath.Dir(name)); err != nil {
		logrus.Warnf("%s: %v", filepath.Dir(name), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), atomicfile.StagePattern(filepath.Base(name)))
	if err != nil {
		return nil, err
	}
	return &tarball{name: name, tmp: tmp, written: make(chan error, 1)}, nil
}

// output is the OCI exporter's writer: BuildKit's layout, cleaned of what
// differs from run to run (oci.CleanLayout), goes to the temporary file.
func (t *tarball) output(map[string]string) (io.WriteCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		err := oci.CleanLayout(pr, t.tmp)
		pr.CloseWithError(err)
		t.written <- err
	}()
	return pw, nil
}

// commit moves the finished tarball to its name.
func (t *tarball) commit() error {
	if err := <-t.written; err != nil {
		return err
	}
	if err := t.tmp.Sync(); err != nil {
		return err
	}
	if err := os.Chmod(t.tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(t.tmp.Name(), t.name); err != nil {
		return err
	}
	t.tmp.Close()
	t.tmp = nil
	return nil
}

// cleanup removes a tarball left unfinished by a failed build.
func (t *tarball) cleanup() {
	if t.tmp != nil {
		t.tmp.Close()
		os.Remove(t.tmp.Name())
		t.tmp = nil
	}
}

// insecure: the image's registry is one the daemon reaches over plain
// HTTP (KILN_INSECURE_REGISTRIES, or loopback).
func insecure(ref string) bool {
	host, _, _ := strings.Cut(ref, "/")
	return slices.Contains(daemon.InsecureRegistries(), host) ||
		strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost:")
}
