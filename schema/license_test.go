package schema

import "testing"

// TestLicense: a license is an SPDX expression; an invalid one is named
// with the nearest valid form.
func TestLicense(t *testing.T) {
	for _, ok := range []string{"MIT", "GPL-2.0-or-later", "Apache-2.0 OR MIT", "(MIT AND BSD-3-Clause)",
		"GPL-2.0-or-later WITH Classpath-exception-2.0", "LicenseRef-Custom", "SSPL-1.0 OR LicenseRef-RSALv2"} {
		if msg := licenseProblem(ok); msg != "" {
			t.Errorf("%q: %s", ok, msg)
		}
	}
	for in, want := range map[string]string{
		"Custom":          "LicenseRef-Custom",
		"RSALv2 / SSPLv1": "LicenseRef-RSALv2 OR SSPL-1.0",
		"GPLv2+":          "GPL-2.0-or-later",
		"GPLv3":           "GPL-3.0-only",
		"MIT & Apache2":   "MIT AND Apache-2.0",
		"Public Domain":   "LicenseRef-Public-Domain",
	} {
		if licenseProblem(in) == "" {
			t.Errorf("%q: accepted", in)
		}
		if got := suggestLicense(in); got != want {
			t.Errorf("suggestLicense(%q) = %q, want %q", in, got, want)
		} else if msg := licenseProblem(got); msg != "" {
			t.Errorf("suggestion %q is invalid: %s", got, msg)
		}
	}
}
