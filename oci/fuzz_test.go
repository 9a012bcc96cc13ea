package oci

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"
)

// FuzzCleanLayout: cleaning the OCI layout tarball BuildKit sends never
// panics, whatever the tar or index.json holds.
func FuzzCleanLayout(f *testing.F) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, body := range map[string]string{"oci-layout": `{"imageLayoutVersion":"1.0.0"}`,
		"index.json": `{"schemaVersion":2,"manifests":[{"annotations":{"org.opencontainers.image.ref.name":"x"}}]}`} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = CleanLayout(bytes.NewReader(data), io.Discard)
	})
}
