package term

import (
	"go/scanner"
	"go/token"
	"strings"
)

// oneLine rewrites a cell typed over several lines as one equivalent line
// for the prompt's history, so that Up recalls the whole cell as one entry
// (the history file keeps one entry per line): newlines that end a
// statement become "; ", other line breaks a space, and line comments
// become /* */ comments. It reports false when the cell cannot be written
// on one line (a raw string or a comment spanning lines); the cell is then
// kept as typed.
func oneLine(code string) (string, bool) {
	code = strings.TrimRight(code, " \t\n")
	if !strings.Contains(code, "\n") {
		return code, true
	}
	src := []byte(code)
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	bad := false
	s.Init(file, src, func(token.Position, string) { bad = true }, scanner.ScanComments)
	var b strings.Builder
	prevEnd := -1
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if tok == token.SEMICOLON && lit == "\n" {
			b.WriteString(";") // the newline that ended a statement
			continue
		}
		text := lit
		if text == "" || tok == token.SEMICOLON {
			text = tok.String()
		}
		switch {
		case tok == token.COMMENT && strings.HasPrefix(lit, "//"):
			if strings.Contains(lit, "*/") {
				return code, false
			}
			text = "/*" + strings.TrimPrefix(lit, "//") + " */"
		case strings.Contains(text, "\n"):
			return code, false // a raw string or a block comment over lines
		}
		if prevEnd >= 0 && off > prevEnd {
			b.WriteString(" ")
		}
		b.WriteString(text)
		if tok == token.COMMENT {
			prevEnd = off + len(lit)
		} else {
			prevEnd = off + len(text)
		}
	}
	if bad {
		return code, false
	}
	return strings.TrimRight(b.String(), ";"), true
}
