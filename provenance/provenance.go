// Package provenance writes the in-toto statement with a SLSA v1
// provenance predicate that kiln puts next to a build's packages: what was
// built (every file written, by sha256), from what (each recipe's digest,
// every source's digest, the toolchain images' digests, as the packages'
// SBOMs record them) and by what (kiln's and the daemon's versions). It
// holds no times and no random ids, so the same build gives the same bytes.
package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	intoto "github.com/in-toto/in-toto-golang/in_toto"
	"github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/common"
	slsa "github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/v1"
	"github.com/kiln-build/kiln/sbom"
	"golang.org/x/sync/errgroup"
)

const (
	// File is the statement's name in the output directory; SignedFile
	// is its DSSE envelope, signed with the developer key (--sign).
	File       = "provenance.intoto.json"
	SignedFile = "provenance.intoto.dsse.json"
	// BuildType names what a kiln build's parameters mean.
	BuildType = "https://github.com/kiln-build/kiln/provenance/build/v1"
	// BuilderID names kiln as the builder.
	BuilderID = "https://github.com/kiln-build/kiln"
)

// Build is what kiln knows of a build besides its output files.
type Build struct {
	// Jobs are the recipes built, each for one target and variant.
	Jobs []Job `json:"jobs"`
	// Targets and Options are what the user asked for.
	Targets []string          `json:"targets,omitempty"`
	Options map[string]string `json:"options,omitempty"`
	// BaseImage is the --base-image setting, if any.
	BaseImage string `json:"baseImage,omitempty"`
	// Kiln and BuildKit are the versions of kiln and of the daemon(s).
	Kiln     string `json:"-"`
	BuildKit string `json:"-"`
	// Images are the toolchain base images' digests by reference, as the
	// daemon resolved them, for SBOMs that record none.
	Images map[string]string `json:"-"`
	// Artifacts are what the build made besides the output directory's
	// files: the container image's OCI tarball, the image it pushed.
	Artifacts []Artifact `json:"-"`
}

// Artifact is a subject of the statement named other than by its path
// in the output directory.
type Artifact struct {
	Name   string
	SHA256 string // hex
}

// Job is one recipe built for one target (and variant).
type Job struct {
	Recipe  string            `json:"recipe"`
	Target  string            `json:"target"`
	Variant map[string]string `json:"variant,omitempty"`
	// Digest is sha256: of the resolved recipe (as the SBOMs record it).
	Digest string `json:"digest"`
}

// Statement is the provenance of the files (relative to dir) a build
// wrote; the SBOMs among them give the sources and toolchain images.
func Statement(b Build, dir string, files []string, docs SBOMs) (*intoto.ProvenanceStatementSLSA1, error) {
	st := &intoto.ProvenanceStatementSLSA1{
		StatementHeader: intoto.StatementHeader{Type: intoto.StatementInTotoV01, PredicateType: slsa.PredicateSLSAProvenance},
	}
	deps := map[string]slsa.ResourceDescriptor{}
	var subjects []string
	for _, f := range sorted(files) {
		if f != File && f != SignedFile {
			subjects = append(subjects, f)
		}
	}
	sums, err := filesSHA256(dir, subjects)
	if err != nil {
		return nil, err
	}
	for i, f := range subjects {
		sum := sums[i]
		st.Subject = append(st.Subject, intoto.Subject{Name: f, Digest: common.DigestSet{"sha256": sum}})
		if doc := docs[f]; doc != nil {
			dependencies(doc, b.Images, deps)
		}
	}
	arts := slices.Clone(b.Artifacts)
	sort.Slice(arts, func(i, k int) bool { return arts[i].Name < arts[k].Name })
	for _, a := range arts {
		st.Subject = append(st.Subject, intoto.Subject{Name: a.Name, Digest: common.DigestSet{"sha256": a.SHA256}})
	}
	jobs := slices.Clone(b.Jobs)
	sort.Slice(jobs, func(i, k int) bool { return jobKey(jobs[i]) < jobKey(jobs[k]) })
	b.Jobs = jobs
	st.Predicate = slsa.ProvenancePredicate{
		BuildDefinition: slsa.ProvenanceBuildDefinition{
			BuildType:          BuildType,
			ExternalParameters: b,
		},
		RunDetails: slsa.ProvenanceRunDetails{
			Builder: slsa.Builder{ID: BuilderID, Version: map[string]string{"kiln": b.Kiln, "buildkit": b.BuildKit}},
		},
	}
	for _, k := range sorted(keys(deps)) {
		st.Predicate.BuildDefinition.ResolvedDependencies = append(st.Predicate.BuildDefinition.ResolvedDependencies, deps[k])
	}
	return st, nil
}

// Marshal is the statement as kiln writes it: indented JSON ending in a
// newline.
func Marshal(st *intoto.ProvenanceStatementSLSA1) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("writing provenance: %w", err)
	}
	return b.Bytes(), nil
}

// SBOMs are the SBOMs among a build's files, read once, by file name
// relative to the output directory.
type SBOMs map[string]*sbom.Doc

// ReadSBOMs reads the SBOMs among files (relative to dir), on every core:
// a feed's SBOMs list every file and toolchain package, and a no-op
// rebuild would otherwise spend most of its own time parsing them.
func ReadSBOMs(dir string, files []string) (SBOMs, error) {
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, sbom.Ext) {
			names = append(names, f)
		}
	}
	read := make([]*sbom.Doc, len(names))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range names {
		g.Go(func() (err error) {
			read[i], err = readSBOM(filepath.Join(dir, f))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	docs := SBOMs{}
	for i, f := range names {
		docs[f] = read[i]
	}
	return docs, nil
}

// ImageRefs lists the toolchain images the SBOMs name without the digest
// they resolved to (the daemon is asked for those).
func (docs SBOMs) ImageRefs() []string {
	refs := map[string]bool{}
	for _, doc := range docs {
		if ref := sbom.ToolchainImage(doc); ref != "" && sbom.ToolchainDigest(doc) == "" {
			refs[ref] = true
		}
	}
	return sorted(keys(refs))
}

// dependencies adds the sources and toolchain image of doc.
func dependencies(doc *sbom.Doc, images map[string]string, deps map[string]slsa.ResourceDescriptor) {
	for _, p := range doc.Packages {
		var d slsa.ResourceDescriptor
		switch p.PrimaryPackagePurpose {
		case "SOURCE", "ARCHIVE": // recipe sources, a toolchain's compiler archive
			d = slsa.ResourceDescriptor{Name: p.PackageName, Digest: common.DigestSet{}}
			if p.PackageDownloadLocation != "NOASSERTION" {
				d.URI = p.PackageDownloadLocation
			}
			for _, c := range p.PackageChecksums {
				d.Digest[strings.ToLower(string(c.Algorithm))] = c.Value
			}
			if strings.HasPrefix(d.URI, "git+") {
				d.Digest["gitCommit"] = p.PackageVersion
			}
		case "CONTAINER": // the digest the SBOM records, else the daemon's
			d = slsa.ResourceDescriptor{Name: p.PackageName, Digest: common.DigestSet{}}
			for _, c := range p.PackageChecksums {
				d.Digest[strings.ToLower(string(c.Algorithm))] = c.Value
			}
			if dg, ok := strings.CutPrefix(images[p.PackageName], "sha256:"); ok && len(d.Digest) == 0 {
				d.Digest["sha256"] = dg
			}
		default:
			continue
		}
		if len(d.Digest) == 0 {
			d.Digest = nil
		}
		key, _ := json.Marshal(d)
		deps[string(key)] = d
	}
}

func readSBOM(path string) (*sbom.Doc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := sbom.ReadPackages(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// filesSHA256 hashes the files (relative to dir) on every core.
func filesSHA256(dir string, files []string) ([]string, error) {
	sums := make([]string, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() (err error) {
			sums[i], err = fileSHA256(filepath.Join(dir, f))
			return err
		})
	}
	return sums, g.Wait()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func jobKey(j Job) string {
	v, _ := json.Marshal(j.Variant)
	return j.Recipe + "\x00" + j.Target + "\x00" + string(v)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
