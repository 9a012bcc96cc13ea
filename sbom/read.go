package sbom

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spdx/tools-golang/spdx/v2/common"

	spdxjson "github.com/spdx/tools-golang/json"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// Read parses an SPDX 2.3 JSON document.
func Read(r io.Reader) (*spdx.Document, error) {
	var doc spdx.Document
	if err := spdxjson.ReadInto(r, &doc); err != nil {
		return nil, fmt.Errorf("reading SPDX JSON: %w", err)
	}
	return &doc, nil
}

// Doc is an SPDX 2.3 document as Read returns it.
type Doc = spdx.Document

// ToolchainImage is the base image reference of the toolchain doc's
// package was built in ("" if it names none).
func ToolchainImage(doc *Doc) string {
	for _, p := range doc.Packages {
		if p.PrimaryPackagePurpose == "CONTAINER" {
			return p.PackageName
		}
	}
	return ""
}

// ToolchainDigest is the digest ("sha256:...") the toolchain's base image
// resolved to and was pulled by ("" if doc records none).
func ToolchainDigest(doc *Doc) string {
	for _, p := range doc.Packages {
		if p.PrimaryPackagePurpose != "CONTAINER" {
			continue
		}
		for _, c := range p.PackageChecksums {
			if c.Algorithm == common.SHA256 {
				return "sha256:" + c.Value
			}
		}
		return "" // the first image is the toolchain's base
	}
	return ""
}

// ReadPackages reads only what each package of an SPDX JSON document says
// about itself: name, version, download location, checksums and purpose.
// The provenance needs no more, and a no-op rebuild of a feed otherwise
// spent most of its own time in Read's full decoding (every file and
// relationship, each through tools-golang's own unmarshalling).
func ReadPackages(data []byte) (*Doc, error) {
	var doc struct {
		Packages []struct {
			Name                  string `json:"name"`
			VersionInfo           string `json:"versionInfo"`
			DownloadLocation      string `json:"downloadLocation"`
			PrimaryPackagePurpose string `json:"primaryPackagePurpose"`
			Checksums             []struct {
				Algorithm     common.ChecksumAlgorithm `json:"algorithm"`
				ChecksumValue string                   `json:"checksumValue"`
			} `json:"checksums"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading SPDX JSON: %w", err)
	}
	out := &Doc{Packages: make([]*spdx.Package, len(doc.Packages))}
	for i, p := range doc.Packages {
		out.Packages[i] = &spdx.Package{PackageName: p.Name, PackageVersion: p.VersionInfo,
			PackageDownloadLocation: p.DownloadLocation, PrimaryPackagePurpose: p.PrimaryPackagePurpose}
		for _, c := range p.Checksums {
			out.Packages[i].PackageChecksums = append(out.Packages[i].PackageChecksums,
				common.Checksum{Algorithm: c.Algorithm, Value: c.ChecksumValue})
		}
	}
	return out, nil
}
