package frontend

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/containerd/platforms"
	intoto "github.com/in-toto/in-toto-golang/in_toto"
	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/attestations"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/result"
	digest "github.com/opencontainers/go-digest"
)

// AttestationSuffix ends the name of the SBOM attestation BuildKit's
// exporters write for a package FILE (FILE + AttestationSuffix): not
// FILE.spdx.json, which is the plain SBOM beside it.
const AttestationSuffix = ".sbom.intoto.json"

// wantsAttestations reports whether the client asked for attestations
// (buildx --sbom, --provenance), and for an SBOM.
func wantsAttestations(opts map[string]string) (any, sbom bool, err error) {
	as, err := attestations.Parse(opts)
	if err != nil {
		return false, false, err
	}
	_, sbom = as[attestations.KeyTypeSbom]
	return len(as) > 0, sbom, nil
}

// ensurePlatforms gives a result without platform metadata (kiln's
// packages of every target side by side) one entry, for the build
// platform: BuildKit's exporters only write attestations (then its own
// provenance too) for the platforms a result lists.
func ensurePlatforms(res *gwclient.Result) error {
	if _, ok := res.Metadata[exptypes.ExporterPlatformsKey]; ok {
		return nil
	}
	p := toolchains.BuildPlatform
	dt, err := json.Marshal(exptypes.Platforms{Platforms: []exptypes.Platform{{ID: platforms.FormatAll(p), Platform: p}}})
	if err != nil {
		return err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return nil
}

// attachSBOMs adds kiln's SBOM of every package file of res's platform
// id (files, as in the build's output) as an SPDX in-toto attestation
// whose subject is the package file, so buildx --sbom carries kiln's SBOMs
// (and BuildKit skips its scanner, which finds an SBOM already there).
func attachSBOMs(ctx context.Context, c gwclient.Client, res *gwclient.Result, id string, files []string) error {
	ref, ok := res.FindRef(id)
	if !ok || ref == nil || len(files) == 0 {
		return nil
	}
	st, err := ref.ToState()
	if err != nil {
		return err
	}
	att, err := solveState(ctx, c, sbomState(st, files))
	if err != nil {
		return fmt.Errorf("sbom attestations: %w", err)
	}
	for _, f := range files {
		data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: f})
		if err != nil {
			return fmt.Errorf("sbom attestation of %s: %w", f, err)
		}
		res.AddAttestation(id, sbomAttestation(att, f, digest.FromBytes(data)))
	}
	return nil
}

// sbomState holds the SBOM of each package file under the name its
// attestation is written as.
func sbomState(out bkllb.State, files []string) bkllb.State {
	st := bkllb.Scratch()
	for _, f := range files {
		st = st.File(bkllb.Copy(out, "/"+llb.SBOMFile(f), "/"+attestationName(f)),
			bkllb.WithCustomName("sbom attestation "+f))
	}
	return st
}

// attestationName is the file an attestation of package file f is read
// from and exported as; variants' subdirectories become part of the name.
func attestationName(f string) string {
	return strings.ReplaceAll(f, "/", "_") + AttestationSuffix
}

func sbomAttestation(ref gwclient.Reference, file string, d digest.Digest) gwclient.Attestation {
	return gwclient.Attestation{
		Kind: gwpb.AttestationKind_InToto,
		Ref:  ref,
		Path: path.Join("/", attestationName(file)),
		InToto: result.InTotoAttestation{
			PredicateType: intoto.PredicateSPDX,
			Subjects:      []result.InTotoSubject{{Kind: gwpb.InTotoSubjectKind_Raw, Name: file, Digest: []digest.Digest{d}}},
		},
	}
}

// image solves the container image; with buildx --sbom, the SBOMs of the
// packages unpacked into each platform's root (sbom.Dir) are its SPDX
// attestations.
func image(ctx context.Context, c gwclient.Client, p *plan.Plan, s build.Solve) (*gwclient.Result, error) {
	res, err := build.SolveImage(ctx, c, p, s)
	if err != nil {
		return nil, err
	}
	if _, want, err := wantsAttestations(c.BuildOpts().Opts); err != nil || !want {
		return res, err
	}
	ps, err := exptypes.ParsePlatforms(res.Metadata)
	if err != nil {
		return nil, err
	}
	for _, pl := range ps.Platforms {
		ref, ok := res.FindRef(pl.ID)
		if !ok || ref == nil {
			continue
		}
		entries, err := ref.ReadDir(ctx, gwclient.ReadDirRequest{Path: sbom.Dir, IncludePattern: "*" + sbom.Ext})
		if err != nil {
			continue // no kiln package in this root
		}
		for _, e := range entries {
			res.AddAttestation(pl.ID, gwclient.Attestation{
				Kind: gwpb.AttestationKind_InToto, Ref: ref, Path: path.Join("/", sbom.Dir, e.Path),
				InToto: result.InTotoAttestation{PredicateType: intoto.PredicateSPDX},
			})
		}
	}
	return res, nil
}
