package schema

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
)

// A recipe's license is an SPDX license expression: identifiers from the
// SPDX license list (MIT, GPL-2.0-or-later), LicenseRef-NAME for a
// license of one's own, joined with AND, OR, WITH and parentheses.

// licenseProblem says what is wrong with an invalid license expression
// and names the nearest valid one, or returns "" for a valid one.
func licenseProblem(s string) string {
	if ok, _ := spdxexp.ValidateLicenses([]string{s}); ok {
		return ""
	}
	return strconv.Quote(s) + " is not an SPDX license expression; use one such as " + strconv.Quote(suggestLicense(s)) +
		" (identifiers from the SPDX license list joined with AND, OR, WITH), or LicenseRef-NAME for a license of your own"
}

// licenseSep splits what people write between licenses: "A / B", "A or
// B", "A, B", "A & B".
var (
	licenseSep    = regexp.MustCompile(`(?i)\s*(/|,|\||&|\s+and\s+|\s+or\s+)\s*`)
	licenseVer    = regexp.MustCompile(`^([A-Za-z]+?)-?[vV]?([0-9]+(\.[0-9]+)*)(\+?)$`)
	licenseUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)
)

// suggestLicense rewrites s as a valid SPDX expression: each part an SPDX
// identifier where a spelling of one is recognised (SSPLv1 → SSPL-1.0),
// else LicenseRef-part; parts joined with OR ("A / B") or AND ("A & B").
func suggestLicense(s string) string {
	op := " OR "
	if strings.Contains(s, "&") || strings.Contains(strings.ToLower(s), " and ") {
		op = " AND "
	}
	var out []string
	for _, part := range licenseSep.Split(strings.TrimSpace(s), -1) {
		if part == "" {
			continue
		}
		out = append(out, licenseID(part))
	}
	if len(out) == 0 {
		return "LicenseRef-Custom"
	}
	return strings.Join(out, op)
}

// licenseID maps one part of a license to an SPDX identifier, or to a
// LicenseRef.
func licenseID(part string) string {
	if ok, id := spdxexp.ActiveLicense(part); ok {
		return id
	}
	if m := licenseVer.FindStringSubmatch(part); m != nil {
		name, ver, plus := m[1], m[2], m[4]
		if !strings.Contains(ver, ".") {
			ver += ".0"
		}
		var tries []string
		if plus != "" {
			tries = append(tries, name+"-"+ver+"-or-later")
		}
		tries = append(tries, name+"-"+ver+"-only", name+"-"+ver, name+"-"+m[2])
		for _, t := range tries {
			if ok, id := spdxexp.ActiveLicense(t); ok {
				return id
			}
		}
	}
	ref := strings.Trim(licenseUnsafe.ReplaceAllString(part, "-"), "-")
	if ref == "" {
		ref = "Custom"
	}
	return "LicenseRef-" + ref
}

// ValidLicense returns s when it is an SPDX license expression, else the
// nearest valid one (GPLv3 → GPL-3.0-only, else LicenseRef-NAME) and
// false: for importers, which must say they changed it.
func ValidLicense(s string) (string, bool) {
	if licenseProblem(s) == "" {
		return s, true
	}
	return suggestLicense(s), false
}
