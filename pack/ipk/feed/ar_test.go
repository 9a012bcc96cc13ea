package feed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/ipk"
)

// arWith is an ar archive with one member whose size field says size
// (any text) and whose data is data.
func arWith(name, size string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(arMagic)
	fmt.Fprintf(&b, "%-16s%-12s%-6s%-6s%-8s%-10s`\n", name, "0", "0", "0", "100644", size)
	b.Write(data)
	return b.Bytes()
}

// testIPK is a small real .ipk written by the ipk format.
func testIPK(t testing.TB) []byte {
	t.Helper()
	root, dir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello"), []byte("hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := &pack.Package{Name: "hello", Version: "1.0-1", Arch: "armv7", Maintainer: "K <k@example.org>", Summary: "hi", Epoch: 1700000000}
	path, err := pack.WriteFile(ipk.Format{}, p, root, dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// controlOfWithin runs controlOf, failing the test instead of hanging when
// it does not return within a few seconds.
func controlOfWithin(t *testing.T, data []byte) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := controlOf(data)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("controlOf did not return (the ar reader loops)")
		return nil
	}
}

func TestArRefusesBadSizes(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		// The size that made the ar reader seek back onto its own header.
		"minus 60":         {arWith("debian-binary", "-60", nil), `bad size "-60"`},
		"minus 60 control": {arWith("control.tar.gz", "-60", nil), `bad size "-60"`},
		"negative":         {arWith("control.tar.gz", "-1", []byte("x")), `bad size "-1"`},
		"plus sign":        {arWith("control.tar.gz", "+1", []byte("x")), `bad size "+1"`},
		"not number":       {arWith("control.tar.gz", "12a", []byte("x")), `bad size "12a"`},
		"empty":            {arWith("control.tar.gz", "", []byte("x")), `bad size ""`},
		"oversize":         {arWith("control.tar.gz", "9999999999", []byte("x")), "runs past the end"},
		"past end":         {arWith("control.tar.gz", "10", []byte("12345")), "runs past the end"},
		"truncated":        {[]byte(arMagic + "control.tar.gz  0"), "truncated member header"},
		"no fmag":          {[]byte(strings.Replace(string(arWith("a", "0", nil)), "`\n", "xx", 1)), "bad member header"},
	} {
		t.Run(name, func(t *testing.T) {
			err := controlOfWithin(t, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("controlOf = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestArMembers(t *testing.T) {
	ms, err := arMembers(testIPK(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, " "); got != "debian-binary control.tar.gz data.tar.gz" {
		t.Fatalf("members %q", got)
	}
	if string(ms[0].Data) != "2.0\n" {
		t.Errorf("debian-binary = %q", ms[0].Data)
	}
	// An odd-sized member is padded to an even offset.
	data := append(arWith("a", "1", []byte("x\n")), arWith("b", "2", []byte("yz"))[len(arMagic):]...)
	ms, err = arMembers(data)
	if err != nil || len(ms) != 2 || string(ms[0].Data) != "x" || ms[1].Name != "b" || string(ms[1].Data) != "yz" {
		t.Fatalf("padded members = %q, %v", ms, err)
	}
}

// FuzzReadIPK feeds arbitrary bytes to the .ipk reader of kiln index: it
// must return, without panicking, and never hand out more than it read.
// The seeds run under plain go test; go test -fuzz=FuzzReadIPK explores.
func FuzzReadIPK(f *testing.F) {
	f.Add(testIPK(f))
	f.Add(arWith("debian-binary", "-60", nil))
	f.Add(arWith("control.tar.gz", "-60", nil))
	f.Add(arWith("control.tar.gz", "9999999999", []byte("x")))
	f.Add([]byte(arMagic))
	f.Add([]byte("not an archive"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if ms, err := arMembers(data); err == nil {
			n := len(arMagic)
			for _, m := range ms {
				n += arHeaderSize + len(m.Data)
			}
			if n > len(data) {
				t.Fatalf("members hold %d bytes of a %d-byte archive", n, len(data))
			}
		}
		control, err := controlOf(data)
		if err == nil && !strings.HasSuffix(control, "\n") {
			t.Fatalf("control %q does not end in a newline", control)
		}
	})
}
