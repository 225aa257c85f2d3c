package kernel

import (
	"encoding/json"
	"go/scanner"
	"go/token"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gopm-dev/gopm/repl"
)

// Cursor positions in the protocol (5.2 and later) count Unicode code points; the
// engine counts bytes.
func runeToByte(s string, r int) int {
	if r <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == r {
			return i
		}
		n++
	}
	return len(s)
}

func byteToRune(s string, b int) int {
	if b > len(s) {
		b = len(s)
	}
	return utf8.RuneCountInString(s[:b])
}

func (k *Kernel) complete(m *Message) map[string]any {
	var req struct {
		Code      string `json:"code"`
		CursorPos *int   `json:"cursor_pos"`
	}
	_ = json.Unmarshal(m.Content, &req)
	cursor := utf8.RuneCountInString(req.Code)
	if req.CursorPos != nil {
		cursor = *req.CursorPos
	}
	at := runeToByte(req.Code, cursor)
	matches, start, end := k.eng.Complete(req.Code, at)
	if matches == nil {
		matches = []string{}
	}
	return map[string]any{
		"status": "ok", "matches": matches,
		"cursor_start": byteToRune(req.Code, start), "cursor_end": byteToRune(req.Code, end),
		"metadata": map[string]any{},
	}
}

func (k *Kernel) inspect(m *Message) map[string]any {
	var req struct {
		Code        string `json:"code"`
		CursorPos   *int   `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	_ = json.Unmarshal(m.Content, &req)
	cursor := utf8.RuneCountInString(req.Code)
	if req.CursorPos != nil {
		cursor = *req.CursorPos
	}
	doc, found := k.eng.Inspect(req.Code, runeToByte(req.Code, cursor))
	out := map[string]any{"status": "ok", "found": found, "data": map[string]any{}, "metadata": map[string]any{}}
	if found {
		out["data"] = map[string]any{"text/plain": doc.String(), "text/markdown": docMarkdown(doc)}
	}
	return out
}

// docMarkdown formats a doc for the pager: the signature as Go code, then the comment.
func docMarkdown(d repl.Doc) string {
	var b strings.Builder
	if d.Name != "" {
		b.WriteString("**" + d.Name + "**\n\n")
	}
	if d.Signature != "" {
		b.WriteString("```go\n" + strings.TrimRight(d.Signature, "\n") + "\n```\n\n")
	}
	b.WriteString(strings.TrimRight(d.Doc, "\n"))
	return b.String()
}

// isComplete answers is_complete_request: invalid for code the scanner rejects or that
// closes a bracket it never opened, incomplete (with the indent of the next line) when
// a bracket or raw string is still open or the last line ends with an operator.
func (k *Kernel) isComplete(m *Message) map[string]any {
	var req struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(m.Content, &req)
	status, indent := completeness(req.Code)
	out := map[string]any{"status": status}
	if status == "incomplete" {
		out["indent"] = indent
	}
	return out
}

func completeness(code string) (status, indent string) {
	if strings.HasPrefix(strings.TrimSpace(code), "%") || strings.HasPrefix(strings.TrimSpace(code), "$") {
		return "complete", ""
	}
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(code))
	invalid := false
	var s scanner.Scanner
	s.Init(f, []byte(code), func(_ token.Position, msg string) {
		if !strings.Contains(msg, "not terminated") {
			invalid = true
		}
	}, 0)
	depth := 0
	for {
		_, t, _ := s.Scan()
		if t == token.EOF {
			break
		}
		switch t {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
			if depth < 0 {
				invalid = true
			}
		case token.ILLEGAL:
			invalid = true
		}
	}
	if invalid {
		return "invalid", ""
	}
	if repl.IsComplete(code) {
		return "complete", ""
	}
	if depth < 1 {
		depth = 1
	}
	return "incomplete", strings.Repeat("    ", depth)
}

// historyReply answers history_request for the cells of this session (session number
// 0 means the current session, as in IPython).
func (k *Kernel) historyReply(m *Message) map[string]any {
	var req struct {
		Output         bool   `json:"output"`
		Raw            bool   `json:"raw"`
		HistAccessType string `json:"hist_access_type"`
		Session        int    `json:"session"`
		Start          int    `json:"start"`
		Stop           int    `json:"stop"`
		N              int    `json:"n"`
		Pattern        string `json:"pattern"`
		Unique         bool   `json:"unique"`
	}
	_ = json.Unmarshal(m.Content, &req)
	k.mu.Lock()
	all := append([]historyEntry(nil), k.history...)
	k.mu.Unlock()
	var sel []historyEntry
	switch req.HistAccessType {
	case "range":
		for _, h := range all {
			if h.line >= req.Start && (req.Stop <= 0 || h.line < req.Stop) {
				sel = append(sel, h)
			}
		}
	case "search":
		pattern := req.Pattern
		if pattern == "" {
			pattern = "*"
		}
		seen := map[string]bool{}
		for i := len(all) - 1; i >= 0; i-- {
			h := all[i]
			if !globRE(pattern).MatchString(h.input) {
				continue
			}
			if req.Unique && seen[h.input] {
				continue
			}
			seen[h.input] = true
			sel = append([]historyEntry{h}, sel...)
			if req.N > 0 && len(sel) >= req.N {
				break
			}
		}
	default: // "tail"
		sel = all
		if req.N > 0 && len(sel) > req.N {
			sel = sel[len(sel)-req.N:]
		}
	}
	items := make([]any, 0, len(sel))
	for _, h := range sel {
		if req.Output {
			items = append(items, []any{0, h.line, []any{h.input, h.output}})
		} else {
			items = append(items, []any{0, h.line, h.input})
		}
	}
	return map[string]any{"status": "ok", "history": items}
}

// globRE compiles a history search pattern as IPython's (SQLite GLOB) reads it: *
// matches any text, newlines included, and ? one character.
func globRE(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
