package integration

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// browser drives Debian's headless Chromium through the DevTools protocol
// over --remote-debugging-pipe: requests are JSON messages ending in a NUL
// byte written to the browser's fd 3, replies and events come back the
// same way on its fd 4. That needs no WebSocket client and no port.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	w       io.WriteCloser
	session string // the page's flattened session id

	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  chan cdpMessage
	done    chan struct{}
	stderr  strings.Builder
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// startBrowser starts chromium headless with a width x height viewport and
// opens one blank page. It is stopped (by its PID) when the test ends.
func startBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is required (hack/setup.sh installs it): %v", err)
	}
	toBrowser, browserIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	browserOut, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, w: browserIn, pending: map[int]chan cdpMessage{}, events: make(chan cdpMessage, 256), done: make(chan struct{})}
	b.cmd = exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
		"--force-color-profile=srgb", "--font-render-hinting=none",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe",
		fmt.Sprintf("--window-size=%d,%d", width, height), "about:blank")
	b.cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser} // fd 3, fd 4
	// Its own process group: chromium forks helpers, and the cleanup
	// stops exactly the group this test started.
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	b.cmd.Stderr = &syncWriter{b: &b.stderr, mu: &b.mu}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	go b.read(browserOut)
	t.Cleanup(func() { b.stop(); browserOut.Close() })

	var created struct{ TargetID string }
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &created)
	var attached struct{ SessionID string }
	b.call("", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.page("Page.enable", nil, nil)
	b.page("Runtime.enable", nil, nil)
	b.page("Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
	}, nil)
	// The catalog follows prefers-color-scheme; pin light for the checks.
	b.page("Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": "light"}},
	}, nil)
	return b
}

// stop asks chromium to close, waits up to 10 s, then kills what is left
// of its process group (by the PID this test started).
func (b *browser) stop() {
	data, _ := json.Marshal(map[string]any{"id": 1 << 30, "method": "Browser.close"})
	b.w.Write(append(data, 0))
	exited := make(chan struct{})
	go func() { b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
		// Helpers that outlive the browser belong to the same group.
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	case <-time.After(10 * time.Second):
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	b.w.Close()
}

type syncWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (b *browser) read(r io.Reader) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.pending[m.ID]
			delete(b.pending, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // nobody waits for old events
		}
	}
}

// call sends one command (in session, "" for the browser) and decodes its
// result into out; a protocol error or a 30 s silence fails the test.
func (b *browser) call(session, method string, params any, out any) {
	b.t.Helper()
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.w.Write(append(data, 0)); err != nil {
		b.t.Fatalf("%s: writing to chromium: %v\n%s", method, err, b.log())
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			b.t.Fatalf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			if err := json.Unmarshal(m.Result, out); err != nil {
				b.t.Fatalf("%s: decoding %s: %v", method, m.Result, err)
			}
		}
	case <-b.done:
		b.t.Fatalf("%s: chromium exited\n%s", method, b.log())
	case <-time.After(30 * time.Second):
		b.t.Fatalf("%s: no answer from chromium in 30s\n%s", method, b.log())
	}
}

func (b *browser) page(method string, params any, out any) {
	b.t.Helper()
	b.call(b.session, method, params, out)
}

func (b *browser) log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return tail(b.stderr.String(), 30)
}

// navigate loads url and waits for its load event.
func (b *browser) navigate(url string) {
	b.t.Helper()
	for len(b.events) > 0 { // drop events of earlier pages
		<-b.events
	}
	var nav struct{ ErrorText string }
	b.page("Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		b.t.Fatalf("navigating to %s: %s", url, nav.ErrorText)
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-b.events:
			if ev.Method == "Page.loadEventFired" && ev.SessionID == b.session {
				return
			}
		case <-deadline:
			b.t.Fatalf("%s did not load in 30s", url)
		}
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// (JSON-serialisable) value into out.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.page("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("evaluating %q: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			b.t.Fatalf("evaluating %q: value %s: %v", expr, r.Result.Value, err)
		}
	}
}

// click presses and releases the left mouse button at x, y, as a user does.
func (b *browser) click(x, y float64) {
	b.t.Helper()
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.page("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1}, nil)
	}
}

// typeText sends one key press per character to the focused element, the
// way a keyboard does (keydown with text, then keyup).
func (b *browser) typeText(s string) {
	b.t.Helper()
	for _, r := range s {
		k := string(r)
		b.page("Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": k, "text": k, "unmodifiedText": k}, nil)
		b.page("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": k}, nil)
	}
}

// screenshot returns a PNG of the viewport.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var r struct{ Data string }
	b.page("Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	return png
}
