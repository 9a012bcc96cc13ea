package schema

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadAll(t *testing.T) {
	good := filepath.Join("..", "examples", "hello")
	rs, err := LoadAll([]string{good, filepath.Join("..", "examples", "greet"), good})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Name != "hello" || rs[1].Name != "greet" || rs[2].Name != "hello" {
		t.Fatalf("order not kept: %v", rs)
	}
	_, err = LoadAll([]string{good, "testdata/bad/version.yaml", "testdata/nope.yaml"})
	if err == nil || !strings.Contains(err.Error(), "version.yaml:") || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("want both problems reported, got %v", err)
	}
}
