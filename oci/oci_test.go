package oci

import (
	"encoding/json"
	"strings"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestConfig(t *testing.T) {
	o, err := Decode([]byte(`{"entrypoint": ["/usr/bin/motd"], "env": {"MOTD_CONF": "/etc/motd.conf"}, "labels": {"x": "y"}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	m := Meta{Name: "motd", Version: "1.1-1", Summary: "s", License: "MIT", Epoch: 1714521600}
	a, err := Config(o, m, p)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Config(o, m, p)
	if string(a) != string(b) {
		t.Error("two configs for the same input differ")
	}
	var img ocispecs.Image
	if err := json.Unmarshal(a, &img); err != nil {
		t.Fatal(err)
	}
	if img.Created.Unix() != m.Epoch || img.Architecture != "arm" || img.Variant != "v7" {
		t.Errorf("created %v, platform %+v", img.Created, img.Platform)
	}
	if strings.Join(img.Config.Env, " ") != "MOTD_CONF=/etc/motd.conf PATH="+DefaultPath {
		t.Errorf("env %v", img.Config.Env)
	}
	if img.Config.Labels["org.opencontainers.image.version"] != "1.1-1" || img.Config.Labels["x"] != "y" {
		t.Errorf("labels %v", img.Config.Labels)
	}
}

func TestDecodeErrors(t *testing.T) {
	for raw, want := range map[string]string{
		`{"entrypont": ["x"]}`:  `unknown option "entrypont" (did you mean "entrypoint"?)`,
		`{"env": {"A=B": "x"}}`: `"A=B" is not a variable name`,
		`{"base": "a b"}`:       `is not an image reference`,
		`{"cmd": "not a list"}`: `cannot unmarshal`,
	} {
		if _, err := Decode([]byte(raw)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%s) = %v, want %q", raw, err, want)
		}
	}
}
