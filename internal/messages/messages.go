// Package messages is kiln's one style for what it writes on stderr:
// "kiln: message", with the level named when it is not plain information,
// whoever logs it (the CLI, the daemon manager, the build library).
package messages

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
)

// Formatter is a logrus formatter writing "PREFIX: [LEVEL: ]message k=v...".
type Formatter struct{ Prefix string }

// Format implements logrus.Formatter.
func (f Formatter) Format(e *logrus.Entry) ([]byte, error) {
	var b strings.Builder
	b.WriteString(f.Prefix + ": ")
	if e.Level != logrus.InfoLevel {
		b.WriteString(e.Level.String() + ": ")
	}
	b.WriteString(e.Message)
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}
