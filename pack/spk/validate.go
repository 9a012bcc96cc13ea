package spk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// packageRE restricts the package identity. Synology only forbids
// ':', '/', '>', '<', '|' and '='; kiln also keeps out spaces, quotes and
// shell characters, since the identity names /var/packages/<package>, the
// .spk file and the default start-stop-status script's state directory.
var packageRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// depRE is one entry of install_dep_packages / install_conflict_packages:
// a package identity, optionally with a version bound ("pkg>=1.2-3").
var depRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*([<>]=?[0-9][0-9._-]*)?$`)

// langRE is a Synology language code (enu, fre, ger, chs, ...).
var langRE = regexp.MustCompile(`^[a-z]{3}$`)

// dsm7 is the first DSM 7 build; DSM 7 refuses packages below it.
var dsm7 = dsmVersion{7, 0, 40000}

// spec is a validated package: p and o resolved into what is written.
type spec struct {
	p       *pack.Package
	o       Options
	pkg     string
	version string
	arch    []string
	osMin   dsmVersion
	// scripts holds every file of scripts/, defaults included.
	scripts map[string][]byte
	// conf holds the files of conf/ (canonical JSON).
	conf map[string][]byte
}

// Validate reports every problem that would make p with options o an
// invalid spk, joined. It does not read the icons or the tree; Pack does.
func Validate(p *pack.Package, o Options) error {
	_, err := resolve(p, o)
	return err
}

// resolve validates p and o and fills in what is derived from them.
func resolve(p *pack.Package, o Options) (*spec, error) {
	if p == nil {
		return nil, errors.New("no package metadata")
	}
	s := &spec{p: p, o: o, pkg: o.Package}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("package %s: "+format, append([]any{p.Name}, args...)...))
	}

	if !packageRE.MatchString(s.pkg) {
		bad("spk package identity %q: must match %s (Synology forbids ':', '/', '>', '<', '|', '='; kiln also spaces, quotes and shell characters)", s.pkg, packageRE)
	}
	if p.Epoch < 0 {
		bad("epoch %d is before 1970", p.Epoch)
	}

	if o.Version != "" {
		if err := checkSynoVersion(o.Version); err != nil {
			bad("formats.spk.version %v", err)
		}
		s.version = o.Version
	} else if p.Version == "" {
		bad("version is empty")
	} else if v, err := Version(p.Version); err != nil {
		bad("%v", err)
	} else {
		s.version = v
	}

	archs := []string(o.Arch)
	if len(archs) == 0 && p.Arch != "" {
		archs = []string{p.Arch}
	}
	if a, err := resolveArch(archs); err != nil {
		bad("%v", err)
	} else {
		s.arch = a
	}

	if v, err := parseDSMVersion("os_min_ver", o.OSMinVer); err != nil {
		bad("%v", err)
	} else {
		s.osMin = v
		if v.major >= 7 && v.less(dsm7) {
			bad("os_min_ver %q: DSM 7 installs only packages with os_min_ver at least 7.0-40000", o.OSMinVer)
		}
		if o.OSMaxVer != "" {
			if max, err := parseDSMVersion("os_max_ver", o.OSMaxVer); err != nil {
				bad("%v", err)
			} else if max.less(v) {
				bad("os_max_ver %q is below os_min_ver %q", o.OSMaxVer, o.OSMinVer)
			}
		}
	}

	// The fields DSM 7 requires; package, version and arch are checked above.
	for _, f := range [][2]string{{"description", o.Description}, {"maintainer", o.Maintainer}} {
		if strings.TrimSpace(f[1]) == "" {
			bad("INFO field %s is required and empty", f[0])
		}
	}
	for _, f := range [][2]string{
		{"description", o.Description}, {"maintainer", o.Maintainer}, {"displayname", o.DisplayName},
		{"maintainer_url", o.MaintainerURL}, {"distributor", o.Distributor},
		{"distributor_url", o.DistributorURL}, {"support_url", o.SupportURL}, {"helpurl", o.HelpURL},
		{"report_url", o.ReportURL}, {"changelog", o.Changelog}, {"dsmappname", o.DSMAppName},
		{"adminurl", o.AdminURL}, {"dsmuidir", o.DSMUIDir},
	} {
		if err := checkValue(f[0], f[1]); err != nil {
			bad("%v", err)
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(o.Descriptions)) {
		if !langRE.MatchString(lang) {
			bad("descriptions: %q is not a Synology language code (three lowercase letters: fre, ger, jpn, ...)", lang)
		} else if err := checkValue("description_"+lang, o.Descriptions[lang]); err != nil {
			bad("%v", err)
		}
	}
	for _, list := range []struct {
		field   string
		entries []string
	}{{"install_dep_packages", o.InstallDepPackages}, {"install_conflict_packages", o.InstallConflictPackages}} {
		for _, e := range list.entries {
			if !depRE.MatchString(e) {
				bad("%s entry %q: want a package identity, optionally with a version bound (pkg>=1.0-1)", list.field, e)
			}
		}
	}
	if o.AdminProtocol != "" && o.AdminProtocol != "http" && o.AdminProtocol != "https" {
		bad("adminprotocol %q: want http or https", o.AdminProtocol)
	}
	if o.AdminPort < 0 || o.AdminPort > 65535 {
		bad("adminport %d: want 1-65535", o.AdminPort)
	}
	if d := o.DSMUIDir; d != "" && (path.IsAbs(d) || path.Clean(d) != d || d == ".." || strings.HasPrefix(d, "../")) {
		bad("dsmuidir %q: want a clean path relative to the package root", d)
	}

	s.scripts, errs = resolveScripts(s, errs)
	s.conf, errs = resolveConf(s, errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// fileName is the .spk file name of a valid spec.
func (s *spec) fileName() string { return spkFileName(s.pkg, s.version, s.arch) }

// startable reports whether the package has a service: ctl_stop (DSM 7)
// or startable (older DSM) set to "no" say it has none.
func (s *spec) startable() bool {
	return (s.o.CtlStop == nil || *s.o.CtlStop) && (s.o.Startable == nil || *s.o.Startable)
}

func resolveScripts(s *spec, errs []error) (map[string][]byte, []error) {
	out := map[string][]byte{}
	names := make([]string, 0, len(s.o.Scripts))
	for name := range s.o.Scripts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := s.o.Scripts[name]
		switch {
		case !slices.Contains(ScriptNames, name) && !slices.Contains(ExtraScriptNames, name):
			errs = append(errs, fmt.Errorf("package %s: unknown spk script %q (Synology runs %s; DSM 7 also %s)",
				s.p.Name, name, strings.Join(ScriptNames, ", "), strings.Join(ExtraScriptNames, ", ")))
		case !strings.HasPrefix(content, "#!"):
			// Package Center executes the scripts directly.
			errs = append(errs, fmt.Errorf("package %s: script %s must start with an interpreter line (#!/bin/sh)", s.p.Name, name))
		default:
			out[name] = []byte(content)
		}
	}
	for _, name := range ScriptNames {
		if _, ok := out[name]; !ok {
			out[name] = defaultScript(name, s)
		}
	}
	return out, errs
}

func resolveConf(s *spec, errs []error) (map[string][]byte, []error) {
	conf := map[string][]byte{}
	for _, c := range []struct {
		name string
		raw  json.RawMessage
	}{{"privilege", s.o.Privilege}, {"resource", s.o.Resource}} {
		if t := bytes.TrimSpace(c.raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		data, obj, err := canonicalJSON(c.raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("package %s: %s: %v", s.p.Name, c.name, err))
			continue
		}
		if c.name == "privilege" && s.osMin.major >= 7 {
			defaults, _ := obj["defaults"].(map[string]any)
			if runAs, _ := defaults["run-as"].(string); runAs != "package" {
				errs = append(errs, fmt.Errorf(`package %s: privilege: DSM 7 requires "defaults": {"run-as": "package"}, got %v`,
					s.p.Name, obj["defaults"]))
			}
		}
		conf[c.name] = data
	}
	if _, ok := conf["privilege"]; !ok && s.osMin.major >= 7 {
		// DSM 7 installs no package without conf/privilege; spksrc writes
		// the same default for DSM 7.
		conf["privilege"] = []byte(defaultPrivilege)
	}
	return conf, errs
}

const defaultPrivilege = "{\n  \"defaults\": {\n    \"run-as\": \"package\"\n  }\n}\n"

// canonicalJSON re-encodes a JSON object with sorted keys and two-space
// indentation, so the bytes do not depend on how the recipe spelt it.
func canonicalJSON(raw []byte) ([]byte, map[string]any, error) {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep numbers as written (no float rounding)
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		return nil, nil, fmt.Errorf("want a JSON object, got %.60s", bytes.TrimSpace(raw))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" stays "<", as the recipe wrote it
	enc.SetIndent("", "  ")
	if err := enc.Encode(obj); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), obj, nil
}
