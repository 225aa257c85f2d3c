package kernel

import (
	"encoding/json"
	"errors"
	"go/scanner"
	"go/token"
	"io"
	"reflect"
	"strings"
	"sync"
)

// stdinReader is the standard input of interpreted code: each read that finds its
// buffer empty asks the front-end for a line with an input_request on the stdin
// socket (addressed to the client that sent the running execute_request) and waits
// for the input_reply, or for the cell to be interrupted.
type stdinReader struct {
	k   *Kernel
	mu  sync.Mutex
	buf []byte
}

// errNoStdin is returned to reads when the front-end does not allow input.
var errNoStdin = errors.New("standard input is not available: the front-end does not allow input requests (allow_stdin is false)")

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		line, err := r.k.requestInput("", false)
		if err != nil {
			return 0, err
		}
		r.buf = []byte(line + "\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// requestInput sends input_request and waits for the reply.
func (k *Kernel) requestInput(prompt string, password bool) (string, error) {
	k.mu.Lock()
	parent, allow := k.cur, k.allowStdin
	k.mu.Unlock()
	if parent == nil || !allow {
		return "", errNoStdin
	}
	// What the cell printed before reading (its prompt) must reach the front-end first.
	k.eng.Flush()
	select { // a stale reply
	case <-k.inputs:
	default:
	}
	m, err := reply(parent, k.session, "input_request", map[string]any{"prompt": prompt, "password": password})
	if err != nil {
		return "", err
	}
	k.send(k.stdin, &k.stdinMu, m)
	ctx := k.eng.Context()
	select {
	case in := <-k.inputs:
		var c struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(in.Content, &c); err != nil {
			return "", err
		}
		return c.Value, nil
	case <-ctx.Done():
		return "", io.EOF
	case <-k.done:
		return "", io.EOF
	}
}

// stdinAlias is the name under which the session imports the kernel's standard input
// package; os.Stdin in a cell is rewritten to stdinAlias.Stdin. It has the same length
// in bytes as "os", so positions in error messages do not move.
const stdinAlias = "ǥ"

const stdinPath = "gopm.kernel/stdin"

// stdinSymbols exports r to the interpreter as package gopm.kernel/stdin, variable
// Stdin (an io.Reader).
func stdinSymbols(r *io.Reader) map[string]map[string]reflect.Value {
	return map[string]map[string]reflect.Value{
		stdinPath + "/kstdin": {"Stdin": reflect.ValueOf(r).Elem()},
	}
}

// rewriteStdin replaces the selector os.Stdin in code by the kernel's reader: the
// interpreter's os.Stdin is the kernel process's own standard input, which the
// front-end cannot feed, while the kernel's reader asks the front-end for each line.
func rewriteStdin(code string) string {
	if !strings.Contains(code, "Stdin") {
		return code
	}
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(code))
	var s scanner.Scanner
	s.Init(f, []byte(code), nil, 0)
	type tok struct {
		off int
		t   token.Token
		lit string
	}
	var prev [2]tok
	b := []byte(code)
	changed := false
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		cur := tok{f.Offset(pos), t, lit}
		if t == token.IDENT && lit == "Stdin" && prev[1].t == token.PERIOD && prev[0].t == token.IDENT && prev[0].lit == "os" {
			copy(b[prev[0].off:], stdinAlias)
			changed = true
		}
		prev[0], prev[1] = prev[1], cur
	}
	if !changed {
		return code
	}
	return string(b)
}
