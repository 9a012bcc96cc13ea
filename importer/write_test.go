package importer

import (
	"strings"
	"testing"
)

// TestWriteSharedClash: a shared file (Toltec's install library recipe)
// and an imported recipe writing the same path is an error naming it,
// not one silently replacing the other.
func TestWriteSharedClash(t *testing.T) {
	im := &Import{
		Recipes: []*Recipe{{Name: "lib", Source: "lib/package", Fields: Map{{Key: "name", Value: "lib"}}}},
		Shared:  map[string][]byte{"lib/kiln.cue": []byte("name: \"lib\"\n")},
	}
	_, err := Write(t.TempDir(), im, FormatCUE)
	if err == nil || !strings.Contains(err.Error(), "lib/kiln.cue") {
		t.Fatalf("got %v, want an error naming lib/kiln.cue", err)
	}
}
