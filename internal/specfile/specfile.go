// Package specfile reads the JSON specifications the build graph's steps
// take (kiln split|check|elfcheck --spec FILE), written by the compiler.
package specfile

import (
	"encoding/json"
	"fmt"
	"os"
)

// Read decodes the JSON file into v; a decoding error names the file.
func Read(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}
