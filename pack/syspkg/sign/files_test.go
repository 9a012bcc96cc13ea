package sign

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCertFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "jane")
	key := testKey(t, "dev")
	opts := &CertOptions{Now: now, Bits: MinBits}

	// A new key and its certificate: the key first, private.
	written, err := CertFiles{Out: out}.Create(Developer, "Jane Doe", opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{out + ".key", out + ".pem"}; !reflect.DeepEqual(written, want) {
		t.Errorf("written = %q, want %q", written, want)
	}
	if st, err := os.Stat(out + ".key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v", st, err)
	}
	c := mustCert(t, readTestFile(t, out+".pem"))
	if KindOf(c) != Developer || c.Subject.CommonName != "Jane Doe" {
		t.Errorf("certificate %v", c.Subject)
	}

	// Existing files stay, and no key is made for nothing.
	before := readTestFile(t, out+".key")
	if _, err := (CertFiles{Out: out}).Create(Developer, "Jane Doe", opts); !errors.Is(err, fs.ErrExist) {
		t.Errorf("over existing files: %v", err)
	}
	if string(readTestFile(t, out+".key")) != string(before) {
		t.Error("existing key replaced")
	}
	// ...unless replaced.
	if _, err := (CertFiles{Out: out, Replace: true}).Create(Developer, "Jane Doe", &CertOptions{Now: now, Key: key}); err != nil {
		t.Fatal(err)
	}
	if string(readTestFile(t, out+".key")) != string(before) {
		t.Error("an existing key given in the options replaced the key file")
	}

	// A request for a given key: only the request is written.
	written, err = CertFiles{Out: out, CSR: true}.Create(Developer, "Jane Doe", &CertOptions{Key: key})
	if err != nil || !reflect.DeepEqual(written, []string{out + ".csr"}) {
		t.Fatalf("CSR: %q, %v", written, err)
	}
	if _, err := ParseCSR(readTestFile(t, out+".csr")); err != nil {
		t.Error(err)
	}
	if _, err := (CertFiles{Out: out + "-repo", CSR: true}).Create(Repository, "Repo", opts); err == nil {
		t.Error("repository CSR made")
	}
}
