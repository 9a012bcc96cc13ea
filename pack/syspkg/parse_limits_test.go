package syspkg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestParseMetaLimits: a metainfo nested without bound is refused at the
// level that goes too deep (the parser used to recurse into it), and an
// object with many keys is checked for repeats in linear time.
func TestParseMetaLimits(t *testing.T) {
	const n = 200_000
	for name, src := range map[string]string{
		"arrays":  strings.Repeat("[", n) + strings.Repeat("]", n),
		"objects": strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n),
		"records": strings.Repeat(`{"a",`, n) + `"b"` + strings.Repeat("}", n),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseMeta([]byte(src))
			if err == nil || !strings.Contains(err.Error(), "nested more than 64 levels deep") {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(err.Error(), "line 1 column ") {
				t.Errorf("err = %v: not positioned", err)
			}
		})
	}
	t.Run("many keys", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 100_000 {
			fmt.Fprintf(&b, `"k%d": 1, `, i)
		}
		b.WriteString(`"k5": 2}`)
		start := time.Now()
		_, err := ParseMeta([]byte(b.String()))
		if err == nil || !strings.Contains(err.Error(), `field "k5" repeated`) {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
}
