package integration

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestSecretsNotInImages: a build that signs (the developer key given
// with --dev-key and in $KILN_DEV_KEY) and also builds the recipe's
// container image leaves the key out of the image: neither the OCI
// tarball nor the image pushed to the registry holds it, searched layer
// by layer after decompressing (gzip, zstd) and inside every tar member;
// nor do the packages.
func TestSecretsNotInImages(t *testing.T) {
	requireIntegration(t)
	keys, needles := devKeys(t)
	keyFile := filepath.Join(keys, "developer.key")
	key := readFile(t, keyFile)
	// The search finds the key where it would hide: in a file gzipped
	// inside a tar archive, inside an ar archive.
	if holdsSecret(arOf(tarOf(gzipOf([]byte("x"+key+"y")))), needles, 0) == "" {
		t.Fatal("the search does not find a key in a gzipped file of a tar archive in an ar archive")
	}

	// motd with a container image too (CUE unifies the added field).
	dir := t.TempDir()
	run(t, "cp", "-r", filepath.Join(repoRoot(t), "examples", "motd"), dir)
	recipe := filepath.Join(dir, "motd", "kiln.cue")
	data := readFile(t, recipe) + "\nformats: oci: entrypoint: [\"/usr/bin/motd\"]\n"
	writeFiles(t, dir, map[string]string{"motd/kiln.cue": data})
	repo := fmt.Sprintf("kiln-test/secrets-%d", time.Now().UnixNano())
	ref := registry() + "/" + repo + ":1"
	out := t.TempDir()
	tarball := filepath.Join(out, "motd.oci.tar")
	r := mustKiln(t, []string{"KILN_DEV_KEY=" + keyFile}, "build", filepath.Join(dir, "motd"), "-o", out, "--progress", "plain",
		"--sign", "--dev-cert", filepath.Join(keys, "developer-signed.pem"), "--dev-key", keyFile,
		"--syspkg-url", "https://example.org/repo", "--image", ref, "--oci", tarball)
	if !strings.Contains(r.stderr, "sign syspkg metainfo motd") || !strings.Contains(r.stderr, "kiln: image pushed "+ref) {
		t.Fatalf("the build did not both sign and push the image:\n%s", tail(r.stderr, 15))
	}
	searched := 0
	check := func(name string, data []byte) {
		searched++
		if where := holdsSecret(data, needles, 0); where != "" {
			t.Errorf("%s holds the developer key (%s)", name, where)
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			check(e.Name(), []byte(readFile(t, filepath.Join(out, e.Name()))))
		}
	}
	// The pushed image: its index, manifests, configs and layers.
	var index ocispecs.Index
	getJSON(t, "manifests/1", repo, &index)
	for _, m := range index.Manifests {
		var man ocispecs.Manifest
		getJSON(t, "manifests/"+m.Digest.String(), repo, &man)
		for _, b := range append([]ocispecs.Descriptor{man.Config}, man.Layers...) {
			check(ref+"@"+b.Digest.String(), getBlob(t, repo, b.Digest.String()))
		}
	}
	if searched < 4 {
		t.Errorf("searched only %d files and blobs", searched)
	}
	for _, n := range needles {
		if bytes.Contains([]byte(r.stdout+r.stderr), n) {
			t.Errorf("kiln's output or progress holds the developer key")
		}
	}
}

func getBlob(t *testing.T, repo, digest string) []byte {
	t.Helper()
	resp, err := http.Get("http://" + registry() + "/v2/" + repo + "/blobs/" + digest)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET blob %s: %s %v", digest, resp.Status, err)
	}
	return body
}

// holdsSecret says where in data one of needles is: in its bytes, or
// once gzip or zstd is undone, or inside a member of a tar archive (an
// image layer, an OCI layout tarball, a package), nested as deep as 4.
func holdsSecret(data []byte, needles [][]byte, depth int) string {
	for _, n := range needles {
		if bytes.Contains(data, n) {
			return "as it is"
		}
	}
	if depth > 4 {
		return ""
	}
	var inner []byte
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			inner, _ = io.ReadAll(io.LimitReader(zr, 1<<30))
		}
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		if zr, err := zstd.NewReader(bytes.NewReader(data)); err == nil {
			inner, _ = io.ReadAll(io.LimitReader(zr, 1<<30))
			zr.Close()
		}
	case bytes.HasPrefix(data, []byte("!<arch>\n")): // .ipk, .deb
		for rest := data[8:]; len(rest) >= 60; {
			name := strings.TrimSpace(string(rest[:16]))
			size, err := strconv.Atoi(strings.TrimSpace(string(rest[48:58])))
			if err != nil || size < 0 || size > len(rest)-60 {
				return ""
			}
			if where := holdsSecret(rest[60:60+size], needles, depth+1); where != "" {
				return name + ": " + where
			}
			rest = rest[60+size+size%2:]
		}
		return ""
	case bytes.HasPrefix(data, []byte("PK\x03\x04")): // syspkg payloads
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return ""
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				continue // zstd (method 93): not registered here
			}
			member, _ := io.ReadAll(io.LimitReader(rc, 1<<30))
			rc.Close()
			if where := holdsSecret(member, needles, depth+1); where != "" {
				return f.Name + ": " + where
			}
		}
		return ""
	case len(data) > 262 && string(data[257:262]) == "ustar":
		tr := tar.NewReader(bytes.NewReader(data))
		for {
			h, err := tr.Next()
			if err != nil {
				return ""
			}
			member, _ := io.ReadAll(io.LimitReader(tr, 1<<30))
			if where := holdsSecret(member, needles, depth+1); where != "" {
				return h.Name + ": " + where
			}
		}
	}
	if inner == nil {
		return ""
	}
	if where := holdsSecret(inner, needles, depth+1); where != "" {
		return "decompressed: " + where
	}
	return ""
}

func gzipOf(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func tarOf(data []byte) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "f.gz", Mode: 0o644, Size: int64(len(data))})
	tw.Write(data)
	tw.Close()
	return b.Bytes()
}

func arOf(data []byte) []byte {
	return append([]byte(fmt.Sprintf("!<arch>\n%-16s%-12s%-6s%-6s%-8s%-10d`\n", "data.tar", "0", "0", "0", "100644", len(data))), data...)
}
