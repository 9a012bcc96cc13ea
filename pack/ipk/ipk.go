// Package ipk writes opkg packages (.ipk): an ar archive holding
// debian-binary, control.tar.gz and data.tar.gz, in that order, like
// opkg-build's default ("outer=ar") output and like a .deb.
//
// Every byte is a function of the package metadata and the tree's names,
// modes, contents and (clamped) mtimes; see pack/tarball for the tar rules.
package ipk

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/blakesmith/ar"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/tarball"
)

func init() { pack.Register(Format{}) }

// Format is the ipk package format, registered as "ipk".
type Format struct{}

// Name implements pack.Format.
func (Format) Name() string { return "ipk" }

// FileName implements pack.Format; see the package-level FileName.
func (Format) FileName(p *pack.Package) string { return FileName(p) }

// Options are the ipk format's options (formats.ipk): none yet, so any
// key is refused rather than dropped. The architecture comes from the
// target (its formats.ipk.arch), not from the recipe.
type Options struct{}

// Check implements pack.Checker: formats.ipk takes no options, so a key
// there (a misspelling, an arch meant for the target) fails before a build.
func (Format) Check(p *pack.Package) error {
	if err := pack.DecodeOptions("ipk", p.Options, &Options{}); err != nil {
		return fmt.Errorf("%w; the architecture comes from the target", err)
	}
	return nil
}

// Pack implements pack.Format: it validates p, reads the tree at root and
// writes the .ipk to w.
//
// Installed-Size is in bytes, the total size of the regular files: opkg
// reads the field as bytes (its free-space check divides by 1024) and
// OpenWrt's ipkg-build writes bytes, unlike dpkg's KiB.
func (f Format) Pack(p *pack.Package, root string, w io.Writer) error {
	if err := f.Check(p); err != nil {
		return fmt.Errorf("package %s: %w", p.Name, err)
	}
	if err := Validate(p); err != nil {
		return err
	}
	entries, err := tarball.Scan(root)
	if err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	if err := checkConffiles(p, entries); err != nil {
		return err
	}
	opts := tarball.Options{Epoch: p.Epoch, Prefix: tarball.DotSlash}

	// The compressed members are built in memory: an ar header states the
	// member size before its data, and packages for small devices are small.
	var data bytes.Buffer
	if err := tarball.WriteEntriesGzip(&data, entries, opts); err != nil {
		return fmt.Errorf("packing %s: data.tar.gz: %w", p.Name, err)
	}
	scripts, err := scripts(p)
	if err != nil {
		return err
	}
	var control bytes.Buffer
	size := tarball.InstalledSize(entries)
	if err := tarball.WriteEntriesGzip(&control, controlEntries(p, scripts, size), opts); err != nil {
		return fmt.Errorf("packing %s: control.tar.gz: %w", p.Name, err)
	}

	aw := ar.NewWriter(w)
	if err := aw.WriteGlobalHeader(); err != nil {
		return err
	}
	for _, m := range []struct {
		name string
		data []byte
	}{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar.gz", control.Bytes()},
		{"data.tar.gz", data.Bytes()},
	} {
		if err := writeMember(aw, m.name, m.data, p.Epoch); err != nil {
			return fmt.Errorf("packing %s: %s: %w", p.Name, m.name, err)
		}
	}
	return nil
}

// controlEntries lists the control archive: "./", "./control", then the
// optional "./conffiles" and install scripts. Scripts are executable
// because opkg runs them directly.
func controlEntries(p *pack.Package, scripts map[string]string, installedSize int64) []tarball.Entry {
	entries := []tarball.Entry{
		{Name: ".", Mode: fs.ModeDir | 0o755},
		{Name: "control", Mode: 0o644, Data: Control(p, installedSize)},
	}
	if c := conffiles(p); c != nil {
		entries = append(entries, tarball.Entry{Name: "conffiles", Mode: 0o644, Data: c})
	}
	for _, name := range sortedKeys(scripts) {
		entries = append(entries, tarball.Entry{Name: name, Mode: 0o755, Data: []byte(scripts[name])})
	}
	return entries
}

// checkConffiles rejects conffiles that are not regular files of the tree,
// as opkg-build does: opkg would otherwise track a file it never installs.
func checkConffiles(p *pack.Package, entries []tarball.Entry) error {
	if len(p.Conffiles) == 0 {
		return nil
	}
	regular := map[string]bool{}
	for _, e := range entries {
		if e.Mode.IsRegular() {
			regular["/"+e.Name] = true
		}
	}
	var missing []string
	for _, c := range p.Conffiles {
		if !regular[path.Clean(c)] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("package %s: conffiles not found as regular files in the package tree: %s",
			p.Name, strings.Join(missing, ", "))
	}
	return nil
}

// writeMember writes one ar member in a single Write: the ar writer adds
// its padding byte after every odd-sized Write call, so chunked writes
// would corrupt the member.
func writeMember(aw *ar.Writer, name string, data []byte, epoch int64) error {
	hdr := &ar.Header{
		Name:    name,
		ModTime: time.Unix(epoch, 0),
		Uid:     0,
		Gid:     0,
		Mode:    0o644, // the writer prepends "100": regular file 0100644
		Size:    int64(len(data)),
	}
	if err := aw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := aw.Write(data)
	return err
}
