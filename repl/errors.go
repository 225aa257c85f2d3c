package repl

import (
	"errors"
	"fmt"
	"go/scanner"
	"regexp"
	"strconv"
	"strings"
)

// Pos is a position in the user's own source: a cell or a file, with
// 1-based line and column (bytes).
type Pos struct {
	File string // "cell 3" for interactive cells, else a file name
	Line int
	Col  int
}

// IsValid reports whether the position names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats the position as "cell 3, line 4:9" for cells and
// "model.go:4:9" for files.
func (p Pos) String() string {
	if !p.IsValid() {
		return p.File
	}
	sep := ":"
	if strings.HasPrefix(p.File, "cell ") {
		sep = ", line "
	}
	if p.Col > 0 {
		return fmt.Sprintf("%s%s%d:%d", p.File, sep, p.Line, p.Col)
	}
	return fmt.Sprintf("%s%s%d", p.File, sep, p.Line)
}

// Error is what a cell reports when it fails: a syntax or type error, a
// construct the interpreter does not support, a panic (interpreted or
// compiled) or an interrupt. Pos is where in the user's code.
type Error struct {
	Pos   Pos
	Kind  ErrorKind
	Msg   string
	Trace []string // for panics: the interpreted call chain, innermost first
	Value any      // for panics: the value passed to panic
}

// ErrorKind classifies an Error.
type ErrorKind int

// Kinds of cell errors.
const (
	CompileError     ErrorKind = iota // syntax or type error
	UnsupportedError                  // valid Go the interpreter cannot run
	PanicError                        // a panic in interpreted or compiled code
	InterruptError                    // the cell's context was cancelled
)

// String names the kind as the Jupyter kernel reports it (ename).
func (k ErrorKind) String() string {
	switch k {
	case CompileError:
		return "CompileError"
	case UnsupportedError:
		return "UnsupportedError"
	case PanicError:
		return "Panic"
	case InterruptError:
		return "Interrupted"
	}
	return "Error"
}

// Error returns "pos: msg".
func (e *Error) Error() string {
	if e.Pos.File == "" && !e.Pos.IsValid() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Unwrap gives the panic value when it is an error, so errors.As can reach
// a typed error thrown by compiled code (for example *pm.Error).
func (e *Error) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// unitRE matches the file names the engine gives yaegi through line
// directives; the base name must stay "_.go" because yaegi scopes imports
// by the base name of a node's file, and cells must share imports.
var unitRE = regexp.MustCompile(`pmcell(\d+)/_\.go:(\d+):(\d+)`)

// unitFile is the directive file name of unit id.
func unitFile(id int) string { return "pmcell" + strconv.Itoa(id) + "/_.go" }

// unit records how to show positions of one evaluated source.
type unit struct {
	name string
}

// rewritePositions turns every directive position in s into the user's
// form, and returns the first one found.
func (e *Engine) rewritePositions(s string) (string, Pos) {
	var first Pos
	out := unitRE.ReplaceAllStringFunc(s, func(m string) string {
		p := e.parsePos(m)
		if !first.IsValid() {
			first = p
		}
		return p.String()
	})
	out = strings.ReplaceAll(out, renamedMain, "main")
	out = strings.ReplaceAll(out, loopVarPrefix, "")
	return out, first
}

func (e *Engine) parsePos(m string) Pos {
	sub := unitRE.FindStringSubmatch(m)
	if sub == nil {
		return Pos{}
	}
	id, _ := strconv.Atoi(sub[1])
	line, _ := strconv.Atoi(sub[2])
	col, _ := strconv.Atoi(sub[3])
	name := fmt.Sprintf("unit %d", id)
	if u, ok := e.units[id]; ok {
		name = u.name
	}
	return Pos{File: name, Line: line, Col: col}
}

// compileError converts an error from go/parser or yaegi's compiler into
// an *Error at the user's position; at is used when the message carries
// no position of the user's code (errors inside yaegi's generic stdlib
// sources, for example).
func (e *Engine) compileError(err error, at Pos) *Error {
	var list scanner.ErrorList
	msg := err.Error()
	if errors.As(err, &list) && len(list) > 0 {
		msg = list[0].Error()
		if len(list) > 1 {
			msg += fmt.Sprintf(" (and %d more errors)", len(list)-1)
		}
	}
	text, pos := e.rewritePositions(msg)
	if pos.IsValid() {
		prefix := pos.String() + ": "
		text = strings.TrimPrefix(text, prefix)
	} else {
		pos = at
		// A position inside yaegi's own sources (generic stdlib code) means
		// nothing to the user: drop it.
		text = leadingPosRE.ReplaceAllString(text, "")
	}
	text = hintFor(text)
	if m := noSymbolRE.FindStringSubmatch(text); m != nil {
		if near := e.suggest(m[1] + "." + m[2]); len(near) > 0 {
			text = fmt.Sprintf("undefined: %s.%s (did you mean %s?)", m[1], m[2], strings.Join(near, ", "))
		} else {
			text = fmt.Sprintf("undefined: %s.%s (package %s has no member %s)", m[1], m[2], m[1], m[2])
		}
	}
	return &Error{Pos: pos, Kind: CompileError, Msg: text}
}

// noSymbolRE matches yaegi's message for a misspelt package member.
var noSymbolRE = regexp.MustCompile(`^package (\w+) "[^"]*" has no symbol (\w+)$`)

var leadingPosRE = regexp.MustCompile(`^(_\.go:)?\d+:\d+: `)

// hintFor adds the supported spelling to messages about gaps of the
// interpreter, so the user is not left with a puzzle.
func hintFor(msg string) string {
	switch {
	case strings.HasPrefix(msg, "undefined selector: slices."), strings.HasPrefix(msg, "undefined selector: maps."),
		strings.HasPrefix(msg, "undefined type for "):
		return msg + " (the interpreter lacks many generic standard-library functions; write a loop, or use sort.Float64s, sort.Ints, floats.Max from gonum)"
	case msg == "constant definition loop":
		return msg + " (the interpreter reports an undefined name on the right of := this way; check the names used)"
	case strings.HasPrefix(msg, "undefined: clear"):
		return msg + " (the clear builtin is not available in the interpreter; assign a new map or slice, or delete keys in a loop)"
	}
	return msg
}
