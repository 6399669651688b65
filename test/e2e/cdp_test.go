//go:build unix

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// browser is headless Chromium driven over the DevTools protocol through
// --remote-debugging-pipe: JSON messages ended by a NUL byte, commands written to the
// browser's fd 3, answers and events read from its fd 4. No WebSocket, no dependency.
type browser struct {
	cmd *exec.Cmd
	in  io.WriteCloser // the browser's fd 3

	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  chan cdpMessage
	readErr error
	done    chan struct{}
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startBrowser starts Chromium with a fresh profile in a temporary directory. Its
// standard error (browser log) goes to dir/chromium.log.
func startBrowser(t *testing.T, chromium, dir string) *browser {
	t.Helper()
	toBrowserR, toBrowserW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromBrowserR, fromBrowserW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "chromium.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowserR, fromBrowserW} // fd 3, fd 4
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "HOME="+dir) // keep the profile and caches out of the user's home
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	toBrowserR.Close()
	fromBrowserW.Close()
	b := &browser{cmd: cmd, in: toBrowserW, pending: map[int]chan cdpMessage{},
		events: make(chan cdpMessage, 100000), done: make(chan struct{})}
	go b.read(fromBrowserR)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.call(ctx, "", "Browser.close", nil, nil)
		cancel()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // helpers of the browser, if any are left
		toBrowserW.Close()
		fromBrowserR.Close()
		logFile.Close()
		if t.Failed() {
			if out, err := os.ReadFile(filepath.Join(dir, "chromium.log")); err == nil {
				if len(out) > 4000 {
					out = out[len(out)-4000:]
				}
				t.Logf("chromium log (end):\n%s", out)
			}
		}
	})
	return b
}

func (b *browser) read(r io.Reader) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
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
		default: // a test that never reads events must not block the reader
		}
	}
}

// call sends a command (to a page session when session is set) and decodes its result.
func (b *browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return fmt.Errorf("%s: browser gone: %w", method, b.readErr)
	}
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
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.in.Write(append(raw, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: browser closed the pipe", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// page is one tab, attached in flat mode.
type page struct {
	b       *browser
	session string
}

func (b *browser) newPage(ctx context.Context) (*page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	p := &page{b: b, session: att.SessionID}
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		if err := p.call(ctx, domain+".enable", nil, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *page) call(ctx context.Context, method string, params, result any) error {
	return p.b.call(ctx, p.session, method, params, result)
}

// loadResult is what happened while a page loaded.
type loadResult struct {
	Errors   []string // console errors, uncaught exceptions, browser log errors (CSP, …)
	Failed   []string // requests that failed or answered ≥ 400
	Requests int
}

// navigate loads url at the given viewport and waits for the load event; it reports
// console errors and failed requests seen until then.
func (p *page) navigate(ctx context.Context, url string, width, height int) (*loadResult, error) {
	if err := p.call(ctx, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	// Forget the events of earlier pages.
	for drained := false; !drained; {
		select {
		case <-p.b.events:
		default:
			drained = true
		}
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("navigate %s: %s", url, nav.ErrorText)
	}
	res := &loadResult{}
	loaded := false
	handle := func(m cdpMessage) {
		if m.SessionID != p.session {
			return
		}
		switch m.Method {
		case "Page.loadEventFired":
			loaded = true
		case "Runtime.consoleAPICalled":
			var e struct {
				Type string            `json:"type"`
				Args []json.RawMessage `json:"args"`
			}
			if json.Unmarshal(m.Params, &e) == nil && (e.Type == "error" || e.Type == "assert") {
				res.Errors = append(res.Errors, "console."+e.Type+": "+string(m.Params))
			}
		case "Runtime.exceptionThrown":
			res.Errors = append(res.Errors, "exception: "+string(m.Params))
		case "Log.entryAdded":
			var e struct {
				Entry struct {
					Level, Source, Text, URL string
				} `json:"entry"`
			}
			if json.Unmarshal(m.Params, &e) == nil && e.Entry.Level == "error" {
				res.Errors = append(res.Errors, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case "Network.requestWillBeSent":
			res.Requests++
		case "Network.loadingFailed":
			res.Failed = append(res.Failed, "loading failed: "+string(m.Params))
		case "Network.responseReceived":
			var e struct {
				Response struct {
					URL    string `json:"url"`
					Status int    `json:"status"`
				} `json:"response"`
			}
			if json.Unmarshal(m.Params, &e) == nil && e.Response.Status >= 400 {
				res.Failed = append(res.Failed, fmt.Sprintf("HTTP %d %s", e.Response.Status, e.Response.URL))
			}
		}
	}
	for !loaded {
		select {
		case m := <-p.b.events:
			handle(m)
		case <-p.b.done:
			return nil, fmt.Errorf("navigate %s: browser gone", url)
		case <-ctx.Done():
			return nil, fmt.Errorf("navigate %s: no load event: %w", url, ctx.Err())
		}
	}
	// A round trip after the load event: whatever the page did before it has been
	// reported by then.
	if err := p.call(ctx, "Runtime.evaluate", map[string]any{"expression": "1"}, nil); err != nil {
		return nil, err
	}
	for {
		select {
		case m := <-p.b.events:
			handle(m)
		default:
			return res, nil
		}
	}
}

// dom returns the serialised DOM of the current page.
func (p *page) dom(ctx context.Context) (string, error) {
	var doc struct {
		Root struct {
			NodeID int `json:"nodeId"`
		} `json:"root"`
	}
	if err := p.call(ctx, "DOM.getDocument", map[string]any{"depth": 0}, &doc); err != nil {
		return "", err
	}
	var out struct {
		OuterHTML string `json:"outerHTML"`
	}
	err := p.call(ctx, "DOM.getOuterHTML", map[string]any{"nodeId": doc.Root.NodeID}, &out)
	return out.OuterHTML, err
}

// eval evaluates a JavaScript expression in the page (DevTools evaluation is not
// subject to the page's Content-Security-Policy) and decodes its value.
func (p *page) eval(ctx context.Context, expr string, v any) error {
	var out struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails json.RawMessage `json:"exceptionDetails"`
	}
	if err := p.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &out); err != nil {
		return err
	}
	if len(out.ExceptionDetails) > 0 {
		return fmt.Errorf("evaluate %s: %s", expr, out.ExceptionDetails)
	}
	return json.Unmarshal(out.Result.Value, v)
}

// screenshot saves a PNG of the viewport, or of the whole page when full is set.
func (p *page) screenshot(ctx context.Context, path string, full bool) error {
	params := map[string]any{"format": "png"}
	if full {
		params["captureBeyondViewport"] = true
		var size struct{ W, H float64 }
		if err := p.eval(ctx, `({W: document.documentElement.scrollWidth, H: document.documentElement.scrollHeight})`, &size); err != nil {
			return err
		}
		params["clip"] = map[string]any{"x": 0, "y": 0, "width": size.W, "height": size.H, "scale": 1}
	}
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON, decoded by encoding/json
	}
	if err := p.call(ctx, "Page.captureScreenshot", params, &shot); err != nil {
		return err
	}
	return os.WriteFile(path, shot.Data, 0o644)
}
