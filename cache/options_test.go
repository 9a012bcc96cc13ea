package cache

import (
	"strings"
	"testing"

	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

func TestParse(t *testing.T) {
	o, err := Parse([]string{"type=registry,ref=reg:5000/c:main,mode=max", "type=local,dest=/tmp/c"},
		[]string{"type=registry,ref=reg:5000/c:main", "type=local,src=/tmp/c", "reg:5000/legacy"})
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(o.Exports); got != "type=registry,ref=reg:5000/c:main,mode=max type=local,dest=/tmp/c,mode=min" {
		t.Errorf("exports: %s", got)
	}
	if got := Describe(o.Imports); got != "type=registry,ref=reg:5000/c:main type=local,src=/tmp/c type=registry,ref=reg:5000/legacy" {
		t.Errorf("imports: %s", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		to, from []string
		want     string
	}{
		{[]string{"type=registry,mode=max"}, nil, `--cache-to "type=registry,mode=max": type=registry needs ref=...`},
		{[]string{"type=local,src=/x"}, nil, `--cache-to "type=local,src=/x": type=local needs dest=...`},
		{nil, []string{"type=local,dest=/x"}, `--cache-from "type=local,dest=/x": type=local needs src=...`},
		{[]string{"type=registry,ref=r,mode=all"}, nil, `mode=all: want min or max`},
		{[]string{"type=registry,ref"}, nil, `--cache-to: invalid value ref`},
		{nil, []string{"ref=x"}, `--cache-from "ref=x": want type=registry,ref=REF`},
	} {
		if _, err := Parse(c.to, c.from); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q, %q) = %v, want %q", c.to, c.from, err, c.want)
		}
	}
}

func TestForDaemon(t *testing.T) {
	o, err := Parse([]string{"type=registry,ref=reg:5000/c:main,mode=max", "type=local,dest=/tmp/c/"}, []string{"type=registry,ref=reg:5000/c:main"})
	if err != nil {
		t.Fatal(err)
	}
	if one := o.ForDaemon(0, 1); Describe(one.Exports) != Describe(o.Exports) {
		t.Errorf("one daemon changed the exports: %s", Describe(one.Exports))
	}
	second := o.ForDaemon(1, 2)
	if got := Describe(second.Exports); got != "type=registry,ref=reg:5000/c:main-1,mode=max type=local,dest=/tmp/c/1,mode=min" {
		t.Errorf("daemon 1 of 2 exports: %s", got)
	}
	if Describe(second.Imports) != Describe(o.Imports) {
		t.Errorf("imports changed: %s", Describe(second.Imports))
	}
	if o.Exports[0].Attrs["ref"] != "reg:5000/c:main" {
		t.Errorf("ForDaemon modified the original: %v", o.Exports[0].Attrs)
	}
}

func TestPerDaemonRef(t *testing.T) {
	for in, want := range map[string]string{
		"reg:5000/c":                "reg:5000/c:latest-2",
		"reg:5000/c:v1":             "reg:5000/c:v1-2",
		"c":                         "c:latest-2",
		"reg/c:v1@sha256:0123abcd":  "reg/c:v1-2",
		"reg:5000/c@sha256:0123abc": "reg:5000/c:latest-2",
	} {
		if got := PerDaemonRef(in, 2); got != want {
			t.Errorf("PerDaemonRef(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGatewayImports(t *testing.T) {
	o, err := Parse(nil, []string{"reg/c:1", "type=local,src=/c"})
	if err != nil {
		t.Fatal(err)
	}
	got := o.GatewayImports()
	want := []gwclient.CacheOptionsEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "reg/c:1"}},
		{Type: "local", Attrs: map[string]string{"src": "/c"}},
	}
	if len(got) != len(want) {
		t.Fatalf("GatewayImports = %v", got)
	}
	for i := range want {
		if got[i].Type != want[i].Type || got[i].Attrs["ref"] != want[i].Attrs["ref"] || got[i].Attrs["src"] != want[i].Attrs["src"] {
			t.Errorf("entry %d = %v, want %v", i, got[i], want[i])
		}
	}
}
