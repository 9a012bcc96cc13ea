package daemon

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/buildkit/cmd/buildkitd/config"
	resolverconfig "github.com/moby/buildkit/util/resolver/config"
	"github.com/pelletier/go-toml"
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
	return insecureFrom(explicit, os.LookupEnv)
}

// insecureFrom is insecureRegistries with the variable read through lookup.
func insecureFrom(explicit []string, lookup func(string) (string, bool)) []string {
	if explicit != nil {
		return cleanHosts(explicit)
	}
	if env, ok := lookup("KILN_INSECURE_REGISTRIES"); ok {
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
	return parseMirrors(os.Getenv("KILN_REGISTRY_MIRRORS"))
}

func parseMirrors(env string) (map[string][]string, error) {
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

// configHeader opens every buildkitd.toml kiln writes.
const configHeader = `# Written by kiln on every daemon start; edits are overwritten.
# Set KILN_INSECURE_REGISTRIES (comma-separated) and KILN_REGISTRY_MIRRORS
# (host=mirror[,mirror][;host=...]) to change the registries below; the
# last values set are kept in settings.json for later starts.
`

// buildkitdConfig is kiln's settings in buildkitd's own configuration: the
// state directory, the OCI worker only, and per registry its mirrors and
// whether it is plain HTTP. The worker choice is also passed as flags;
// having it in the file too keeps the file a complete description for
// someone running buildkitd by hand.
//
// reserved is the space of root's filesystem that is free but not
// available to the daemon (see gcFor).
func buildkitdConfig(root string, insecure []string, mirrors map[string][]string, reserved int64) config.Config {
	on, off := true, false
	c := config.Config{Root: root}
	c.Workers.OCI.Enabled = &on
	c.Workers.Containerd.Enabled = &off
	c.Workers.OCI.GCConfig = gcFor(reserved)
	if len(mirrors)+len(insecure) > 0 {
		c.Registries = map[string]resolverconfig.RegistryConfig{}
	}
	for h, m := range mirrors {
		r := c.Registries[h]
		r.Mirrors = m
		c.Registries[h] = r
	}
	for _, h := range insecure {
		r := c.Registries[h]
		r.PlainHTTP, r.Insecure = &on, &on
		c.Registries[h] = r
	}
	return c
}

// gcConfig keeps the build cache until the disk is nearly full. BuildKit's
// default prunes whenever less than 20% of the disk is free, down to 10 GB:
// on a disk that is 80% full, every build of a few targets (each toolchain
// is hundreds of MB) evicted the last one's cache, and a warm rebuild was
// cold again.
var gcConfig = config.GCConfig{
	GCReservedSpace: config.DiskSpace{Bytes: 10e9},
	GCMinFreeSpace:  config.DiskSpace{Bytes: 5e9},
	GCMaxUsedSpace:  config.DiskSpace{Percentage: 80},
}

// gcFor is gcConfig on a filesystem where reserved bytes are free but not
// available. BuildKit measures free space by the free blocks, the
// reserved ones included; on a filesystem whose reserved blocks the
// daemon may not use (a mount with resuid and resv_strict, or a large
// reservation) the cache filled the disk while GC still saw plenty free,
// and builds failed with "no space left on device". Counting the
// reservation in makes GC keep 5 GB the daemon can write.
func gcFor(reserved int64) config.GCConfig {
	c := gcConfig
	c.GCMinFreeSpace.Bytes += max(reserved, 0)
	return c
}

// reservedBytes is the space of the filesystem holding path (or its
// nearest existing parent) that is free but not available: statfs's free
// blocks less its available ones. 0 when it cannot tell.
func reservedBytes(path string) int64 {
	for {
		var st syscall.Statfs_t
		if err := syscall.Statfs(path, &st); err == nil {
			return int64(st.Bfree-st.Bavail) * int64(st.Bsize)
		}
		parent := filepath.Dir(path)
		if parent == path {
			return 0
		}
		path = parent
	}
}

// renderConfig writes buildkitd.toml: buildkitdConfig in TOML, only the
// settings kiln makes (buildkitd reads what is left out as unset, as
// config.Load does).
func renderConfig(root string, insecure []string, mirrors map[string][]string, reserved int64) (string, error) {
	v, _ := setFields(reflect.ValueOf(buildkitdConfig(root, insecure, mirrors, reserved)))
	data, err := toml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("writing buildkitd config: %w", err)
	}
	return configHeader + "\n" + string(data), nil
}

// setFields is v without what is unset, as go-toml marshals it: a struct
// becomes a table by its fields' toml names (embedded structs' fields
// promoted), and zero values, empty slices and maps and tables left empty
// are left out. What a pointer points to is set even when zero (an
// explicit "enabled = false"). Values with a text form of their own
// (config.Duration, config.DiskSpace) would need their MarshalText: kiln
// sets no Duration; a DiskSpace is written as buildkitd reads it.
func setFields(v reflect.Value) (any, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		if e := v.Elem(); e.Kind() == reflect.Struct || e.Kind() == reflect.Map {
			t, _ := setFields(e)
			return t, true
		}
		return v.Elem().Interface(), true
	case reflect.Struct:
		if d, ok := v.Interface().(config.DiskSpace); ok {
			return diskSpace(d), d != config.DiskSpace{}
		}
		t := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			x, ok := setFields(v.Field(i))
			switch {
			case !ok:
			case f.Anonymous && name == "":
				maps.Copy(t, x.(map[string]any))
			default:
				t[cmp.Or(name, f.Name)] = x
			}
		}
		return t, len(t) > 0
	case reflect.Map:
		t := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			x, ok := setFields(it.Value())
			if !ok {
				x = map[string]any{} // a key of its own: an empty table
			}
			t[fmt.Sprint(it.Key().Interface())] = x
		}
		return t, len(t) > 0
	case reflect.Slice, reflect.Array:
		var list []any
		for i := range v.Len() {
			if x, ok := setFields(v.Index(i)); ok {
				list = append(list, x)
			}
		}
		return list, len(list) > 0
	}
	return v.Interface(), !v.IsZero()
}

// diskSpace is d as buildkitd's config reads it: "80%" or a byte count.
func diskSpace(d config.DiskSpace) string {
	if d.Percentage != 0 {
		return fmt.Sprintf("%d%%", d.Percentage)
	}
	return strconv.FormatInt(d.Bytes, 10)
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
	return renderConfig(root, insecureRegistries(nil), mirrors, reservedBytes(root))
}
