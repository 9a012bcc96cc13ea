package feed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ipkWithControl is a hand-made .ipk whose control file is control.
func ipkWithControl(t *testing.T, control string) []byte {
	t.Helper()
	var tgz bytes.Buffer
	zw := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "./control", Mode: 0o644, Size: int64(len(control)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(control)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := arWith("debian-binary", "4", []byte("2.0\n"))
	member := arWith("control.tar.gz", itoa(int64(tgz.Len())), tgz.Bytes())[len(arMagic):]
	data = append(data, member...)
	if tgz.Len()%2 == 1 {
		data = append(data, '\n')
	}
	return data
}

func writeIPK(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadRefusesBadControl(t *testing.T) {
	const head = "Package: a\nVersion: 1.0\nArchitecture: all\n"
	for name, tc := range map[string]struct{ control, want string }{
		// A blank line ends the stanza: what follows became a second
		// package with its own Filename and SHA256sum.
		"stanza injection": {head + "\nPackage: evil\nVersion: 9\nFilename: evil.ipk\nSize: 1\nSHA256sum: 00\n", "line 4: blank line"},
		"whitespace line":  {head + " \t\nPackage: evil\n", "line 4: blank line"},
		"duplicate":        {head + "package: b\n", "field package given twice"},
		"filename":         {head + "Filename: ../other.ipk\n", "field Filename is written by the index"},
		"size":             {head + "Size: 1\n", "field Size is written by the index"},
		"sha256sum":        {head + "sha256sum: 00\n", "field sha256sum is written by the index"},
		"md5sum":           {head + "MD5Sum: 00\n", "field MD5Sum is written by the index"},
		"no colon":         {head + "Package a\n", `"Package a" is not a "Field: value" line`},
		"carriage return":  {head + "Description: x\r\nPackage: evil\n", "control character"},
		"leading continue": {" x\n" + head, "continuation line before any field"},
		"empty":            {"\n", "control file is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeIPK(t, t.TempDir(), "a_1.0_all.ipk", ipkWithControl(t, tc.control))
			_, err := Read(path, "a_1.0_all.ipk")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "a_1.0_all.ipk") {
				t.Fatalf("Read = %v, want an error naming the .ipk and containing %q", err, tc.want)
			}
		})
	}
}

func TestReadNormalisesControl(t *testing.T) {
	control := "Package:   a  \nVersion:1.0\nArchitecture: all\nDescription: short\n  indented more \n .\nInstalled-Size:\n"
	path := writeIPK(t, t.TempDir(), "a.ipk", ipkWithControl(t, control))
	e, err := Read(path, "a.ipk")
	if err != nil {
		t.Fatal(err)
	}
	want := "Package: a\nVersion: 1.0\nArchitecture: all\nDescription: short\n  indented more\n .\nInstalled-Size:\n"
	if e.Control != want {
		t.Errorf("control =\n%s\nwant\n%s", e.Control, want)
	}
	if e.Package != "a" || e.Version != "1.0" || e.Arch != "all" {
		t.Errorf("entry %q %q %q", e.Package, e.Version, e.Arch)
	}
}

// TestWriteDirRefusesInjection: one bad .ipk fails the index, naming it,
// and no Packages is written.
func TestWriteDirRefusesInjection(t *testing.T) {
	dir := t.TempDir()
	writeIPK(t, dir, "evil_1_all.ipk", ipkWithControl(t, "Package: a\nVersion: 1\n\nPackage: evil\nFilename: x.ipk\nSHA256sum: 00\n"))
	if _, err := WriteDir(dir); err == nil || !strings.Contains(err.Error(), "evil_1_all.ipk") {
		t.Fatalf("WriteDir = %v, want an error naming evil_1_all.ipk", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Packages")); !os.IsNotExist(err) {
		t.Errorf("Packages written: %v", err)
	}
}

func TestReadRefusesControlCharacterInFileName(t *testing.T) {
	path := writeIPK(t, t.TempDir(), "a.ipk", ipkWithControl(t, "Package: a\nVersion: 1\n"))
	if _, err := Read(path, "a\nSHA256sum: 00.ipk"); err == nil || !strings.Contains(err.Error(), "control character in the file name") {
		t.Fatalf("Read = %v", err)
	}
}
