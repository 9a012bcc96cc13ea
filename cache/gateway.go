package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// Frontend options BuildKit fills from the client's cache imports
// (kiln --cache-from, buildctl --import-cache, buildx --cache-from).
const (
	optImports = "cache-imports" // JSON []{Type, Attrs}
	optFrom    = "cache-from"    // older: comma-separated registry refs
)

// Imports reads the cache imports a frontend was given. BuildKit does not
// apply them by itself: a frontend passes them with its solves, as
// BuildKit's Dockerfile frontend does (see WithImports).
func Imports(opts map[string]string) ([]gwclient.CacheOptionsEntry, error) {
	var out []gwclient.CacheOptionsEntry
	if s := opts[optImports]; s != "" {
		var es []struct {
			Type  string            `json:"Type"`
			Attrs map[string]string `json:"Attrs"`
		}
		if err := json.Unmarshal([]byte(s), &es); err != nil {
			return nil, fmt.Errorf("frontend option %s %q: %w", optImports, s, err)
		}
		for _, e := range es {
			out = append(out, gwclient.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
		}
	}
	if s := opts[optFrom]; s != "" {
		for _, ref := range strings.Split(s, ",") {
			out = append(out, gwclient.CacheOptionsEntry{Type: "registry", Attrs: map[string]string{"ref": ref}})
		}
	}
	return out, nil
}

// WithImports wraps c so that every solve of a definition imports the
// caches the build was given, unless the request names its own.
func WithImports(c gwclient.Client) (gwclient.Client, error) {
	ims, err := Imports(c.BuildOpts().Opts)
	if err != nil || len(ims) == 0 {
		return c, err
	}
	return &importing{Client: c, imports: ims}, nil
}

type importing struct {
	gwclient.Client
	imports []gwclient.CacheOptionsEntry
}

func (c *importing) Solve(ctx context.Context, req gwclient.SolveRequest) (*gwclient.Result, error) {
	if req.Definition != nil && len(req.CacheImports) == 0 {
		req.CacheImports = c.imports
	}
	return c.Client.Solve(ctx, req)
}
