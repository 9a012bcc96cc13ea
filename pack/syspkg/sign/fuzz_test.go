package sign

import (
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// FuzzDescribe: reading certificates, requests and keys (kiln cert show,
// --dev-cert, --repo-cert) never panics, whatever PEM or bytes it gets.
func FuzzDescribe(f *testing.F) {
	testtool.AddFiles(f, filepath.Join("testdata", "*"))
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Describe(data)
		_, _ = ParseCert(data)
		_, _ = ParseCSR(data)
		_, _ = ParseKey(data)
		_, _, _, _ = Split(data)
	})
}
