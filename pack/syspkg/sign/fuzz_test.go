package sign

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDescribe: reading certificates, requests and keys (kiln cert show,
// --dev-cert, --repo-cert) never panics, whatever PEM or bytes it gets.
func FuzzDescribe(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Describe(data)
		_, _ = ParseCert(data)
		_, _ = ParseCSR(data)
		_, _ = ParseKey(data)
		_, _, _, _ = Split(data)
	})
}
