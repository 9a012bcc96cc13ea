package sbom

import (
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
