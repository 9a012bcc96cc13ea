// Package sbomtest checks SBOMs in tests against the SPDX 2.3 JSON schema
// with an independent JSON Schema validator, not with the library that
// wrote them.
package sbomtest

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaJSON holds the constraints of the SPDX 2.3.1 JSON schema
// (spdx-spec, schemas/spdx-schema.json), transcribed without its
// descriptions.
//
//go:embed spdx-2.3-schema.json
var schemaJSON []byte

const schemaURL = "http://spdx.org/rdf/terms/2.3"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

// Validate reports whether data is an SPDX 2.3 JSON document the schema
// accepts.
func Validate(data []byte) error {
	sch, err := compiled()
	if err != nil {
		return fmt.Errorf("compiling the SPDX schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}
