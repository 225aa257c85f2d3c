package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gopm-dev/gopm/repl"
)

// client is a minimal Jupyter client over zmq4 for tests and benchmarks: DEALER
// sockets on shell and control, SUB on iopub.
type client struct {
	t       testing.TB
	signer  *Signer
	shell   zmq4.Socket
	control zmq4.Socket
	iopub   zmq4.Socket
	k       *Kernel
	served  chan error
}

func freePorts(t testing.TB, n int) []int {
	var ports []int
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// startKernel starts a kernel in this process and connects a client to it; it waits
// until a kernel_info_reply arrives (and iopub is subscribed).
func startKernel(t testing.TB, key string) *client {
	p := freePorts(t, 5)
	info := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: p[0], ControlPort: p[1], StdinPort: p[2], IOPubPort: p[3], HBPort: p[4], Key: key, SignatureScheme: "hmac-sha256"}
	k, err := New(info, Options{Log: testLog{t}, NoSignals: true, Engine: repl.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, k: k, served: make(chan error, 1)}
	c.signer, _ = NewSigner("hmac-sha256", key)
	go func() { c.served <- k.Serve() }()
	ctx := context.Background()
	c.shell = zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("test-client")))
	c.control = zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("test-client")))
	c.iopub = zmq4.NewSub(ctx)
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{c.shell, p[0]}, {c.control, p[1]}, {c.iopub, p[3]}} {
		if err := d.s.Dial(info.endpoint(d.port)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	// A PUB socket drops what it sends before the subscription arrives: ask for
	// kernel_info until its status messages come through.
	for i := 0; ; i++ {
		id := c.send(c.shell, "kernel_info_request", map[string]any{})
		c.reply(c.shell, id)
		if c.iopubUntilIdle(id, 200*time.Millisecond) != nil {
			break
		}
		if i == 50 {
			t.Fatal("no iopub messages from the kernel")
		}
	}
	return c
}

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (c *client) close() {
	id := c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	c.reply(c.control, id)
	select {
	case <-c.served:
	case <-time.After(10 * time.Second):
		c.t.Fatal("kernel did not stop after shutdown_request")
	}
	c.shell.Close()
	c.control.Close()
	c.iopub.Close()
}

func (c *client) send(sock zmq4.Socket, msgType string, content any) string {
	m, err := reply(nil, "test-session", msgType, content)
	if err != nil {
		c.t.Fatal(err)
	}
	m.Identities = nil
	frames, err := c.signer.Frames(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

func (c *client) recv(sock zmq4.Socket) *Message {
	raw, err := sock.Recv()
	if err != nil {
		c.t.Fatal(err)
	}
	m, err := c.signer.Parse(raw.Frames)
	if err != nil {
		c.t.Fatalf("kernel sent a bad message: %v", err)
	}
	return m
}

func parentID(m *Message) string {
	var h Header
	_ = json.Unmarshal(m.Parent, &h)
	return h.MsgID
}

// reply waits for the reply to request id on sock.
func (c *client) reply(sock zmq4.Socket, id string) *Message {
	for {
		m := c.recv(sock)
		if parentID(m) == id {
			return m
		}
	}
}

// iopubUntilIdle collects the iopub messages of request id until its idle status (nil
// if none arrives within wait).
func (c *client) iopubUntilIdle(id string, wait time.Duration) []*Message {
	got := make(chan []*Message, 1)
	go func() {
		var out []*Message
		for {
			raw, err := c.iopub.Recv()
			if err != nil {
				got <- nil
				return
			}
			m, err := c.signer.Parse(raw.Frames)
			if err != nil || parentID(m) != id {
				continue
			}
			out = append(out, m)
			if m.Header.MsgType == "status" && strings.Contains(string(m.Content), "idle") {
				got <- out
				return
			}
		}
	}()
	select {
	case out := <-got:
		return out
	case <-time.After(wait):
		return nil
	}
}

// execute runs code and returns the reply content and the iopub messages.
func (c *client) execute(code string) (map[string]any, []*Message) {
	id := c.send(c.shell, "execute_request", map[string]any{"code": code, "silent": false, "store_history": true, "allow_stdin": false, "stop_on_error": true})
	r := c.reply(c.shell, id)
	outs := c.iopubUntilIdle(id, time.Minute)
	var content map[string]any
	_ = json.Unmarshal(r.Content, &content)
	return content, outs
}

func TestKernelOverZeroMQ(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a kernel")
	}
	c := startKernel(t, "test-key")
	defer c.close()
	content, outs := c.execute(`fmt.Println("out")` + "\n6 * 7")
	if content["status"] != "ok" || content["execution_count"] != 1.0 {
		t.Fatalf("reply %v", content)
	}
	var types []string
	for _, m := range outs {
		types = append(types, m.Header.MsgType)
	}
	if strings.Join(types, " ") != "status execute_input stream execute_result status" {
		t.Fatalf("iopub %v", types)
	}
	if !strings.Contains(string(outs[3].Content), `"text/plain":"42"`) {
		t.Fatalf("execute_result %s", outs[3].Content)
	}

	// A message signed with another key is dropped: no reply, and the next one works.
	bad := &client{t: t, signer: &Signer{key: []byte("wrong")}}
	bad.send(c.shell, "execute_request", map[string]any{"code": "panic(1)"})
	content, _ = c.execute("1 + 1")
	if content["status"] != "ok" || content["execution_count"] != 2.0 {
		t.Fatalf("after a wrongly signed message: %v", content)
	}
}

func TestCompleteness(t *testing.T) {
	for code, want := range map[string]string{
		"1 + 2": "complete", "func f() {": "incomplete", "x := []int{1,": "incomplete", "s := `a": "incomplete",
		"}": "invalid", "x := )": "invalid", "a := 1 @ 2": "invalid", "%help": "complete", "$ ls": "complete",
	} {
		if got, _ := completeness(code); got != want {
			t.Errorf("%q: %s, want %s", code, got, want)
		}
	}
}

func TestRewriteStdin(t *testing.T) {
	for in, want := range map[string]string{
		"r := bufio.NewReader(os.Stdin)": "r := bufio.NewReader(" + stdinAlias + ".Stdin)",
		`s := "os.Stdin"`:                `s := "os.Stdin"`,
		"x.os.Stdin":                     "x." + stdinAlias + ".Stdin",
		"os.Stdout":                      "os.Stdout",
	} {
		if got := rewriteStdin(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if len(stdinAlias) != len("os") {
		t.Fatal("the alias must keep byte positions")
	}
}

func TestInstallUninstall(t *testing.T) {
	dir := t.TempDir()
	spec, err := Install(Location{Prefix: dir}, "/opt/bin/pmrepl")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "share", "jupyter", "kernels", "gopm"); spec != want {
		t.Fatalf("installed in %s, want %s", spec, want)
	}
	b, err := os.ReadFile(filepath.Join(spec, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Argv, " ") != "/opt/bin/pmrepl kernel {connection_file}" || s.DisplayName != "Go (gopm)" || s.Language != "go" || s.InterruptMode != "message" {
		t.Fatalf("kernel.json %s", b)
	}
	for _, n := range []int{32, 64} {
		f, err := os.Open(filepath.Join(spec, fmt.Sprintf("logo-%dx%d.png", n, n)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != n || img.Bounds().Dy() != n {
			t.Fatalf("logo %d: %v %v", n, err, img.Bounds())
		}
	}
	if _, err := Install(Location{Prefix: dir}, "relative/pmrepl"); err == nil {
		t.Fatal("a relative binary path was accepted")
	}
	t.Setenv("JUPYTER_PATH", filepath.Join(dir, "share", "jupyter"))
	if got, err := Uninstall(Location{}); err != nil || got != spec {
		t.Fatalf("uninstall: %s, %v", got, err)
	}
	if _, err := os.Stat(spec); !os.IsNotExist(err) {
		t.Fatal("kernelspec still there")
	}
	if _, err := Uninstall(Location{Prefix: dir}); err == nil {
		t.Fatal("uninstalling twice succeeded")
	}
}

func TestHistoryGlob(t *testing.T) {
	re := globRE("6 * *")
	if !re.MatchString("6 * 7") || !re.MatchString("6 * a/b\nc") || re.MatchString("7 * 6") {
		t.Fatal("glob")
	}
}
