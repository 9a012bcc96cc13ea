package daemon

import (
	"fmt"
	"os"
	"strings"
)

// DefaultInsecureRegistries are the plain-HTTP registries the managed daemon trusts when
// nothing else is configured: the local registry `make setup` runs for base images and the
// frontend image. buildkitd needs them in its config to *pull* over HTTP; an exporter's
// registry.insecure=true only covers pushes.
var DefaultInsecureRegistries = []string{"127.0.0.1:5000", "localhost:5000"}

// insecureRegistries resolves the list: an explicit (non-nil) field wins, then
// $KILN_INSECURE_REGISTRIES if set at all (the empty string means none), then the defaults.
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

// renderConfig writes buildkitd.toml. The worker choice is also passed as flags; having it
// in the file too keeps the file a complete description for someone running buildkitd by hand.
func renderConfig(root string, insecure []string) string {
	var b strings.Builder
	b.WriteString("# Written by kiln on every daemon start; edits are overwritten.\n")
	b.WriteString("# Set KILN_INSECURE_REGISTRIES (comma-separated) to change the registries below.\n")
	fmt.Fprintf(&b, "root = %s\n", tomlString(root))
	b.WriteString("\n[worker.oci]\n  enabled = true\n")
	b.WriteString("\n[worker.containerd]\n  enabled = false\n")
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
