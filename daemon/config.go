package daemon

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// DefaultInsecureRegistries are the plain-HTTP registries the managed daemon trusts when
// nothing else is configured: the local registry `make setup` runs for base images and the
// frontend image. buildkitd needs them in its config to *pull* over HTTP; an exporter's
// registry.insecure=true only covers pushes.
var DefaultInsecureRegistries = []string{"127.0.0.1:5000", "localhost:5000"}

// insecureRegistries resolves the list: an explicit (non-nil) field wins, then
// $KILN_INSECURE_REGISTRIES if set at all (the empty string means none), then the defaults.
// InsecureRegistries is that list for a daemon configured from the
// environment (KILN_INSECURE_REGISTRIES, else the defaults).
func InsecureRegistries() []string { return insecureRegistries(nil) }

func insecureRegistries(explicit []string) []string {
	if explicit != nil {
		return cleanHosts(explicit)
	}
	if env, ok := os.LookupEnv("KILN_INSECURE_REGISTRIES"); ok {
		return cleanHosts(strings.Split(env, ","))
	}
	return cleanHosts(DefaultInsecureRegistries)
}

// cleanHosts trims, drops empty entries and duplicates, keeping order so the rendered config
// is stable.
func cleanHosts(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, h := range in {
		h = strings.TrimSpace(h)
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		out = append(out, h)
	}
	return out
}

// registryMirrors parses $KILN_REGISTRY_MIRRORS: `host=mirror[,mirror...][;host=...]`, e.g.
// `docker.io=127.0.0.1:5000` so images keep their public names (docker.io/library/debian)
// while a machine without a public registry pulls them from its local one.
func registryMirrors() (map[string][]string, error) {
	env := os.Getenv("KILN_REGISTRY_MIRRORS")
	out := map[string][]string{}
	for _, part := range strings.Split(env, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		host, list, ok := strings.Cut(part, "=")
		mirrors := cleanHosts(strings.Split(list, ","))
		if !ok || strings.TrimSpace(host) == "" || len(mirrors) == 0 {
			return nil, fmt.Errorf("KILN_REGISTRY_MIRRORS: %q is not host=mirror[,mirror...]", part)
		}
		out[strings.TrimSpace(host)] = mirrors
	}
	return out, nil
}

// renderConfig writes buildkitd.toml. The worker choice is also passed as flags; having it
// in the file too keeps the file a complete description for someone running buildkitd by hand.
func renderConfig(root string, insecure []string, mirrors map[string][]string) string {
	var b strings.Builder
	b.WriteString("# Written by kiln on every daemon start; edits are overwritten.\n")
	b.WriteString("# Set KILN_INSECURE_REGISTRIES (comma-separated) and KILN_REGISTRY_MIRRORS\n")
	b.WriteString("# (host=mirror[,mirror][;host=...]) to change the registries below.\n")
	fmt.Fprintf(&b, "root = %s\n", tomlString(root))
	b.WriteString("\n[worker.oci]\n  enabled = true\n")
	b.WriteString("\n[worker.containerd]\n  enabled = false\n")
	hosts := make([]string, 0, len(mirrors))
	for h := range mirrors {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		quoted := make([]string, len(mirrors[h]))
		for i, m := range mirrors[h] {
			quoted[i] = tomlString(m)
		}
		fmt.Fprintf(&b, "\n[registry.%s]\n  mirrors = [%s]\n", tomlString(h), strings.Join(quoted, ", "))
	}
	for _, h := range insecure {
		fmt.Fprintf(&b, "\n[registry.%s]\n  http = true\n  insecure = true\n", tomlString(h))
	}
	return b.String()
}

// tomlString quotes s as a TOML basic string. strconv.Quote is not used because Go escapes
// such as \x00 are not valid TOML.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Config renders the buildkitd.toml kiln's managed daemon would get for
// root, from the same settings ($KILN_INSECURE_REGISTRIES,
// $KILN_REGISTRY_MIRRORS): for running further daemons that pull the same
// way, e.g. the remote daemons of tests and benchmarks.
func Config(root string) (string, error) {
	mirrors, err := registryMirrors()
	if err != nil {
		return "", err
	}
	return renderConfig(root, insecureRegistries(nil), mirrors), nil
}
