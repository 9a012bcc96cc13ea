package daemon

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestRenderConfig(t *testing.T) {
	got := renderConfig("/var/lib/kiln/root", []string{"127.0.0.1:5000", "localhost:5000"}, nil)
	want := `# Written by kiln on every daemon start; edits are overwritten.
# Set KILN_INSECURE_REGISTRIES (comma-separated) and KILN_REGISTRY_MIRRORS
# (host=mirror[,mirror][;host=...]) to change the registries below.
root = "/var/lib/kiln/root"

[worker.oci]
  enabled = true

[worker.containerd]
  enabled = false

[registry."127.0.0.1:5000"]
  http = true
  insecure = true

[registry."localhost:5000"]
  http = true
  insecure = true
`
	if got != want {
		t.Errorf("renderConfig mismatch\n--- got\n%s\n--- want\n%s", got, want)
	}
}

func TestRenderConfigNoRegistriesAndQuoting(t *testing.T) {
	got := renderConfig(`/odd "dir"\x`, nil, nil)
	want := `# Written by kiln on every daemon start; edits are overwritten.
# Set KILN_INSECURE_REGISTRIES (comma-separated) and KILN_REGISTRY_MIRRORS
# (host=mirror[,mirror][;host=...]) to change the registries below.
root = "/odd \"dir\"\\x"

[worker.oci]
  enabled = true

[worker.containerd]
  enabled = false
`
	if got != want {
		t.Errorf("renderConfig mismatch\n--- got\n%s\n--- want\n%s", got, want)
	}
	if q := tomlString("a\tb\x00"); q != `"a\u0009b\u0000"` {
		t.Errorf("tomlString control chars = %s", q)
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
	got := renderConfig("/r", []string{"127.0.0.1:5000"}, m)
	for _, frag := range []string{"[registry.\"docker.io\"]\n  mirrors = [\"127.0.0.1:5000\"]\n", "[registry.\"ghcr.io\"]\n  mirrors = [\"m1:5000\", \"m2:5000\"]\n"} {
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
