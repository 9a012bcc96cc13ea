package build

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
)

// hostFetch fills what f leaves empty from the host: its Go proxy, npm
// registry and pip index (from the environment, else asking the tool
// itself), and a Go image of the host's Go version. Only the tools the
// recipes' generators need are asked. The values reach the fetch steps
// as their environment: the daemon fetches, never kiln.
func hostFetch(kinds map[string]bool, f toolchains.Fetch) toolchains.Fetch {
	if kinds["gomod"] {
		if f.GoProxy == "" {
			f.GoProxy = setOr(func() string { return toolOutput("go", "env", "GOPROXY") }, os.Getenv("GOPROXY"))
		}
		if f.GolangImage == "" {
			if v := strings.TrimPrefix(toolOutput("go", "env", "GOVERSION"), "go"); v != "" && !strings.ContainsAny(v, " /") {
				f.GolangImage = "docker.io/library/golang:" + v + "-bookworm"
			}
		}
	}
	if kinds["npm"] && f.NPMRegistry == "" {
		f.NPMRegistry = setOr(func() string { return toolSetting("npm", "config", "get", "registry") },
			os.Getenv("npm_config_registry"), os.Getenv("NPM_CONFIG_REGISTRY"))
	}
	if kinds["pip"] && f.PipIndex == "" {
		f.PipIndex = setOr(func() string { return toolSetting("pip3", "config", "get", "global.index-url") }, os.Getenv("PIP_INDEX_URL"))
	}
	return f
}

// hostCACertificates are the CA certificates the host trusts, which fetch
// steps trust too (llb.CASecret): $KILN_CA_CERTIFICATES, else
// $SSL_CERT_FILE, else Debian's bundle; nil when there is none.
func hostCACertificates() []byte {
	for _, f := range []string{os.Getenv("KILN_CA_CERTIFICATES"), os.Getenv("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt"} {
		if f == "" {
			continue
		}
		if b, err := os.ReadFile(f); err == nil {
			return b
		}
	}
	return nil
}

// generatorKinds are the generators the recipes use, per_target's too.
func generatorKinds(rs []*schema.Recipe) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		add := func(ss []schema.Source) {
			for _, s := range ss {
				if g := s.Generator(); g != "" {
					out[g] = true
				}
			}
		}
		add(r.Sources)
		for _, t := range r.PerTarget {
			add(t.Sources)
		}
	}
	return out
}

// toolOutput is the trimmed output of a host tool, "" when it is missing
// or fails.
func toolOutput(name string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(string(out))
	if v == "undefined" || v == "null" {
		return ""
	}
	return v
}

// setOr is the first of vals that is set, else ask's answer (asked only
// then: asking a tool takes a while).
func setOr(ask func() string, vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ask()
}
