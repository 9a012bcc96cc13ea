package feed

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/version"
)

const index = `Package: libgreet
Version: 1.2.0-1
Architecture: armv7
Provides: libgreet.so.1
Filename: libgreet_1.2.0-1_armv7.ipk
Size: 1234
SHA256sum: aa

Package: libgreet
Version: 1.10.0-1
Architecture: armv7
Filename: sub/libgreet_1.10.0-1_armv7.ipk
SHA256sum: bb

Package: libgreet
Version: 9.0-1
Architecture: aarch64
Filename: libgreet_9.0-1_aarch64.ipk

Package: motd
Version: 1.1-1
Architecture: all
Filename: motd_1.1-1_all.ipk
`

func TestParseIndexSelect(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(index))
	zw.Close()
	for _, data := range [][]byte{[]byte(index), gz.Bytes()} {
		es, err := ParseIndex(data)
		if err != nil || len(es) != 4 {
			t.Fatalf("ParseIndex: %d entries, %v", len(es), err)
		}
		if es[0].Field("Provides") != "libgreet.so.1" || es[0].Size != 1234 || es[0].SHA256 != "aa" {
			t.Errorf("first entry: %+v", es[0])
		}
		archs := []string{"armv7", "all"}
		for _, c := range []struct{ dep, want, err string }{
			{"libgreet", "1.10.0-1", ""},
			{"libgreet >= 1.2", "1.10.0-1", ""},
			{"libgreet << 1.10", "1.2.0-1", ""},
			{"motd", "1.1-1", ""},
			{"libgreet >= 2.0", "", "no version of libgreet satisfies >= 2.0 (it has 1.2.0-1, 1.10.0-1)"},
			{"nothere", "", "no package nothere for architecture armv7 or all"},
		} {
			d, _ := version.ParseDep(c.dep)
			e, err := Select(es, d, archs)
			switch {
			case c.err != "" && (err == nil || err.Error() != c.err):
				t.Errorf("Select(%s) = %v, want error %q", c.dep, err, c.err)
			case c.err == "" && (err != nil || e.Version != c.want):
				t.Errorf("Select(%s) = %+v, %v; want %s", c.dep, e, err, c.want)
			}
		}
	}
	if _, err := ParseIndex([]byte("Package: x\nVersion: 1\n\nVersion: 2\n")); err == nil || !strings.Contains(err.Error(), "stanza at line 1") {
		t.Errorf("ParseIndex without Filename = %v", err)
	}
}
