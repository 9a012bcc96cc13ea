package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzFormats maps the fuzzer's format byte to a file name. Set
// KILN_FUZZ_FORMAT=yaml (or cue, json) to fuzz one format only.
var fuzzFormats = []string{"f.yaml", "f.cue", "f.json"}

// FuzzParse: no input, recipe or repository file, may panic or hang, and
// every failure is positioned Errors naming the file. Seeds are the testdata recipes; crashers found
// so far live in testdata/fuzz/FuzzParse and run with every go test.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "[gb]*", "*"))
	for _, file := range files {
		if strings.HasSuffix(file, ".golden") {
			continue
		}
		if fi, err := os.Stat(file); err == nil && fi.IsDir() {
			continue // a good recipe's source directory
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i, name := range fuzzFormats {
			if filepath.Ext(name) == filepath.Ext(file) {
				f.Add(uint8(i), data)
			}
		}
	}
	only := os.Getenv("KILN_FUZZ_FORMAT")
	f.Fuzz(func(t *testing.T, format uint8, data []byte) {
		name := fuzzFormats[int(format)%len(fuzzFormats)]
		if only != "" && name != "f."+only {
			return
		}
		panics := explainPanics.Load()
		start := time.Now()
		rs, err := ParseRepo(name, data)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("ParseRepo took %v", d)
		}
		if err == nil {
			if len(rs) == 0 {
				t.Fatal("no recipe without error")
			}
			for _, r := range rs {
				ts, terr := ParseTimestamp(r.Timestamp)
				if terr != nil || ts.Unix() != r.Epoch {
					t.Fatalf("valid recipe with timestamp %q: epoch %d, %v", r.Timestamp, r.Epoch, terr)
				}
				if len(r.Targets) == 0 {
					t.Fatal("valid recipe without targets")
				}
			}
			return
		}
		if explainPanics.Load() != panics {
			// Each fuzz worker runs one input at a time: this is the one.
			t.Fatalf("explain panicked and fell back to plain messages:\n%v", err)
		}
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("want Errors, got %T %v", err, err)
		}
		for _, e := range errs {
			if e.File != name || e.Msg == "" {
				t.Fatalf("bad error %#v", e)
			}
			if strings.Contains(e.Msg, "internal error") {
				t.Fatalf("recovered panic: %v", e)
			}
		}
	})
}
