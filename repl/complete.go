package repl

import (
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// goKeywords and predeclared are offered at the start of an identifier.
var goKeywords = []string{
	"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
	"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
	"return", "select", "struct", "switch", "type", "var",
}

var predeclared = []string{
	"any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32", "float64",
	"int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32",
	"uint64", "uintptr", "true", "false", "iota", "nil", "append", "cap", "close", "complex", "copy",
	"delete", "imag", "len", "make", "new", "panic", "print", "println", "real", "recover",
}

// builtinIdents are the engine's dot-imported helpers.
var builtinIdents = []string{"Display", "Context"}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// identBefore returns the start of the identifier that ends at i.
func identBefore(s string, i int) int {
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !isIdentRune(r) {
			break
		}
		i -= n
	}
	return i
}

// selectorChain returns the dotted chain of identifiers ending just before
// position dot (which holds a '.'), such as "m.Model" in "m.Model.Va", or
// "" when what precedes the dot is not a plain chain (a call, an index).
func selectorChain(s string, dot int) string {
	end := dot
	i := dot
	for {
		j := identBefore(s, i)
		if j == i {
			return ""
		}
		i = j
		if i > 0 && s[i-1] == '.' {
			i--
			continue
		}
		break
	}
	return s[i:end]
}

// Complete returns the completion candidates for the identifier or
// selector at cursor (a byte offset in code), and the span [start, end)
// of code that a candidate replaces. Candidates come from the session's
// declarations, the identifiers of code itself, keywords and predeclared
// names, the members of imported packages (from the symbol tables), and
// the fields and methods of a variable's value found by reflection (only
// while no cell is running: reading a variable needs the interpreter).
func (e *Engine) Complete(code string, cursor int) (matches []string, start, end int) {
	if cursor < 0 || cursor > len(code) {
		cursor = len(code)
	}
	start = identBefore(code, cursor)
	end = cursor
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	prefix := code[start:cursor]
	var cands []string
	if start > 0 && code[start-1] == '.' {
		chain := selectorChain(code, start-1)
		if chain == "" {
			return nil, start, end
		}
		cands = e.members(chain)
	} else {
		cands = e.scopeNames(code, start)
	}
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] && !strings.HasPrefix(c, "__") {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return matches, start, end
}

// scopeNames lists the names usable at the start of an identifier.
func (e *Engine) scopeNames(code string, at int) []string {
	var out []string
	out = append(out, goKeywords...)
	out = append(out, predeclared...)
	out = append(out, builtinIdents...)
	if e.mu.TryLock() {
		for n := range e.names {
			out = append(out, n)
		}
		for n := range e.imports {
			out = append(out, n)
		}
		e.mu.Unlock()
	}
	// Identifiers of the cell being written, declared or not yet run.
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(code))
	var s scanner.Scanner
	s.Init(f, []byte(code), func(token.Position, string) {}, 0)
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		// The identifier being completed is not a candidate for itself.
		if t == token.IDENT && f.Offset(pos) != at {
			out = append(out, lit)
		}
	}
	return out
}

// members lists the members reachable after "chain.".
func (e *Engine) members(chain string) []string {
	if !e.mu.TryLock() {
		return nil
	}
	defer e.mu.Unlock()
	parts := strings.Split(chain, ".")
	if path, ok := e.imports[parts[0]]; ok {
		syms := e.exports[path+"/"+e.pkgNames[path]]
		if len(parts) == 1 {
			out := make([]string, 0, len(syms))
			for name := range syms {
				if !strings.HasPrefix(name, "_") {
					out = append(out, name)
				}
			}
			return out
		}
		// pkg.Type.: the methods of a compiled type.
		if len(parts) == 2 {
			if v, ok := syms[parts[1]]; ok && v.Kind() == reflect.Pointer && v.IsNil() {
				return typeMembers(v.Type().Elem(), false)
			}
		}
	}
	v, ok := e.evalChain(chain)
	if !ok {
		return nil
	}
	return typeMembers(v.Type(), true)
}

// evalChain reads the value of a dotted chain of identifiers; it must be
// called with e.mu held. Reading a variable or a field has no side
// effects, which is why only plain chains are evaluated.
func (e *Engine) evalChain(chain string) (v reflect.Value, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	for _, p := range strings.Split(chain, ".") {
		if p == "" || !token.IsIdentifier(p) {
			return reflect.Value{}, false
		}
	}
	v, err := e.in.Eval(chain)
	if err != nil || !v.IsValid() {
		return reflect.Value{}, false
	}
	if v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	return v, true
}

// typeMembers lists exported fields and methods of t (and of *t, which an
// addressable variable can call when withPtr).
func typeMembers(t reflect.Type, withPtr bool) []string {
	var out []string
	add := func(t reflect.Type) {
		for i := 0; i < t.NumMethod(); i++ {
			if m := t.Method(i); m.IsExported() {
				out = append(out, m.Name)
			}
		}
	}
	add(t)
	base := t
	if t.Kind() == reflect.Pointer {
		base = t.Elem()
	} else if withPtr || t.Kind() == reflect.Struct {
		add(reflect.PointerTo(t))
	}
	if base.Kind() == reflect.Struct {
		for i := 0; i < base.NumField(); i++ {
			if f := base.Field(i); f.IsExported() {
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// IsComplete reports whether src is a complete cell, for a prompt that
// continues while it is not and for Jupyter's is_complete_request: no
// bracket or raw string left open and no line ending in an operator,
// comma or dot.
func IsComplete(src string) bool {
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(src))
	open := false
	var s scanner.Scanner
	s.Init(f, []byte(src), func(_ token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			open = true
		}
	}, 0)
	depth := 0
	last := token.ILLEGAL
	for {
		_, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		switch t {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue
		}
		last = t
	}
	if open || depth > 0 {
		return false
	}
	if last.IsOperator() {
		switch last {
		case token.RPAREN, token.RBRACE, token.RBRACK, token.INC, token.DEC, token.SEMICOLON:
			return true
		}
		return false
	}
	return true
}
