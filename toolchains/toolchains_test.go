package toolchains

import "testing"

func TestTargetsDecode(t *testing.T) {
	for _, name := range []string{"x86_64", "aarch64", "armv7"} {
		tg, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"CC", "CXX", "AR", "STRIP", "CROSS_COMPILE", "CHOST", "ARCH"} {
			if tg.Env[k] == "" {
				t.Errorf("%s: env %s is empty", name, k)
			}
		}
		for _, f := range []string{"ipk", "spk", "syspkg"} {
			if tg.Formats[f].Arch == "" {
				t.Errorf("%s: no %s arch", name, f)
			}
		}
		if tg.Triplet == "" || tg.Suite != "bookworm" || len(tg.Packages) < 5 {
			t.Errorf("%s: incomplete target %+v", name, tg)
		}
	}
	if _, err := Lookup("sparc"); err == nil {
		t.Error("unknown target: no error")
	}
}
