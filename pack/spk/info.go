package spk

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// synoVersionRE is Synology's version rule: numbers separated by '.', '-'
// or '_' ("each version delimiter is only allowed to be . - or _", "each
// version number ... is only allowed to be number").
var synoVersionRE = regexp.MustCompile(`^[0-9]+([._-][0-9]+)*$`)

// dsmVersionRE is the os_min_ver/os_max_ver form "X.Y-Z" (DSM major,
// minor, build).
var dsmVersionRE = regexp.MustCompile(`^([0-9]+)\.([0-9]+)-([0-9]+)$`)

// debianEpochRE matches a Debian version epoch ("1:").
var debianEpochRE = regexp.MustCompile(`^[0-9]+:`)

// maxVersionNumber is the largest number Synology allows in a version
// ("in the range of 0 - 2^31-1").
const maxVersionNumber = 1<<31 - 1

// Version maps a kiln (Debian-ordered) version to Synology's form.
//
// The epoch is dropped: Synology has no epoch, so "1:1.2.0-3" becomes
// "1.2.0-3" (a recipe that bumps its epoch because upstream numbering went
// backwards must also give formats.spk.version, or Package Center sees a
// downgrade). The rest is kept as is when it satisfies Synology's rule:
// numbers separated by '.', '-' or '_', the Debian revision becoming the
// build number. Anything else is an error rather than a guess: Package
// Center compares versions number by number, so "1:1.2.0~beta1-3" has no
// form that sorts before the 1.2.0 release as Debian's '~' does, and
// dropping "~beta1" would make the real 1.2.0 look like a downgrade.
func Version(v string) (string, error) {
	s := debianEpochRE.ReplaceAllString(v, "")
	if err := checkSynoVersion(s); err != nil {
		return "", fmt.Errorf("version %q has no Synology form (%v); set formats.spk.version", v, err)
	}
	return s, nil
}

func checkSynoVersion(s string) error {
	if !synoVersionRE.MatchString(s) {
		return fmt.Errorf("%q: Synology versions are numbers separated by '.', '-' or '_'", s)
	}
	for _, n := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		if x, err := strconv.ParseUint(n, 10, 64); err != nil || x > maxVersionNumber {
			return fmt.Errorf("%q: number %s is above Synology's limit of 2^31-1", s, n)
		}
	}
	return nil
}

// dsmVersion is a parsed os_min_ver/os_max_ver.
type dsmVersion struct{ major, minor, build int }

func parseDSMVersion(field, s string) (dsmVersion, error) {
	m := dsmVersionRE.FindStringSubmatch(s)
	if m == nil {
		return dsmVersion{}, fmt.Errorf("%s %q: want DSM major.minor-build, e.g. %q", field, s, DefaultOSMinVer)
	}
	var v [3]int
	for i := range v {
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > maxVersionNumber {
			return dsmVersion{}, fmt.Errorf("%s %q: number out of range", field, s)
		}
		v[i] = n
	}
	return dsmVersion{v[0], v[1], v[2]}, nil
}

func (a dsmVersion) less(b dsmVersion) bool {
	if a.major != b.major {
		return a.major < b.major
	}
	if a.minor != b.minor {
		return a.minor < b.minor
	}
	return a.build < b.build
}

// Info renders the INFO file of p with options o: one key="value" line per
// non-empty field, in a fixed order. extractSizeKB and checksum (the MD5 of
// package.tgz in hex) describe the payload; Pack computes them. It returns
// the validation errors of p and o, joined.
//
// Order: the six fields DSM 7 requires (package, version, os_min_ver,
// description, arch, maintainer; os_max_ver beside os_min_ver), the
// optional ones in the order of pkgscripts-ng's pkg_dump_info, then
// displayname, extractsize and checksum, which Synology's tools also write
// last. create_time and toolkit_version, which pkg_make_spk appends, are
// left out: DSM does not need them, and a build time would make every
// build differ.
func Info(p *pack.Package, o Options, extractSizeKB int64, checksum string) ([]byte, error) {
	s, err := resolve(p, o)
	if err != nil {
		return nil, err
	}
	return s.info(extractSizeKB, checksum), nil
}

func (s *spec) info(extractSizeKB int64, checksum string) []byte {
	o := &s.o
	port := ""
	if o.AdminPort != 0 {
		port = strconv.Itoa(o.AdminPort)
	}
	supportConf := ""
	if len(s.conf) > 0 && s.osMin.major < 7 {
		// DSM 6 reads conf/ only when asked to; DSM 7 always does.
		supportConf = "yes"
	}
	var b strings.Builder
	fields := [][2]string{
		{"package", s.pkg},
		{"version", s.version},
		{"os_min_ver", o.OSMinVer},
		{"os_max_ver", o.OSMaxVer},
		{"description", o.Description},
	}
	for _, lang := range slices.Sorted(maps.Keys(o.Descriptions)) {
		fields = append(fields, [2]string{"description_" + lang, o.Descriptions[lang]})
	}
	for _, f := range append(fields, [][2]string{
		{"arch", strings.Join(s.arch, " ")},
		{"maintainer", o.Maintainer},
		{"maintainer_url", o.MaintainerURL},
		{"distributor", o.Distributor},
		{"distributor_url", o.DistributorURL},
		{"adminprotocol", o.AdminProtocol},
		{"adminurl", o.AdminURL},
		{"adminport", port},
		{"dsmuidir", o.DSMUIDir},
		{"dsmappname", o.DSMAppName},
		{"checkport", yesNo(o.CheckPort)},
		{"startable", yesNo(o.Startable)},
		{"helpurl", o.HelpURL},
		{"report_url", o.ReportURL},
		{"support_url", o.SupportURL},
		{"install_dep_packages", strings.Join(o.InstallDepPackages, ":")},
		{"install_conflict_packages", strings.Join(o.InstallConflictPackages, ":")},
		{"silent_install", yesNo(o.SilentInstall)},
		{"silent_upgrade", yesNo(o.SilentUpgrade)},
		{"silent_uninstall", yesNo(o.SilentUninstall)},
		{"thirdparty", yesNo(o.ThirdParty)},
		{"support_conf_folder", supportConf},
		{"beta", yesNo(o.Beta)},
		{"ctl_stop", yesNo(o.CtlStop)},
		{"changelog", o.Changelog},
		{"displayname", o.DisplayName},
		{"extractsize", strconv.FormatInt(extractSizeKB, 10)},
		{"checksum", checksum},
	}...) {
		if f[1] != "" {
			b.WriteString(f[0] + `="` + escape(f[1]) + "\"\n")
		}
	}
	return []byte(b.String())
}

// escape quotes a value for INFO. DSM reads INFO with its own parser and
// pkgscripts-ng sources it with the shell, so a value must read the same
// both ways: '"' becomes '\"' (as spksrc writes it), and the characters
// the two would read differently ('\', '$', '`') are rejected by
// checkValue beforehand.
func escape(v string) string { return strings.ReplaceAll(v, `"`, `\"`) }

// checkValue rejects what cannot be written in a one-line INFO value.
func checkValue(field, v string) error {
	for _, r := range v {
		switch {
		case r == '\n' || r == '\r':
			return fmt.Errorf("%s %q contains a line break (INFO values are one line)", field, v)
		case r < 0x20 && r != '\t' || r == 0x7f:
			return fmt.Errorf("%s %q contains control character %U", field, v, r)
		case r == '\\' || r == '$' || r == '`':
			return fmt.Errorf("%s %q contains %q, which DSM and the shell read differently in INFO", field, v, r)
		}
	}
	return nil
}
