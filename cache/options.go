// Package cache holds kiln's build-cache settings: the --cache-to and
// --cache-from entries that share BuildKit's cache between daemons through
// a registry or a local directory.
package cache

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/cmd/buildctl/build"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// Options are the parsed --cache-to (exports) and --cache-from (imports).
type Options struct {
	Exports []client.CacheOptionsEntry
	Imports []client.CacheOptionsEntry
}

// required are the attributes each kind of cache cannot do without, per
// direction; other types (s3, gha, azblob, inline) are passed on as given.
var required = map[string]struct{ to, from string }{
	"registry": {"ref", "ref"},
	"local":    {"dest", "src"},
}

// Parse reads buildx-style entries (`type=registry,ref=REF,mode=max`,
// `type=local,dest=DIR` / `type=local,src=DIR`) with BuildKit's own
// parsers, as buildctl's --export-cache/--import-cache do. A bare
// reference means type=registry,ref=REF.
func Parse(to, from []string) (Options, error) {
	var o Options
	nto, err := normalize("--cache-to", to)
	if err != nil {
		return o, err
	}
	nfrom, err := normalize("--cache-from", from)
	if err != nil {
		return o, err
	}
	if o.Exports, err = build.ParseExportCache(nto); err != nil {
		return o, fmt.Errorf("--cache-to: %w", err)
	}
	if o.Imports, err = build.ParseImportCache(nfrom); err != nil {
		return o, fmt.Errorf("--cache-from: %w", err)
	}
	for i, e := range o.Exports {
		if err := check(e, "--cache-to", to[i], true); err != nil {
			return o, err
		}
	}
	for i, e := range o.Imports {
		if err := check(e, "--cache-from", from[i], false); err != nil {
			return o, err
		}
	}
	return o, nil
}

// normalize spells a bare reference out as buildx does (BuildKit's parser
// would warn about a deprecated buildctl form) and requires type= in the
// rest, which BuildKit's parser would take for a reference.
func normalize(flag string, entries []string) ([]string, error) {
	out := make([]string, len(entries))
	for i, e := range entries {
		switch {
		case !strings.Contains(e, "="):
			out[i] = "type=registry,ref=" + e
		case !strings.HasPrefix(e, "type=") && !strings.Contains(e, ",type="):
			return nil, fmt.Errorf("%s %q: want type=registry,ref=REF or type=local,... (or a bare registry reference)", flag, e)
		default:
			out[i] = e
		}
	}
	return out, nil
}

func check(e client.CacheOptionsEntry, flag, raw string, export bool) error {
	if r, ok := required[e.Type]; ok {
		attr := r.from
		if export {
			attr = r.to
		}
		if e.Attrs[attr] == "" {
			//lint:ignore ST1005 "ref=..." is a placeholder, not a sentence's full stop
			return fmt.Errorf("%s %q: type=%s needs %s=...", flag, raw, e.Type, attr)
		}
	}
	if m, ok := e.Attrs["mode"]; ok && export && m != "min" && m != "max" {
		return fmt.Errorf("%s %q: mode=%s: want min or max", flag, raw, m)
	}
	return nil
}

// ForDaemon gives daemon i of n its entries. Several daemons exporting to
// one registry reference or directory would overwrite each other's cache,
// so with n > 1 each writes to its own: the tag gets "-<i>" (REF:TAG-i,
// REF:latest-i), a local directory the subdirectory "<i>". Imports are
// shared: every daemon reads everything listed.
func (o Options) ForDaemon(i, n int) Options {
	if n <= 1 {
		return o
	}
	out := Options{Imports: o.Imports}
	for _, e := range o.Exports {
		attrs := map[string]string{}
		for k, v := range e.Attrs {
			attrs[k] = v
		}
		switch e.Type {
		case "registry":
			attrs["ref"] = PerDaemonRef(attrs["ref"], i)
		case "local":
			attrs["dest"] = strings.TrimRight(attrs["dest"], "/") + fmt.Sprintf("/%d", i)
		}
		out.Exports = append(out.Exports, client.CacheOptionsEntry{Type: e.Type, Attrs: attrs})
	}
	return out
}

// PerDaemonRef appends "-i" to ref's tag ("latest" when it has none).
func PerDaemonRef(ref string, i int) string {
	name := ref
	if at := strings.Index(name, "@"); at >= 0 {
		name = name[:at] // a digest cannot be written to; keep the name
	}
	tag := "latest"
	if c := strings.LastIndex(name, ":"); c > strings.LastIndex(name, "/") {
		name, tag = name[:c], name[c+1:]
	}
	return fmt.Sprintf("%s:%s-%d", name, tag, i)
}

// Describe renders entries for logs: "type=registry,ref=...".
func Describe(es []client.CacheOptionsEntry) string {
	var parts []string
	for _, e := range es {
		s := "type=" + e.Type
		for _, k := range []string{"ref", "dest", "src", "mode"} {
			if v, ok := e.Attrs[k]; ok {
				s += "," + k + "=" + v
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// GatewayImports are o's imports as a gateway client's solves take them:
// BuildKit leaves applying cache imports to the frontend, in-process too.
func (o Options) GatewayImports() []gwclient.CacheOptionsEntry {
	out := make([]gwclient.CacheOptionsEntry, len(o.Imports))
	for i, e := range o.Imports {
		out[i] = gwclient.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs}
	}
	return out
}
