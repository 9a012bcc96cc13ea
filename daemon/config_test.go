package daemon

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/moby/buildkit/cmd/buildkitd/config"
)

func TestRenderConfig(t *testing.T) {
	got, err := renderConfig("/var/lib/kiln/root", []string{"127.0.0.1:5000", "localhost:5000"}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Written by kiln on every daemon start; edits are overwritten.
# Set KILN_INSECURE_REGISTRIES (comma-separated) and KILN_REGISTRY_MIRRORS
# (host=mirror[,mirror][;host=...]) to change the registries below; the
# last values set are kept in settings.json for later starts.

root = "/var/lib/kiln/root"

[registry]

  [registry."127.0.0.1:5000"]
    http = true
    insecure = true

  [registry."localhost:5000"]
    http = true
    insecure = true

[worker]

  [worker.containerd]
    enabled = false

  [worker.oci]
    enabled = true
    maxUsedSpace = "80%"
    minFreeSpace = "5000000000"
    reservedSpace = "10000000000"
`
	if got != want {
		t.Errorf("renderConfig mismatch\n--- got\n%s\n--- want\n%s", got, want)
	}
}

// TestRenderConfigLoads reads the file back the way buildkitd does: every
// setting arrives, a host both mirrored and insecure is one table, and an
// odd root survives the quoting.
func TestRenderConfigLoads(t *testing.T) {
	for _, tc := range []struct {
		root     string
		insecure []string
		mirrors  map[string][]string
		hosts    int
		reserved int64
	}{
		{"/r", nil, nil, 0, 0},
		{`/odd "dir"\x` + "\t\x00é", []string{}, map[string][]string{}, 0, 0},
		{"/r", []string{"127.0.0.1:5000", "docker.io"}, map[string][]string{"docker.io": {"127.0.0.1:5000"}, "ghcr.io": {"m1:5000", "m2:5000"}}, 3, 161e9},
	} {
		text, err := renderConfig(tc.root, tc.insecure, tc.mirrors, tc.reserved)
		if err != nil {
			t.Fatal(err)
		}
		got, err := config.Load(strings.NewReader(text))
		if err != nil {
			t.Fatalf("config.Load: %v\n%s", err, text)
		}
		if want := buildkitdConfig(tc.root, tc.insecure, tc.mirrors, tc.reserved); !reflect.DeepEqual(got, want) {
			t.Errorf("loaded %+v\nwant %+v\nfrom\n%s", got, want, text)
		}
		if got.Root != tc.root || !*got.Workers.OCI.Enabled || *got.Workers.Containerd.Enabled {
			t.Errorf("root %q, workers %+v", got.Root, got.Workers)
		}
		for _, h := range tc.insecure {
			if r := got.Registries[h]; r.PlainHTTP == nil || !*r.PlainHTTP || r.Insecure == nil || !*r.Insecure {
				t.Errorf("registry %s: %+v", h, r)
			}
		}
		for h, m := range tc.mirrors {
			if r := got.Registries[h]; !reflect.DeepEqual(r.Mirrors, m) {
				t.Errorf("registry %s: mirrors %q, want %q", h, r.Mirrors, m)
			}
		}
		if len(got.Registries) != tc.hosts {
			t.Errorf("registries %v, want %d hosts", got.Registries, tc.hosts)
		}
	}
}

func TestInsecureRegistries(t *testing.T) {
	unset := "<unset>"
	tests := []struct {
		name     string
		explicit []string
		env      string
		want     []string
	}{
		{"defaults", nil, unset, []string{"127.0.0.1:5000", "localhost:5000"}},
		{"env list", nil, " reg.lan:5000, ,10.0.0.2:443,reg.lan:5000", []string{"reg.lan:5000", "10.0.0.2:443"}},
		{"env empty means none", nil, "", []string{}},
		{"explicit beats env", []string{"a:1"}, "b:2", []string{"a:1"}},
		{"explicit empty means none", []string{}, unset, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KILN_INSECURE_REGISTRIES", "")
			if tt.env == unset {
				if err := os.Unsetenv("KILN_INSECURE_REGISTRIES"); err != nil {
					t.Fatal(err)
				}
			} else {
				t.Setenv("KILN_INSECURE_REGISTRIES", tt.env)
			}
			if got := insecureRegistries(tt.explicit); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("insecureRegistries = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRegistryMirrors(t *testing.T) {
	t.Setenv("KILN_REGISTRY_MIRRORS", "docker.io=127.0.0.1:5000; ghcr.io = m1:5000, m2:5000")
	m, err := registryMirrors()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"docker.io": {"127.0.0.1:5000"}, "ghcr.io": {"m1:5000", "m2:5000"}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("mirrors = %v, want %v", m, want)
	}
	got, err := renderConfig("/r", []string{"127.0.0.1:5000"}, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"[registry.\"docker.io\"]\n    mirrors = [\"127.0.0.1:5000\"]\n", "[registry.\"ghcr.io\"]\n    mirrors = [\"m1:5000\", \"m2:5000\"]\n"} {
		if !strings.Contains(got, frag) {
			t.Errorf("config lacks %q:\n%s", frag, got)
		}
	}
	for _, bad := range []string{"docker.io", "=m:5000", "docker.io="} {
		t.Setenv("KILN_REGISTRY_MIRRORS", bad)
		if _, err := registryMirrors(); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestGCCountsReservedBlocks: on a filesystem with blocks reserved from the
// daemon, GC's minimum free space grows by them, since BuildKit counts them
// free; what it keeps otherwise is unchanged.
func TestGCCountsReservedBlocks(t *testing.T) {
	text, err := renderConfig("/r", nil, nil, 161e9)
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	gc := got.Workers.OCI.GCConfig
	if gc.GCMinFreeSpace.Bytes != 166e9 || gc.GCReservedSpace.Bytes != 10e9 || gc.GCMaxUsedSpace.Percentage != 80 {
		t.Errorf("gc config %+v, want minFreeSpace 166e9, reservedSpace 10e9, maxUsedSpace 80%%", gc)
	}
	if !reflect.DeepEqual(gcFor(-1), gcConfig) {
		t.Errorf("a negative reservation changed the config: %+v", gcFor(-1))
	}
}

// TestReservedBytes reads statfs of the nearest existing directory.
func TestReservedBytes(t *testing.T) {
	dir := t.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	want := int64(st.Bfree-st.Bavail) * int64(st.Bsize)
	if got := reservedBytes(filepath.Join(dir, "not", "yet")); got != want {
		t.Errorf("reservedBytes of a path not yet made = %d, want its parent's %d", got, want)
	}
}
