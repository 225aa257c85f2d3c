package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/repl"
)

// Version is the kernel's implementation version reported in kernel_info_reply.
const Version = "0.1.0"

// Options configure a Kernel.
type Options struct {
	// Log receives the kernel's own diagnostics (dropped messages, socket errors);
	// nil means os.Stderr, which Jupyter shows in the server's log.
	Log io.Writer
	// Engine is passed to repl.New; its OnOutput, OnProgress and Stdin are set by the
	// kernel.
	Engine repl.Options
	// NoSignals leaves SIGINT alone (tests that run several kernels in one process).
	NoSignals bool
}

// Kernel is a Jupyter kernel serving one gopm session (a repl.Engine) over ZeroMQ.
type Kernel struct {
	info   ConnectionInfo
	signer *Signer
	log    *log.Logger
	opts   Options

	session string // this kernel's session id in the headers it sends

	shell, control, stdin, iopub, hb zmq4.Socket
	shellMu, controlMu, stdinMu      sync.Mutex
	iopubMu                          sync.Mutex

	eng *repl.Engine

	mu     sync.Mutex // guards the fields below
	cur    *Message   // the execute_request running, whose outputs are being published
	silent bool
	// allowStdin is the running request's allow_stdin; cmdCancel stops a $ command.
	allowStdin bool
	cmdCancel  func()
	count      int
	history    []historyEntry
	stopping   bool

	inputs   chan *Message // input_reply messages from the stdin socket
	shellCh  chan *Message // requests received on the shell socket
	progress *progressDisplay
	stdinR   io.Reader // what interpreted code reads as standard input

	done     chan struct{}
	doneOnce sync.Once
	ctx      context.Context
	cancel   context.CancelFunc
}

type historyEntry struct {
	line   int
	input  string
	output string
}

// New binds the kernel's five sockets as the connection info says and starts a gopm
// session. Call Serve to answer messages.
func New(info ConnectionInfo, opts Options) (*Kernel, error) {
	signer, err := NewSigner(info.SignatureScheme, info.Key)
	if err != nil {
		return nil, err
	}
	lw := opts.Log
	if lw == nil {
		lw = os.Stderr
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &Kernel{
		info: info, signer: signer, opts: opts,
		log:     log.New(lw, "gopm kernel: ", log.LstdFlags),
		session: newID(),
		inputs:  make(chan *Message, 1),
		shellCh: make(chan *Message),
		done:    make(chan struct{}),
		ctx:     ctx, cancel: cancel,
	}
	k.progress = &progressDisplay{k: k}
	eo := opts.Engine
	eo.OnOutput = k.onOutput
	eo.OnProgress = k.progress.update
	k.stdinR = &stdinReader{k: k}
	eo.Stdin = k.stdinR
	syms := stdinSymbols(&k.stdinR)
	for p, s := range eo.Symbols {
		syms[p] = s
	}
	eo.Symbols = syms
	if k.eng, err = repl.New(eo); err != nil {
		cancel()
		return nil, err
	}
	if _, err := k.eng.EvalSource(context.Background(), repl.Source{Name: "kernel setup", Code: "import " + stdinAlias + " " + strconv.Quote(stdinPath)}); err != nil {
		k.eng.Close()
		cancel()
		return nil, fmt.Errorf("kernel: setting up standard input: %w", err)
	}
	if err := k.bind(); err != nil {
		k.closeSockets()
		k.eng.Close()
		cancel()
		return nil, err
	}
	return k, nil
}

func (k *Kernel) bind() error {
	k.shell = zmq4.NewRouter(k.ctx, zmq4.WithID(zmq4.SocketIdentity("gopm-shell")))
	k.control = zmq4.NewRouter(k.ctx, zmq4.WithID(zmq4.SocketIdentity("gopm-control")))
	k.stdin = zmq4.NewRouter(k.ctx, zmq4.WithID(zmq4.SocketIdentity("gopm-stdin")))
	k.iopub = zmq4.NewPub(k.ctx)
	k.hb = zmq4.NewRep(k.ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
		name string
	}{{k.shell, k.info.ShellPort, "shell"}, {k.control, k.info.ControlPort, "control"}, {k.stdin, k.info.StdinPort, "stdin"},
		{k.iopub, k.info.IOPubPort, "iopub"}, {k.hb, k.info.HBPort, "heartbeat"}} {
		if err := s.sock.Listen(k.info.endpoint(s.port)); err != nil {
			return fmt.Errorf("kernel: %s socket on %s: %w", s.name, k.info.endpoint(s.port), err)
		}
	}
	return nil
}

func (k *Kernel) closeSockets() {
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		if s != nil {
			s.Close()
		}
	}
}

// Run reads a connection file, serves the kernel until a shutdown_request and returns.
func Run(connectionFile string, opts Options) error {
	info, err := ReadConnectionFile(connectionFile)
	if err != nil {
		return err
	}
	k, err := New(info, opts)
	if err != nil {
		return err
	}
	return k.Serve()
}

// Serve answers messages until a shutdown_request (or Shutdown), then closes the
// sockets and the session.
func (k *Kernel) Serve() error {
	shellCh := k.shellCh
	controlCh := make(chan *Message)
	go k.recvLoop(k.shell, "shell", shellCh)
	go k.recvLoop(k.control, "control", controlCh)
	go k.stdinLoop()
	go k.heartbeat()
	if !k.opts.NoSignals {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		defer signal.Stop(sig)
		go func() {
			for {
				select {
				case <-sig:
					k.interrupt()
				case <-k.done:
					return
				}
			}
		}()
	}
	k.publish(nil, "status", map[string]string{"execution_state": "starting"})
	go func() {
		for {
			select {
			case m := <-controlCh:
				k.dispatch(m, k.control, &k.controlMu)
			case <-k.done:
				return
			}
		}
	}()
	for {
		select {
		case m := <-shellCh:
			k.dispatch(m, k.shell, &k.shellMu)
		case <-k.done:
			k.cancel()
			k.closeSockets()
			k.eng.Close()
			return nil
		}
	}
}

// Shutdown stops Serve as a shutdown_request would.
func (k *Kernel) Shutdown() {
	k.mu.Lock()
	k.stopping = true
	k.mu.Unlock()
	k.eng.Interrupt()
	k.doneOnce.Do(func() { close(k.done) })
}

func (k *Kernel) recvLoop(sock zmq4.Socket, name string, ch chan<- *Message) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			select {
			case <-k.done:
				return
			default:
			}
			if errors.Is(err, context.Canceled) {
				return
			}
			k.log.Printf("%s: receive: %v", name, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		m, err := k.signer.Parse(raw.Frames)
		if err != nil {
			k.log.Printf("%s: dropped a message: %v", name, err)
			continue
		}
		select {
		case ch <- m:
		case <-k.done:
			return
		}
	}
}

// stdinLoop passes input_reply messages to the request waiting for input.
func (k *Kernel) stdinLoop() {
	ch := make(chan *Message)
	go k.recvLoop(k.stdin, "stdin", ch)
	for {
		select {
		case m := <-ch:
			if m.Header.MsgType != "input_reply" {
				k.log.Printf("stdin: ignored a %s message", m.Header.MsgType)
				continue
			}
			select {
			case k.inputs <- m:
			default:
				k.log.Printf("stdin: ignored an input_reply nobody asked for")
			}
		case <-k.done:
			return
		}
	}
}

// heartbeat echoes every ping on the REP socket.
func (k *Kernel) heartbeat() {
	for {
		m, err := k.hb.Recv()
		if err != nil {
			select {
			case <-k.done:
				return
			default:
			}
			if errors.Is(err, context.Canceled) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if err := k.hb.Send(m); err != nil {
			k.log.Printf("heartbeat: %v", err)
		}
	}
}

// send signs and sends a message on a socket.
func (k *Kernel) send(sock zmq4.Socket, mu *sync.Mutex, m *Message) {
	frames, err := k.signer.Frames(m)
	if err != nil {
		k.log.Printf("encoding %s: %v", m.Header.MsgType, err)
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		select {
		case <-k.done:
		default:
			k.log.Printf("sending %s: %v", m.Header.MsgType, err)
		}
	}
}

// publish sends a message on iopub with parent as its parent header (nil: none).
func (k *Kernel) publish(parent *Message, msgType string, content any) {
	m, err := reply(parent, k.session, msgType, content)
	if err != nil {
		k.log.Print(err)
		if msgType == "display_data" || msgType == "execute_result" || msgType == "update_display_data" {
			// An unencodable bundle (NaN in JSON data, say) still tells the user why.
			k.publish(parent, "stream", map[string]string{"name": "stderr", "text": "cannot show this output: " + err.Error() + "\n"})
		}
		return
	}
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	k.send(k.iopub, &k.iopubMu, m)
}

// respond sends a reply to a request on the socket it came from.
func (k *Kernel) respond(sock zmq4.Socket, mu *sync.Mutex, req *Message, msgType string, content any) {
	m, err := reply(req, k.session, msgType, content)
	if err != nil {
		k.log.Print(err)
		m, _ = reply(req, k.session, msgType, map[string]any{"status": "error", "ename": "EncodingError", "evalue": err.Error(), "traceback": []string{err.Error()}})
	}
	k.send(sock, mu, m)
}

// dispatch handles one shell or control request between busy and idle status
// messages.
func (k *Kernel) dispatch(m *Message, sock zmq4.Socket, mu *sync.Mutex) {
	k.publish(m, "status", map[string]string{"execution_state": "busy"})
	defer k.publish(m, "status", map[string]string{"execution_state": "idle"})
	defer func() {
		if p := recover(); p != nil {
			// A bug in a handler must not end the session.
			buf := make([]byte, 8192)
			buf = buf[:runtime.Stack(buf, false)]
			k.log.Printf("handling %s: panic: %v\n%s", m.Header.MsgType, p, buf)
			k.respond(sock, mu, m, strings.TrimSuffix(m.Header.MsgType, "_request")+"_reply", errorContent("InternalError", fmt.Sprint(p), nil))
		}
	}()
	switch t := m.Header.MsgType; t {
	case "kernel_info_request":
		k.respond(sock, mu, m, "kernel_info_reply", k.kernelInfo())
	case "execute_request":
		k.execute(m, sock, mu)
	case "complete_request":
		k.respond(sock, mu, m, "complete_reply", k.complete(m))
	case "inspect_request":
		k.respond(sock, mu, m, "inspect_reply", k.inspect(m))
	case "is_complete_request":
		k.respond(sock, mu, m, "is_complete_reply", k.isComplete(m))
	case "history_request":
		k.respond(sock, mu, m, "history_reply", k.historyReply(m))
	case "comm_info_request":
		k.respond(sock, mu, m, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "comm_open":
		// No comm targets: tell the front-end the comm is closed, as ipykernel does.
		var c struct {
			CommID string `json:"comm_id"`
		}
		_ = json.Unmarshal(m.Content, &c)
		k.publish(m, "comm_close", map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
	case "comm_msg", "comm_close":
	case "interrupt_request":
		k.interrupt()
		k.respond(sock, mu, m, "interrupt_reply", map[string]string{"status": "ok"})
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		_ = json.Unmarshal(m.Content, &c)
		content := map[string]any{"status": "ok", "restart": c.Restart}
		k.respond(sock, mu, m, "shutdown_reply", content)
		k.publish(m, "shutdown_reply", content)
		k.Shutdown()
	default:
		k.log.Printf("ignored a %s message", t)
	}
}

// interrupt stops the running cell (and a pending input request).
func (k *Kernel) interrupt() {
	k.mu.Lock()
	cancel := k.cmdCancel
	k.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	k.eng.Interrupt()
}

// abortQueued answers the execute_requests queued while a cell failed with status
// "aborted", as IPython does with stop_on_error; it runs before the failed cell's
// reply is sent, so a client waiting for that reply loses nothing.
func (k *Kernel) abortQueued() {
	for {
		select {
		case m := <-k.shellCh:
			if m.Header.MsgType != "execute_request" {
				k.dispatch(m, k.shell, &k.shellMu)
				continue
			}
			k.publish(m, "status", map[string]string{"execution_state": "busy"})
			k.respond(k.shell, &k.shellMu, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.executionCount()})
			k.publish(m, "status", map[string]string{"execution_state": "idle"})
		case <-time.After(10 * time.Millisecond):
			return
		}
	}
}

func (k *Kernel) executionCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.count
}

func (k *Kernel) kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         "gopm",
		"implementation_version": Version,
		"language_info": map[string]any{
			"name":               "go",
			"version":            strings.TrimPrefix(runtime.Version(), "go"),
			"mimetype":           "text/x-go",
			"file_extension":     ".go",
			"codemirror_mode":    "go",
			"pygments_lexer":     "go",
			"nbconvert_exporter": "script",
		},
		"banner": "gopm " + Version + ": Bayesian modeling in Go (" + runtime.Version() + ", yaegi interpreter)\n" +
			"Packages pm, plots, display and fmt, math, ... are imported. %help lists the kernel's commands.",
		"help_links": []map[string]string{
			{"text": "gopm", "url": "https://github.com/gopm-dev/gopm"},
			{"text": "Go language", "url": "https://go.dev/ref/spec"},
			{"text": "Go standard library", "url": "https://pkg.go.dev/std"},
			{"text": "gonum", "url": "https://pkg.go.dev/gonum.org/v1/gonum"},
		},
		"debugger": false,
	}
}

// onOutput publishes what a cell writes or displays, as it is produced.
func (k *Kernel) onOutput(o repl.Output) {
	k.mu.Lock()
	parent, silent := k.cur, k.silent
	k.mu.Unlock()
	if parent == nil || silent {
		return
	}
	switch o.Name {
	case "stdout", "stderr":
		if o.Text != "" {
			k.publish(parent, "stream", map[string]string{"name": o.Name, "text": o.Text})
		}
	case "display":
		k.publishData(parent, "display_data", o.Data, -1)
	}
}

// publishData sends a bundle as display_data, update_display_data or (count >= 0)
// execute_result.
func (k *Kernel) publishData(parent *Message, msgType string, d display.Data, count int) {
	content := map[string]any{"data": bundle(d.Data), "metadata": orEmpty(d.Metadata)}
	if len(d.Transient) > 0 {
		content["transient"] = d.Transient
	} else if msgType != "execute_result" {
		content["transient"] = map[string]any{}
	}
	if count >= 0 {
		content["execution_count"] = count
	}
	k.publish(parent, msgType, content)
}

// bundle prepares a MIME bundle for JSON: text/plain is always a string, and JSON
// data stays an object; []byte values become base64 through encoding/json, which is
// what Jupyter expects for images.
func bundle(m display.MIMEMap) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		if s, ok := v.([]byte); ok && (strings.HasPrefix(k, "text/") || k == display.MIMETypeSVG || k == display.MIMETypeJavaScript) {
			v = string(s) // textual types travel as text
		}
		out[k] = v
	}
	if _, ok := out[display.MIMETypeText]; !ok {
		out[display.MIMETypeText] = ""
	}
	return out
}

func orEmpty(m display.MIMEMap) display.MIMEMap {
	if m == nil {
		return display.MIMEMap{}
	}
	return m
}

func errorContent(ename, evalue string, traceback []string) map[string]any {
	if traceback == nil {
		traceback = []string{ename + ": " + evalue}
	}
	return map[string]any{"status": "error", "ename": ename, "evalue": evalue, "traceback": traceback}
}
