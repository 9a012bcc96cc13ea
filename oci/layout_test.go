package oci

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestCleanLayout(t *testing.T) {
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	files := []struct{ name, data string }{
		{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`},
		{"index.json", `{"schemaVersion":2,"manifests":[{"digest":"sha256:ab","annotations":{"containerd.io/distribution.source.127.0.0.1":"a,b","org.opencontainers.image.created":"2024-01-01T00:00:00Z"}}]}`},
		{"blobs/sha256/ab", "blob"},
	}
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data))})
		tw.Write([]byte(f.data))
	}
	tw.Close()
	var out bytes.Buffer
	if err := CleanLayout(bytes.NewReader(in.Bytes()), &out); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&out)
	got := map[string]string{}
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[h.Name] = string(b)
		names = append(names, h.Name)
	}
	if strings.Join(names, " ") != "oci-layout index.json blobs/sha256/ab" || got["blobs/sha256/ab"] != "blob" {
		t.Errorf("entries %v", names)
	}
	idx := got["index.json"]
	if strings.Contains(idx, "distribution.source") || !strings.Contains(idx, `"org.opencontainers.image.created":"2024-01-01T00:00:00Z"`) || !strings.Contains(idx, `"digest":"sha256:ab"`) {
		t.Errorf("index.json = %s", idx)
	}
	if err := CleanLayout(strings.NewReader("not a tar"), io.Discard); err == nil {
		t.Error("no error for a broken tarball")
	}
}
