package repl

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gopm-dev/gopm/display"
)

// Output is one piece of what a cell produced, in the order produced:
// text on a stream, or a bundle passed to Display.
type Output struct {
	Name string       // "stdout", "stderr" or "display"
	Text string       // for streams
	Data display.Data // for "display"
}

// streamWriter is the io.Writer yaegi's fmt.Print*, log and print
// builtins write to; it forwards to the engine, which keeps order.
type streamWriter struct {
	e    *Engine
	name string
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if !panicLineRE.Match(p) {
		// What interpreted code wrote to os.Stdout and os.Stderr before
		// this (log output, mostly) comes first.
		w.e.stdout.flush()
		w.e.stderr.flush()
	}
	w.e.emitText(w.name, string(p))
	return len(p), nil
}

// panicLineRE matches the lines yaegi prints on stderr for each
// interpreted frame a panic unwinds ("pos: panic: main.f(...)").
var panicLineRE = regexp.MustCompile(`^(\S.*?): panic: (\S*)\(\.\.\.\)\n?$`)

// emitText records stream text for the running cell and passes it on.
// yaegi's own panic lines are taken out of stderr: their positions become
// the error's position and trace instead.
func (e *Engine) emitText(name, text string) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	if name == "stderr" {
		var kept strings.Builder
		for _, line := range strings.SplitAfter(text, "\n") {
			if line == "" {
				continue
			}
			if m := panicLineRE.FindStringSubmatch(line); m != nil && unitRE.MatchString(m[1]) {
				fn := strings.TrimPrefix(m[2], "main.")
				if fn == "main" || fn == "" {
					fn = "top level" // yaegi's wrapper of a run's statements
				}
				fn = strings.ReplaceAll(fn, renamedMain, "main")
				e.panicFrames = append(e.panicFrames, panicFrame{pos: e.parsePos(m[1]), fn: fn})
				continue
			}
			if strings.Contains(line, "CFG post-order panic") {
				continue
			}
			kept.WriteString(line)
		}
		text = kept.String()
		if text == "" {
			return
		}
	}
	e.emitLocked(Output{Name: name, Text: text})
}

// emitLocked appends an output to the running cell (merging consecutive
// text of one stream) and calls the live listener.
func (e *Engine) emitLocked(o Output) {
	if c := e.cur; c != nil {
		outs := c.res.Outputs
		if n := len(outs); n > 0 && o.Name != "display" && outs[n-1].Name == o.Name {
			outs[n-1].Text += o.Text
		} else {
			c.res.Outputs = append(outs, o)
		}
	}
	if e.opts.OnOutput != nil {
		e.opts.OnOutput(o)
	}
}

type panicFrame struct {
	pos Pos
	fn  string
}

// filePipe gives interpreted code an *os.File for os.Stdout or os.Stderr
// (yaegi keeps the host's files otherwise) whose content is forwarded to
// the engine. flush waits until everything written so far has arrived.
type filePipe struct {
	w      *os.File
	r      *os.File
	marker []byte
	acks   chan struct{}
	mu     sync.Mutex // serialises flushes
	done   chan struct{}
}

func newFilePipe(e *Engine, name string) (*filePipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &filePipe{w: w, r: r, marker: []byte("\x00pmrepl-flush\x00"), acks: make(chan struct{}, 1), done: make(chan struct{})}
	go p.pump(e, name)
	return p, nil
}

func (p *filePipe) pump(e *Engine, name string) {
	defer close(p.done)
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := p.r.Read(tmp)
		buf = append(buf, tmp[:n]...)
		for {
			i := bytes.Index(buf, p.marker)
			if i < 0 {
				break
			}
			if i > 0 {
				e.emitText(name, string(buf[:i]))
			}
			buf = append(buf[:0], buf[i+len(p.marker):]...)
			select {
			case p.acks <- struct{}{}:
			default:
			}
		}
		// Keep a tail that could be the start of a marker.
		keep := 0
		for k := len(p.marker) - 1; k > 0; k-- {
			if len(buf) >= k && bytes.Equal(buf[len(buf)-k:], p.marker[:k]) {
				keep = k
				break
			}
		}
		if len(buf) > keep {
			e.emitText(name, string(buf[:len(buf)-keep]))
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
		if err != nil {
			return
		}
	}
}

// flush returns once all bytes written before the call were forwarded, or
// after a second if the reader is stuck.
func (p *filePipe) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select { // drop a stale ack
	case <-p.acks:
	default:
	}
	if _, err := p.w.Write(p.marker); err != nil {
		return
	}
	select {
	case <-p.acks:
	case <-time.After(time.Second):
	}
}

func (p *filePipe) close() {
	p.w.Close()
	<-p.done
	p.r.Close()
}
