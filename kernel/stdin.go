package kernel

import (
	"encoding/json"
	"errors"
	"io"
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
