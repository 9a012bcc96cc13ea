package split

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/kiln-build/kiln/internal/specfile"
)

// Run splits the tree at root into out/<package>/ following spec, stripping
// the ELF files selected for stripping.
func Run(spec Spec, root, out string) error {
	byPkg, strip, err := Plan(root, spec)
	if err != nil {
		return err
	}
	pkgs := make([]string, 0, len(spec.Packages))
	for _, p := range spec.Packages {
		pkgs = append(pkgs, p.Name)
	}
	sort.Strings(pkgs)
	for _, name := range pkgs {
		dst := filepath.Join(out, name)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		for _, f := range byPkg[name] {
			if err := copyEntry(filepath.Join(root, f), filepath.Join(dst, f)); err != nil {
				return fmt.Errorf("package %s: %s: %w", name, f, err)
			}
			if strip[f] && spec.Strip != "" {
				if err := stripFile(spec.Strip, filepath.Join(dst, f)); err != nil {
					return fmt.Errorf("package %s: stripping %s: %w", name, f, err)
				}
			}
		}
	}
	return nil
}

// keptModeBits are the mode bits a package keeps: permissions and the
// setuid, setgid and sticky bits (a 1777 spool directory stays 1777).
const keptModeBits = os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky

// copyEntry copies a regular file, symlink or (empty) directory, creating
// parent directories with the modes they have in the source tree.
func copyEntry(src, dst string) error {
	if err := mkParents(filepath.Dir(src), filepath.Dir(dst)); err != nil {
		return err
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return mkDir(dst, fi.Mode()&keptModeBits)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file or symlink (%s)", fi.Mode().Type())
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, fi.Mode()&keptModeBits)
}

func mkParents(srcDir, dstDir string) error {
	if _, err := os.Stat(dstDir); err == nil {
		return nil
	}
	if err := mkParents(filepath.Dir(srcDir), filepath.Dir(dstDir)); err != nil {
		return err
	}
	mode := os.FileMode(0o755)
	if fi, err := os.Stat(srcDir); err == nil {
		mode = fi.Mode() & keptModeBits
	}
	return mkDir(dstDir, mode)
}

// mkDir creates dir (if missing) and gives it mode, special bits included:
// Mkdir's mode passes through the umask, Chmod's does not.
func mkDir(dir string, mode os.FileMode) error {
	if err := os.Mkdir(dir, mode); err != nil && !os.IsExist(err) {
		return err
	}
	return os.Chmod(dir, mode)
}

// stripFile strips an ELF executable (--strip-all) or shared library or
// object (--strip-unneeded); anything else (scripts, data) is left alone.
func stripFile(strip, file string) error {
	fi, err := os.Lstat(file)
	if err != nil || !fi.Mode().IsRegular() {
		return err
	}
	f, err := elf.Open(file)
	if err != nil {
		return nil // not ELF
	}
	mode := "--strip-unneeded"
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			mode = "--strip-all"
		}
	}
	if f.Type == elf.ET_EXEC {
		mode = "--strip-all"
	}
	f.Close()
	var errb bytes.Buffer
	cmd := exec.Command(strip, mode, file)
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", strip, mode, err, bytes.TrimSpace(errb.Bytes()))
	}
	// strip rewrites the file; keep the mode the package asked for.
	return os.Chmod(file, fi.Mode()&keptModeBits)
}

// RunFile is Run with the spec read from a JSON file: the in-graph split
// step (kiln split --spec FILE).
func RunFile(specFile, root, out string) error {
	var spec Spec
	if err := specfile.Read(specFile, &spec); err != nil {
		return err
	}
	return Run(spec, root, out)
}
