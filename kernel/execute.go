package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-zeromq/zmq4"

	"github.com/gopm-dev/gopm/repl"
)

type executeRequest struct {
	Code   string `json:"code"`
	Silent bool   `json:"silent"`
	// UserExpressions are evaluated after the code, their results returned in the reply.
	UserExpressions map[string]string `json:"user_expressions"`
	StoreHistory    *bool             `json:"store_history"`
	AllowStdin      *bool             `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// execute runs an execute_request.
func (k *Kernel) execute(m *Message, sock zmq4.Socket, mu *sync.Mutex) {
	var req executeRequest
	if err := json.Unmarshal(m.Content, &req); err != nil {
		k.respond(sock, mu, m, "execute_reply", errorContent("BadRequest", "execute_request content: "+err.Error(), nil))
		return
	}
	store := boolOr(req.StoreHistory, !req.Silent) && !req.Silent
	k.mu.Lock()
	if store {
		k.count++
	}
	count := k.count
	k.cur, k.silent = m, req.Silent
	k.allowStdin = boolOr(req.AllowStdin, true)
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.cur = nil
		k.mu.Unlock()
	}()
	if !req.Silent {
		k.publish(m, "execute_input", map[string]any{"code": req.Code, "execution_count": count})
	}
	name := fmt.Sprintf("cell %d", count)
	if !store {
		name = "cell"
	}
	res, err := k.run(name, req.Code)
	k.progress.finish()
	output := ""
	if err == nil && res != nil && res.Interrupted {
		err = &repl.Error{Kind: repl.InterruptError, Pos: repl.Pos{File: name},
			Msg: "interrupted: the cell stopped early; what it computed is kept (a sampler's trace holds the draws made so far)"}
	}
	if err == nil && res != nil && !req.Silent {
		if d := k.renderResult(res); d != nil {
			k.publishData(m, "execute_result", *d, count)
			if s, ok := d.Data["text/plain"].(string); ok {
				output = s
			}
		}
	}
	if store {
		k.mu.Lock()
		k.history = append(k.history, historyEntry{line: count, input: req.Code, output: output})
		k.mu.Unlock()
	}
	if err != nil {
		ename, evalue, tb := describeError(err)
		if !req.Silent {
			k.publish(m, "error", map[string]any{"ename": ename, "evalue": evalue, "traceback": tb})
		}
		content := errorContent(ename, evalue, tb)
		content["execution_count"] = count
		if boolOr(req.StopOnError, true) && sock == k.shell {
			k.abortQueued()
		}
		k.respond(sock, mu, m, "execute_reply", content)
		return
	}
	k.respond(sock, mu, m, "execute_reply", map[string]any{
		"status": "ok", "execution_count": count, "user_expressions": k.userExpressions(req.UserExpressions), "payload": []any{},
	})
}

// run evaluates a cell: its kernel commands (%cd, %help, $ shell) first, then its Go code.
func (k *Kernel) run(name, code string) (*repl.Result, error) {
	code, err := k.specialCommands(code)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(code) == "" {
		return nil, nil
	}
	return k.eng.EvalSource(context.Background(), repl.Source{Name: name, Code: rewriteStdin(code)})
}

const red, reset = "\x1b[0;31m", "\x1b[0m"

// describeError gives ename, evalue and traceback lines for an error, the first line
// coloured as IPython colours the exception line.
func describeError(err error) (string, string, []string) {
	var re *repl.Error
	if errors.As(err, &re) {
		ename := re.Kind.String()
		tb := []string{red + ename + reset + ": " + re.Error()}
		for i, t := range re.Trace {
			if i == 0 {
				tb = append(tb, "called from:")
			}
			tb = append(tb, "    "+t)
		}
		return ename, re.Error(), tb
	}
	return "Error", err.Error(), []string{red + "Error" + reset + ": " + err.Error()}
}

// userExpressions evaluates the expressions of an execute_request after its code, as
// IPython does: each gives a bundle, or an error.
func (k *Kernel) userExpressions(exprs map[string]string) map[string]any {
	out := map[string]any{}
	for name, code := range exprs {
		res, err := k.eng.EvalSource(context.Background(), repl.Source{Name: "user expression " + name, Code: code})
		if err != nil {
			ename, evalue, tb := describeError(err)
			out[name] = errorContent(ename, evalue, tb)
			continue
		}
		d := k.renderResult(res)
		if d == nil {
			out[name] = map[string]any{"status": "ok", "data": map[string]any{"text/plain": ""}, "metadata": map[string]any{}}
			continue
		}
		out[name] = map[string]any{"status": "ok", "data": bundle(d.Data), "metadata": orEmpty(d.Metadata)}
	}
	return out
}
