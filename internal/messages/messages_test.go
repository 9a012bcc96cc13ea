package messages

import (
	"bytes"
	"testing"

	"github.com/sirupsen/logrus"
)

func TestFormatter(t *testing.T) {
	var buf bytes.Buffer
	l := logrus.New()
	l.SetOutput(&buf)
	l.SetFormatter(Formatter{Prefix: "kiln"})
	l.SetLevel(logrus.DebugLevel)
	l.Info("3 packages")
	l.WithField("pid", 7).WithField("addr", "unix:///s").Info("starting buildkitd")
	l.Warn("careful")
	l.Debug("detail")
	want := "kiln: 3 packages\nkiln: starting buildkitd addr=unix:///s pid=7\nkiln: warning: careful\nkiln: debug: detail\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
