package schema

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadAll(t *testing.T) {
	good := filepath.Join("..", "examples", "hello")
	rs, err := LoadAll([]string{good, filepath.Join("..", "examples", "greet"), good, filepath.Join("testdata", "good", "repo.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(rs), []string{"hello", "greet", "hello", "libgreet", "greet", "greet-data"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order not kept: %v", got)
	}
	_, err = LoadAll([]string{good, "testdata/bad/version.yaml", "testdata/nope.yaml"})
	if err == nil || !strings.Contains(err.Error(), "version.yaml:") || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("want both problems reported, got %v", err)
	}
}

func names(rs []*Recipe) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}
