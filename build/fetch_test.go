package build

import (
	"testing"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
)

// TestHostFetch: the host's settings fill what the user left empty, only
// for the generators the recipes use; what the user set stays.
func TestHostFetch(t *testing.T) {
	t.Setenv("GOPROXY", "http://goproxy.test")
	t.Setenv("npm_config_registry", "http://npm.test/")
	t.Setenv("PIP_INDEX_URL", "http://pip.test/simple")
	gomod := &schema.Recipe{Sources: []schema.Source{{GoMod: "."}}}
	npm := &schema.Recipe{PerTarget: map[string]*schema.TargetFields{"x86_64": {Sources: []schema.Source{{NPM: "web"}}}}}

	f := hostFetch(generatorKinds([]*schema.Recipe{gomod}), toolchains.Fetch{})
	if f.GoProxy != "http://goproxy.test" || f.NPMRegistry != "" || f.PipIndex != "" {
		t.Errorf("gomod only: %+v", f)
	}
	f = hostFetch(generatorKinds([]*schema.Recipe{gomod, npm}), toolchains.Fetch{GoProxy: "http://mine.test", GolangImage: "registry.test/golang:1"})
	if f.GoProxy != "http://mine.test" || f.GolangImage != "registry.test/golang:1" || f.NPMRegistry != "http://npm.test/" {
		t.Errorf("set and per_target: %+v", f)
	}
	if f := hostFetch(generatorKinds([]*schema.Recipe{{Sources: []schema.Source{{Pip: "requirements.txt"}}}}), toolchains.Fetch{}); f.PipIndex != "http://pip.test/simple" {
		t.Errorf("pip: %+v", f)
	}
	if f := hostFetch(generatorKinds([]*schema.Recipe{{Sources: []schema.Source{{Path: "src"}}}}), toolchains.Fetch{}); f != (toolchains.Fetch{}) {
		t.Errorf("no generators: %+v", f)
	}
}
