package tarball

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanRefusesBadNames: a name with a line break cannot be listed in
// a package's file list (dpkg refuses it) and one that is not UTF-8 is not
// portable: both are refused at pack time, naming the file.
func TestScanRefusesBadNames(t *testing.T) {
	for name, file := range map[string]string{
		"newline":       "opt/a\nb",
		"carriage":      "opt/a\rb",
		"invalid UTF-8": "opt/caf\xe9",
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, file)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Scan(root)
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(quoteName(filepath.Join(root, file)), `"`)) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
