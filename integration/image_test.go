package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	bkllb "github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestContainerImage builds greet's container image for every target, pushes
// it to the local registry as one multi-platform index and writes it as an
// OCI tarball; then reads both back and runs the arm64 and armv7 images.
func TestContainerImage(t *testing.T) {
	requireIntegration(t)
	serveGreet(t)
	repo := fmt.Sprintf("kiln-test/greet-%d", time.Now().UnixNano())
	ref := registry() + "/" + repo + ":1.0-2"
	out := t.TempDir()
	tarball := filepath.Join(out, "greet.oci.tar")
	r := mustKiln(t, nil, "build", "examples/greet", "--target", "all", "-o", out, "--progress", "plain",
		"--image", ref, "--oci", tarball)
	if !strings.Contains(r.stderr, "kiln: image pushed "+ref+", wrote "+tarball+" (linux/amd64, linux/arm/v7, linux/arm64)") {
		t.Errorf("no image summary:\n%s", tail(r.stderr, 10))
	}

	// The registry holds an index with one manifest per target platform.
	var index ocispecs.Index
	getJSON(t, "manifests/1.0-2", repo, &index)
	var plats []string
	for _, m := range index.Manifests {
		if m.Platform == nil {
			continue // attestations
		}
		p := m.Platform.OS + "/" + m.Platform.Architecture
		if m.Platform.Variant != "" {
			p += "/" + m.Platform.Variant
		}
		plats = append(plats, p)
		var man ocispecs.Manifest
		getJSON(t, "manifests/"+m.Digest.String(), repo, &man)
		var cfg ocispecs.Image
		getJSON(t, "blobs/"+man.Config.Digest.String(), repo, &cfg)
		if strings.Join(cfg.Config.Entrypoint, " ") != "/opt/bin/greet" || strings.Join(cfg.Config.Cmd, " ") != "world" {
			t.Errorf("%s: entrypoint %v cmd %v", p, cfg.Config.Entrypoint, cfg.Config.Cmd)
		}
		if cfg.Created == nil || !cfg.Created.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: created %v, want the recipe's timestamp", p, cfg.Created)
		}
		if cfg.Config.Labels["org.opencontainers.image.version"] != "1.0-2" {
			t.Errorf("%s: labels %v", p, cfg.Config.Labels)
		}
	}
	sort.Strings(plats)
	if strings.Join(plats, " ") != "linux/amd64 linux/arm/v7 linux/arm64" {
		t.Fatalf("image platforms %v", plats)
	}

	// Each target's image runs its own binary on its base (through qemu).
	for _, p := range []ocispecs.Platform{{OS: "linux", Architecture: "arm64"}, {OS: "linux", Architecture: "arm", Variant: "v7"}} {
		got := runImage(t, ref, p, "/opt/bin/greet kiln; uname -m")
		want := "greet 1.0: hello, kiln!\n" + map[string]string{"arm64": "aarch64", "arm": "armv7l"}[p.Architecture]
		if strings.TrimSpace(got) != want {
			t.Errorf("%s image printed %q, want %q", p.Architecture, got, want)
		}
	}

	// The tarball is an OCI image layout holding the same index.
	list := run(t, "tar", "-tf", tarball)
	for _, f := range []string{"oci-layout", "index.json", "blobs/sha256/"} {
		if !strings.Contains(list, f) {
			t.Errorf("OCI tarball lacks %s:\n%s", f, list)
		}
	}
	var top ocispecs.Index
	if err := json.Unmarshal([]byte(run(t, "tar", "-xOf", tarball, "index.json")), &top); err != nil || len(top.Manifests) != 1 {
		t.Fatalf("index.json: %v %+v", err, top)
	}
	if top.Manifests[0].Digest != indexDigest(t, repo) {
		t.Errorf("the tarball's index %s is not the pushed one %s", top.Manifests[0].Digest, indexDigest(t, repo))
	}

	// The provenance names the tarball and the pushed image among what the
	// build made, by their digests.
	var st struct {
		Subject []struct {
			Name   string
			Digest map[string]string
		}
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(out, "provenance.intoto.json"))), &st); err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{}
	for _, s := range st.Subject {
		subjects[s.Name] = s.Digest["sha256"]
	}
	if subjects["greet.oci.tar"] != sha(t, tarball) || "sha256:"+subjects[ref] != indexDigest(t, repo).String() {
		t.Errorf("provenance subjects: tarball %q (file %s), image %q (pushed %s)", subjects["greet.oci.tar"], sha(t, tarball),
			subjects[ref], indexDigest(t, repo))
	}

	// Building the image again gives the same bytes.
	tarball2 := filepath.Join(out, "again.oci.tar")
	mustKiln(t, nil, "build", "examples/greet", "--target", "all", "-o", out, "--progress", "quiet", "--image", ref, "--oci", tarball2)
	if a, b := sha(t, tarball), sha(t, tarball2); a != b {
		t.Errorf("OCI tarball differs between builds: %s vs %s\n%s", a, b,
			run(t, "bash", "-c", `diff <(tar -tvf "$1") <(tar -tvf "$2"); true`, "sh", tarball, tarball2))
	}
}

func getJSON(t *testing.T, path, repo string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+registry()+"/v2/"+repo+"/"+path, nil)
	req.Header.Set("Accept", strings.Join([]string{ocispecs.MediaTypeImageIndex, ocispecs.MediaTypeImageManifest,
		"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func indexDigest(t *testing.T, repo string) (d digest.Digest) {
	t.Helper()
	return manifestDigest(t, repo, "1.0-2")
}

// manifestDigest is the digest the local registry serves repo:tag by (an
// index's or a manifest's).
func manifestDigest(t *testing.T, repo, tag string) digest.Digest {
	t.Helper()
	req, _ := http.NewRequest("HEAD", "http://"+registry()+"/v2/"+repo+"/manifests/"+tag, nil)
	req.Header.Set("Accept", strings.Join([]string{ocispecs.MediaTypeImageIndex, ocispecs.MediaTypeImageManifest,
		"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HEAD %s:%s on %s: %s", repo, tag, registry(), resp.Status)
	}
	return digest.Digest(resp.Header.Get("Docker-Content-Digest"))
}

// runImage runs script in image ref for platform p on kiln's daemon and
// returns what it printed.
func runImage(t *testing.T, ref string, p ocispecs.Platform, script string) string {
	t.Helper()
	ctx := context.Background()
	addr := strings.TrimSpace(run(t, os.Getenv("KILN_BIN"), "daemon", "addr"))
	c, err := client.New(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := bkllb.Image(ref, bkllb.Platform(p)).
		Run(bkllb.Args([]string{"/bin/sh", "-c", "{ " + script + "; } >/out/stdout 2>&1"}), bkllb.IgnoreCache).
		AddMount("/out", bkllb.Scratch())
	def, err := st.Marshal(ctx, bkllb.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = c.Solve(ctx, def, client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dir}}}, nil)
	if err != nil {
		t.Fatalf("running %s (%s): %v", ref, p.Architecture, err)
	}
	return readFile(t, filepath.Join(dir, "stdout"))
}
