package specfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"name": "x"}`), 0o644)
	os.WriteFile(bad, []byte(`{"name": `), 0o644)
	var v struct{ Name string }
	if err := Read(good, &v); err != nil || v.Name != "x" {
		t.Errorf("Read(good) = %v, %+v", err, v)
	}
	if err := Read(bad, &v); err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("Read(bad) = %v, want an error naming the file", err)
	}
	if err := Read(filepath.Join(dir, "none.json"), &v); err == nil {
		t.Error("Read(missing): no error")
	}
}
