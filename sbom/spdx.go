package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

const noAssertion = "NOASSERTION"

// Document is the SPDX document of the package spec describes, whose
// regular files are files; tool names the program that made it
// ("kiln"). Everything in it is derived from its inputs: the
// creation time is the package's SOURCE_DATE_EPOCH and the namespace a
// digest of the rest of the document, so the same package always gets
// the same bytes.
func Document(s *Spec, files []File, tool string) (*spdx.Document, error) {
	ids := idSet{}
	p := s.Package
	created := time.Unix(p.Epoch, 0).UTC().Format("2006-01-02T15:04:05Z")
	main, err := mainPackage(s, files, tool, created, ids)
	if err != nil {
		return nil, err
	}
	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   fmt.Sprintf("%s_%s_%s", p.Name, p.Version, p.Target),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}},
			Created:  created,
		},
		Packages: []*spdx.Package{main},
	}
	rel := func(a, b common.ElementID, kind, comment string) {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)),
			Relationship: kind, RelationshipComment: comment,
		})
	}
	rel("DOCUMENT", main.PackageSPDXIdentifier, common.TypeRelationshipDescribe, "")
	for _, f := range files {
		id := ids.make("File-" + f.Path)
		doc.Files = append(doc.Files, &spdx.File{
			FileName:           "./" + f.Path,
			FileSPDXIdentifier: id,
			Checksums: []common.Checksum{
				{Algorithm: common.SHA1, Value: f.SHA1},
				{Algorithm: common.SHA256, Value: f.SHA256},
			},
			LicenseConcluded:  noAssertion,
			FileCopyrightText: noAssertion,
		})
		rel(main.PackageSPDXIdentifier, id, common.TypeRelationshipContains, "")
	}
	for i, src := range s.Sources {
		sp := sourcePackage(src, i, ids)
		doc.Packages = append(doc.Packages, sp)
		rel(main.PackageSPDXIdentifier, sp.PackageSPDXIdentifier, common.TypeRelationshipGeneratedFrom, "recipe source")
		for _, v := range src.Vendored {
			vp := vendoredPackage(v, src.Kind, ids)
			doc.Packages = append(doc.Packages, vp)
			rel(sp.PackageSPDXIdentifier, vp.PackageSPDXIdentifier, common.TypeRelationshipContains,
				fmt.Sprintf("pinned by the %s source's lock file, fetched with it", src.Kind))
		}
	}
	for _, c := range s.Sysroot {
		sp := component(c, "Sysroot-", ids)
		sp.PackageFileName = c.File
		doc.Packages = append(doc.Packages, sp)
		rel(sp.PackageSPDXIdentifier, main.PackageSPDXIdentifier, common.TypeRelationshipBuildDependencyOf, "installed into $SYSROOT")
	}
	if s.Toolchain.Image != "" { // "": no script ran, no toolchain was used
		toolchain(doc, s.Toolchain, main.PackageSPDXIdentifier, ids, rel)
	}
	for _, d := range p.Depends {
		name, constraint := splitDep(d)
		sp := component(Component{Name: name}, "Depends-", ids)
		sp.PackageComment = "runtime dependency: " + d
		if slices.Contains(p.Derived, d) {
			sp.PackageComment = "runtime dependency derived from the package's ELF files (the shared libraries they need): " + d
		}
		doc.Packages = append(doc.Packages, sp)
		rel(main.PackageSPDXIdentifier, sp.PackageSPDXIdentifier, common.TypeRelationshipDependsOn, constraint)
	}
	doc.DocumentNamespace, err = namespace(doc)
	return doc, err
}

// OriginPrefix starts the annotation of an SBOM's package that says, as
// JSON (Origin), which recipe build made it: what kiln verify rebuilds.
const OriginPrefix = "kiln-origin: "

// Origin is which build of which recipe made a package.
type Origin struct {
	Recipe  string            `json:"recipe"`
	Digest  string            `json:"digest"`
	Target  string            `json:"target"`
	Variant map[string]string `json:"variant,omitempty"`
}

// OriginOf reads the origin annotation of the package doc describes.
func OriginOf(doc *spdx.Document) (*Origin, error) {
	if len(doc.Packages) > 0 {
		for _, a := range doc.Packages[0].Annotations {
			if rest, ok := strings.CutPrefix(a.AnnotationComment, OriginPrefix); ok {
				var o Origin
				if err := json.Unmarshal([]byte(rest), &o); err != nil {
					return nil, fmt.Errorf("origin annotation: %w", err)
				}
				return &o, nil
			}
		}
	}
	return nil, fmt.Errorf("the SBOM does not say which recipe build made the package (no %q annotation)", strings.TrimSpace(OriginPrefix))
}

// mainPackage is the package the document describes, annotated with the
// recipe build that made it (Origin).
func mainPackage(s *Spec, files []File, tool, created string, ids idSet) (*spdx.Package, error) {
	p := s.Package
	main := &spdx.Package{
		PackageName:               p.Name,
		PackageSPDXIdentifier:     ids.make("Package-" + p.Name),
		PackageVersion:            p.Version,
		PackageSupplier:           supplier(p.Maintainer),
		PackageDownloadLocation:   noAssertion,
		FilesAnalyzed:             true,
		IsFilesAnalyzedTagPresent: true,
		PackageVerificationCode: &common.PackageVerificationCode{
			Value:         VerificationCode(files),
			ExcludedFiles: []string{"./" + Path(p.Name)},
		},
		PackageHomePage:         p.Homepage,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  orNoAssertion(p.License),
		PackageCopyrightText:    noAssertion,
		PackageSummary:          p.Summary,
		PackageComment:          fmt.Sprintf("built by kiln from recipe %s (%s) for target %s", s.Recipe.Name, s.Recipe.Digest, p.Target),
		PrimaryPackagePurpose:   "INSTALL",
	}
	origin, err := json.Marshal(Origin{Recipe: s.Recipe.Name, Digest: s.Recipe.Digest, Target: p.Target, Variant: s.Recipe.Variant})
	if err != nil {
		return nil, err
	}
	main.Annotations = []spdx.Annotation{{
		Annotator:      common.Annotator{AnnotatorType: "Tool", Annotator: tool},
		AnnotationDate: created, AnnotationType: "OTHER",
		AnnotationComment: OriginPrefix + string(origin),
	}}
	return main, nil
}

// toolchain adds the toolchain image and its Debian packages as build
// tools of the package.
func toolchain(doc *spdx.Document, t Toolchain, main common.ElementID, ids idSet, rel func(a, b common.ElementID, kind, comment string)) {
	img := &spdx.Package{
		PackageName:             t.Image,
		PackageSPDXIdentifier:   ids.make("Toolchain-" + t.Target),
		PackageDownloadLocation: noAssertion,
		PackageComment:          fmt.Sprintf("toolchain of target %s (%s, Debian %s): its base image, as named; its digest was not resolved", t.Target, t.Kind, t.Suite),
		PrimaryPackagePurpose:   "CONTAINER",
	}
	if pinImage(img, t.Image, t.Digest) {
		img.PackageComment = fmt.Sprintf("toolchain of target %s (%s, Debian %s): its base image, pulled by the digest it resolved to when the build started (the manifest's, or the index's for several platforms)", t.Target, t.Kind, t.Suite)
	}
	doc.Packages = append(doc.Packages, img)
	rel(img.PackageSPDXIdentifier, main, common.TypeRelationshipBuildToolOf, "")
	for _, tool := range t.Tools {
		tp := &spdx.Package{
			PackageName: tool.Ref, PackageSPDXIdentifier: ids.make("Tool-image-" + tool.Ref), PackageDownloadLocation: noAssertion,
			PackageComment:        "an image the build steps mount tools from (the Go of a gomod source), pulled by its digest",
			PrimaryPackagePurpose: "CONTAINER",
		}
		pinImage(tp, tool.Ref, tool.Digest)
		doc.Packages = append(doc.Packages, tp)
		rel(tp.PackageSPDXIdentifier, main, common.TypeRelationshipBuildToolOf, "")
	}
	if a := t.Archive; a != nil {
		ap := &spdx.Package{
			PackageName: a.URL, PackageSPDXIdentifier: ids.make("Toolchain-archive-" + t.Target),
			PackageDownloadLocation: a.URL, PackageChecksums: []common.Checksum{{Algorithm: common.SHA256, Value: a.SHA256}},
			PackageComment: "the toolchain's compiler archive, unpacked into its image", PrimaryPackagePurpose: "ARCHIVE",
		}
		doc.Packages = append(doc.Packages, ap)
		rel(ap.PackageSPDXIdentifier, main, common.TypeRelationshipBuildToolOf, "")
	}
	for _, c := range t.Packages {
		sp := component(c, "Deb-", ids)
		sp.PackageExternalReferences = []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager, RefType: "purl",
			Locator: fmt.Sprintf("pkg:deb/debian/%s@%s?arch=%s", url.PathEscape(c.Name), url.PathEscape(c.Version), c.Arch),
		}}
		doc.Packages = append(doc.Packages, sp)
		rel(img.PackageSPDXIdentifier, sp.PackageSPDXIdentifier, common.TypeRelationshipContains, "Debian package installed in the toolchain")
	}
}

// pinImage gives image package p, of reference ref, its purl and, when
// known, its digest as version and checksum; it reports whether it did.
func pinImage(p *spdx.Package, ref, digest string) bool {
	p.PackageExternalReferences = []*spdx.PackageExternalReference{{Category: common.CategoryPackageManager, RefType: "purl", Locator: imagePURL(ref, digest)}}
	d, ok := strings.CutPrefix(digest, "sha256:")
	if ok {
		p.PackageVersion = digest
		p.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: d}}
	}
	return ok
}

func sourcePackage(s Source, i int, ids idSet) *spdx.Package {
	sp := &spdx.Package{
		PackageSPDXIdentifier:   ids.make(fmt.Sprintf("Source-%d", i)),
		PackageDownloadLocation: noAssertion,
		PrimaryPackagePurpose:   "SOURCE",
	}
	switch s.Kind {
	case "url":
		sp.PackageName, sp.PackageDownloadLocation = s.URL, s.URL
		sp.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: s.SHA256}}
	case "git":
		sp.PackageName, sp.PackageDownloadLocation = s.Git, "git+"+s.Git+"@"+s.Commit
		sp.PackageVersion = s.Commit
	case "path":
		sp.PackageName = s.Path
		sp.PackageComment = "local source next to the recipe; tree digest " + s.Digest
		if d, ok := strings.CutPrefix(s.Digest, "sha256:"); ok {
			sp.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: d}}
		}
	case "gomod", "cargo", "npm", "pip":
		sp.PackageName = s.Kind + " " + s.Generator
		sp.PackageComment = fmt.Sprintf("the dependencies %s's lock file pins, fetched as a fixed-output tree", s.Generator)
	default:
		sp.PackageName = fmt.Sprintf("source %d (%s)", i, s.Kind)
		sp.PackageComment = "generated by the recipe's script"
	}
	if d, ok := strings.CutPrefix(s.Digest, "sha256:"); ok && s.Kind != "path" {
		sp.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: d}}
		sp.PackageComment += "; the digest is kiln's tree digest of its output"
	}
	return sp
}

// vendoredPackage is a dependency a generator source of kind fetched.
func vendoredPackage(v Vendored, kind string, ids idSet) *spdx.Package {
	vp := &spdx.Package{
		PackageName:             v.Name,
		PackageSPDXIdentifier:   ids.make("Vendored-" + kind + "-" + v.Name + "-" + v.Version),
		PackageVersion:          v.Version,
		PackageDownloadLocation: noAssertion,
		PackageComment:          v.Comment,
		PrimaryPackagePurpose:   "LIBRARY",
		PackageExternalReferences: []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager, RefType: "purl", Locator: v.PURL,
		}},
	}
	if v.Checksum != "" {
		vp.PackageChecksums = []common.Checksum{{Algorithm: common.ChecksumAlgorithm(v.Algorithm), Value: v.Checksum}}
	}
	return vp
}

func component(c Component, prefix string, ids idSet) *spdx.Package {
	return &spdx.Package{
		PackageName:             c.Name,
		PackageSPDXIdentifier:   ids.make(prefix + c.Name),
		PackageVersion:          c.Version,
		PackageDownloadLocation: noAssertion,
	}
}

// Marshal is the document as kiln writes it: indented JSON, one newline at
// the end.
func Marshal(doc *spdx.Document) ([]byte, error) {
	var b bytes.Buffer
	if err := spdxjson.Write(doc, &b, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return nil, fmt.Errorf("writing SPDX JSON: %w", err)
	}
	return b.Bytes(), nil
}

// namespace is a URI unique to the document's content (SPDX asks for one
// per document): a name-based UUID of everything else in it.
func namespace(doc *spdx.Document) (string, error) {
	data, err := Marshal(doc)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(data)
	u := h[:16]
	u[6] = u[6]&0x0f | 0x80 // version 8: vendor-specific, here SHA-256 based
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	x := hex.EncodeToString(u)
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", x[:8], x[8:12], x[12:16], x[16:20], x[20:]), nil
}

// idSet hands out SPDX element ids made of allowed characters, unique
// within one document.
type idSet map[common.ElementID]bool

var idBad = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

func (s idSet) make(name string) common.ElementID {
	base := idBad.ReplaceAllString(name, "-")
	id := common.ElementID(base)
	for n := 2; s[id]; n++ {
		id = common.ElementID(fmt.Sprintf("%s-%d", base, n))
	}
	s[id] = true
	return id
}

func orNoAssertion(s string) string {
	if s == "" {
		return noAssertion
	}
	return s
}

// supplier turns a maintainer "Name <mail>" into SPDX's "Person: Name (mail)".
func supplier(m string) *common.Supplier {
	if m == "" {
		return nil
	}
	name, mail, ok := strings.Cut(m, "<")
	if ok {
		m = strings.TrimSpace(name) + " (" + strings.TrimSuffix(strings.TrimSpace(mail), ">") + ")"
	}
	return &common.Supplier{SupplierType: "Person", Supplier: m}
}

// splitDep splits a Debian dependency "name (>= 1.0)" into the name and
// the constraint.
func splitDep(d string) (name, constraint string) {
	name, rest, _ := strings.Cut(strings.TrimSpace(d), " ")
	return name, strings.TrimSpace(rest)
}

// imagePURL is the package URL of an image reference (registry/repo:tag)
// and, when known, the digest it resolved to: purl's version of an OCI
// image.
func imagePURL(ref, digest string) string {
	name, tag := ref, ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		name, tag = ref[:i], ref[i+1:]
	}
	repo := name[strings.LastIndex(name, "/")+1:]
	p := "pkg:oci/" + url.PathEscape(repo)
	if digest != "" {
		p += "@" + strings.ReplaceAll(url.PathEscape(digest), ":", "%3A") // purl: sha256%3A...
	}
	p += "?repository_url=" + url.QueryEscape(name)
	if tag != "" {
		p += "&tag=" + url.QueryEscape(tag)
	}
	return p
}
