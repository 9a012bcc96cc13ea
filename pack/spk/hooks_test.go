package spk

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
)

// TestHooksFromRecipe packs a package whose metadata carries Toltec hooks
// and formats.spk options, then runs the resulting scripts with sh as
// Package Center would, for an install and for an upgrade.
func TestHooksFromRecipe(t *testing.T) {
	p := &pack.Package{
		Name: "motd", Version: "1.2-1", Arch: "all", Maintainer: "Kiln <kiln@example.org>",
		Summary: "message of the day", Epoch: 1700000000, Target: "noarch",
		Hooks: pack.Hooks{
			Preinstall: `echo "fresh install on $KILN_TARGET ($KILN_ARCH)"`,
			Configure:  `echo "configured"`,
			Preremove:  `echo "removing"`,
		},
		Options: []byte(`{"displayname": "Message of the day", "scripts": {"postinst": "#!/bin/sh\necho custom\n"}}`),
	}
	if err := (Format{}).Check(p); err != nil {
		t.Fatalf("Check: %v", err)
	}
	var buf bytes.Buffer
	if err := (Format{}).Pack(p, t.TempDir(), &buf); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	m := members(t, buf.Bytes())
	if !strings.Contains(string(m["INFO"]), `displayname="Message of the day"`) {
		t.Errorf("INFO lacks the displayname option:\n%s", m["INFO"])
	}
	run := func(script, status string) string {
		cmd := exec.Command("sh", "-c", string(m["scripts/"+script]))
		cmd.Env = []string{"SYNOPKG_PKG_STATUS=" + status, "PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s (%s): %v\n%s", script, status, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for _, c := range []struct{ script, status, want string }{
		{"preinst", "INSTALL", "fresh install on noarch (all)"},
		{"preinst", "UPGRADE", ""},
		{"preuninst", "UNINSTALL", "removing"},
		{"preuninst", "UPGRADE", ""},
		{"postinst", "INSTALL", "custom"}, // the options' script wins over the hook
		{"postuninst", "UNINSTALL", ""},   // no hook: the default no-op
	} {
		if got := run(c.script, c.status); got != c.want {
			t.Errorf("%s with %s printed %q, want %q", c.script, c.status, got, c.want)
		}
	}
}

// TestCheckRejectsUnknownOption: a misspelt option fails before packing.
func TestCheckRejectsUnknownOption(t *testing.T) {
	p := &pack.Package{Name: "motd", Version: "1.0-1", Arch: "all", Maintainer: "K <k@example.org>", Summary: "s",
		Options: []byte(`{"dispalyname": "x"}`)}
	err := (Format{}).Check(p)
	if err == nil || !strings.Contains(err.Error(), `unknown option "dispalyname" (did you mean "displayname"?)`) {
		t.Fatalf("Check = %v, want an unknown field error", err)
	}
}
