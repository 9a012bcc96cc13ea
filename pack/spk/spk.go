// Package spk writes Synology packages (.spk), as pkgscripts-ng's
// pkg_make_spk does: an uncompressed tar holding INFO, package.tgz (the
// installed tree), scripts/, conf/ (when there is configuration) and the
// package icons PACKAGE_ICON.PNG and PACKAGE_ICON_256.PNG.
//
// Every byte is a function of the package metadata, the options, the icon
// files and the tree's names, modes, contents and (clamped) mtimes; see
// pack/tarball for the tar rules.
//
// From pack.Package the format takes the name (the default identity),
// version (see Version), arch (see Arch), maintainer, summary (the default
// description), homepage (the default helpurl), scripts and epoch. Depends,
// Conflicts and Conffiles have no spk meaning: Synology dependencies name
// Synology packages and are given as options (install_dep_packages,
// install_conflict_packages), and Package Center has no conffiles.
package spk

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/tarball"
)

func init() { pack.Register(Format{}) }

// Format is the spk package format, registered as "spk".
type Format struct{}

// Name implements pack.Format.
func (Format) Name() string { return "spk" }

// FileName implements pack.Format with the options of p (see FileName).
// When p is invalid it returns "<name>.spk", so that pack.WriteFile goes on
// to Pack, whose error says what is wrong, instead of failing on the name.
func (Format) FileName(p *pack.Package) string {
	if o, err := optionsFor(p); err == nil {
		if name, err := FileName(p, o); err == nil {
			return name
		}
	}
	return fallbackNameRE.ReplaceAllString(p.Name, "_") + ".spk"
}

var fallbackNameRE = regexp.MustCompile(`[^A-Za-z0-9._+-]`)

// Pack implements pack.Format with the options of p.
func (Format) Pack(p *pack.Package, root string, w io.Writer) error {
	if p == nil {
		return errors.New("no package metadata")
	}
	o, err := optionsFor(p)
	if err != nil {
		return fmt.Errorf("package %s: %w", p.Name, err)
	}
	return PackWithOptions(p, o, root, w)
}

// Check implements pack.Checker: it resolves p's options as Pack would,
// without reading icons or the tree, so bad options fail before a build.
func (Format) Check(p *pack.Package) error {
	o, err := optionsFor(p)
	if err != nil {
		return err // the caller names the package
	}
	_, err = resolve(p, o)
	return err
}

// FileName is the conventional .spk name of p with options o, following
// pkgscripts-ng's spk naming functions: ${package}-${arch}-${version}.spk,
// ${package}-${version}.spk for noarch, and the platform family as arch
// when o lists several platforms of one family (see fileArch).
func FileName(p *pack.Package, o Options) (string, error) {
	s, err := resolve(p, o)
	if err != nil {
		return "", err
	}
	return s.fileName(), nil
}

// PackWithOptions validates p and o, reads the icons and the tree at root
// and writes the .spk to w. Nothing is written when validation fails.
func PackWithOptions(p *pack.Package, o Options, root string, w io.Writer) error {
	s, err := resolve(p, o)
	if err != nil {
		return err
	}
	icon, icon256, err := s.icons()
	if err != nil {
		return fmt.Errorf("package %s: %w", p.Name, err)
	}
	entries, err := tarball.Scan(root)
	if err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	if err := checkUIDir(s.o.DSMUIDir, entries); err != nil {
		return fmt.Errorf("package %s: %w", p.Name, err)
	}

	// package.tgz as pkg_make_package makes it: entries named without a
	// "./" prefix and no entry for the root itself, which stands for the
	// package's target directory that Package Center creates. It is built
	// in memory because INFO needs its checksum before the tar is written.
	var payload bytes.Buffer
	if err := tarball.WriteEntriesGzip(&payload, entries, tarball.Options{Epoch: p.Epoch}); err != nil {
		return fmt.Errorf("packing %s: package.tgz: %w", p.Name, err)
	}
	sum := md5.Sum(payload.Bytes())
	info := s.info(ExtractSize(entries), hex.EncodeToString(sum[:]))

	outer := []tarball.Entry{
		{Name: "INFO", Mode: 0o644, Data: info},
		{Name: "package.tgz", Mode: 0o644, Data: payload.Bytes()},
		{Name: iconName, Mode: 0o644, Data: icon},
		{Name: icon256Name, Mode: 0o644, Data: icon256},
		{Name: "scripts", Mode: fs.ModeDir | 0o755},
	}
	wizard, err := wizardEntries(s.o.Wizard)
	if err != nil {
		return fmt.Errorf("package %s: %w", p.Name, err)
	}
	outer = append(outer, wizard...)
	for name, data := range s.scripts {
		// Package Center executes the scripts directly.
		outer = append(outer, tarball.Entry{Name: "scripts/" + name, Mode: 0o755, Data: data})
	}
	if len(s.conf) > 0 {
		outer = append(outer, tarball.Entry{Name: "conf", Mode: fs.ModeDir | 0o755})
		for name, data := range s.conf {
			outer = append(outer, tarball.Entry{Name: "conf/" + name, Mode: 0o644, Data: data})
		}
	}
	// WriteEntries sorts by name in byte order, which is the order of
	// pkg_make_spk's "tar cf ... $(ls)" in the C locale: INFO, the icons,
	// conf, package.tgz, scripts. No prefix, no root entry, as there.
	if err := tarball.WriteEntries(w, outer, tarball.Options{Epoch: p.Epoch}); err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	return nil
}

// icons returns PACKAGE_ICON.PNG and PACKAGE_ICON_256.PNG: the files the
// options name, the missing size scaled from the other, or the default.
func (s *spec) icons() (icon, icon256 []byte, err error) {
	var errs []error
	if s.o.Icon != "" {
		if icon, err = loadIcon("icon", s.o.Icon, IconSize); err != nil {
			errs = append(errs, err)
		}
	}
	if s.o.Icon256 != "" {
		if icon256, err = loadIcon("icon_256", s.o.Icon256, Icon256Size); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	switch {
	case icon == nil && icon256 == nil:
		label := s.o.DisplayName
		return DefaultIcon(s.pkg, label, IconSize), DefaultIcon(s.pkg, label, Icon256Size), nil
	case icon == nil:
		icon = scaleIcon(icon256, IconSize)
	case icon256 == nil:
		icon256 = scaleIcon(icon, Icon256Size)
	}
	return icon, icon256, nil
}

// checkUIDir rejects a dsmuidir that is not a directory of the tree:
// Package Center would link a missing desktop UI (spksrc leaves the key out
// then). DSM 7 also accepts several directories in one value, whose syntax
// kiln does not check, so only a plain single path is looked up.
func checkUIDir(dir string, entries []tarball.Entry) error {
	if dir == "" || strings.ContainsAny(dir, " :") {
		return nil
	}
	for _, e := range entries {
		if e.Name == dir && e.Mode.IsDir() {
			return nil
		}
	}
	return fmt.Errorf("dsmuidir %q is not a directory of the package tree", dir)
}

// ExtractSize is INFO's extractsize: the KiB the tree takes once
// extracted. pkg_make_package measures it with "du -sk" of the staged
// tree, which depends on the build host's file system; kiln computes what
// du reports on a file system with 4 KiB blocks (each directory one block,
// each regular file rounded up to whole blocks, symlinks none), from the
// entries alone. DSM checks free space with it, so rounding up is the safe
// side.
func ExtractSize(entries []tarball.Entry) int64 {
	const block = 4096
	var n int64
	for _, e := range entries {
		switch {
		case e.Mode.IsDir():
			n += block
		case e.Mode.IsRegular():
			size := e.Size
			if e.Path == "" {
				size = int64(len(e.Data))
			}
			n += (size + block - 1) / block * block
		}
	}
	return n / 1024
}

// wizardRE are the file names Package Center reads from WIZARD_UIFILES.
var wizardRE = regexp.MustCompile(`^(install|upgrade|uninstall)_uifile(_[a-z]{3})?(\.sh)?$`)

// wizardEntries are the files of dir as WIZARD_UIFILES/ entries.
func wizardEntries(dir string) ([]tarball.Entry, error) {
	if dir == "" {
		return nil, nil
	}
	list, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wizard: %w", err)
	}
	out := []tarball.Entry{{Name: "WIZARD_UIFILES", Mode: fs.ModeDir | 0o755}}
	for _, e := range list {
		if !wizardRE.MatchString(e.Name()) {
			return nil, fmt.Errorf("wizard %s: %s is not a wizard file (install_uifile, upgrade_uifile, uninstall_uifile, optionally _LANG, .sh)", dir, e.Name())
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("wizard: %w", err)
		}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(e.Name(), ".sh") {
			mode = 0o755
		}
		out = append(out, tarball.Entry{Name: "WIZARD_UIFILES/" + e.Name(), Mode: mode, Data: data})
	}
	return out, nil
}
