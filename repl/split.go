package repl

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
)

// chunk is one top-level piece of a cell: the text between two semicolons
// (written or implied by a newline) at bracket depth zero.
type chunk struct {
	start, end int // byte offsets in the cell
	decl       bool
	skip       bool // a package clause: cells may keep it, it means nothing here
}

// splitChunks cuts src into top-level chunks and classifies each as a
// declaration (import, type, const, var, func Name, func (recv) Name) or a
// statement. yaegi decides how to parse a whole Eval from its first token,
// so a cell mixing both must be cut before it reaches the interpreter.
// Scanning errors are ignored here: the parser reports them with better
// messages.
func splitChunks(src string) []chunk {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), func(token.Position, string) {}, scanner.ScanComments)

	type tok struct {
		t        token.Token
		off, end int
	}
	var chunks []chunk
	var cur []tok
	depth := 0
	// Comments just before a chunk belong to it (a function's doc
	// comment must reach the parser).
	commentStart := -1
	// A for, if or switch header holds semicolons that do not end the
	// statement; it ends at the body's brace.
	inHeader := false
	flush := func() {
		if len(cur) == 0 {
			return
		}
		c := chunk{start: cur[0].off, end: cur[len(cur)-1].end}
		if commentStart >= 0 {
			c.start = commentStart
		}
		switch cur[0].t {
		case token.IMPORT, token.TYPE, token.CONST, token.VAR:
			c.decl = true
		case token.PACKAGE:
			c.skip = true
		case token.FUNC:
			c.decl = isFuncDecl(func(i int) token.Token {
				if i < len(cur) {
					return cur[i].t
				}
				return token.EOF
			})
		}
		chunks = append(chunks, c)
		cur = cur[:0]
		commentStart = -1
	}
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		off := file.Offset(pos)
		if t == token.COMMENT {
			if len(cur) == 0 && commentStart < 0 {
				commentStart = off
			}
			continue
		}
		switch t {
		case token.FOR, token.IF, token.SWITCH, token.SELECT:
			if depth == 0 {
				inHeader = true
			}
		case token.LBRACE:
			if depth == 0 {
				inHeader = false
			}
			depth++
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 && !inHeader {
				flush()
				continue
			}
			if lit == "\n" {
				continue
			}
		}
		n := len(lit)
		if n == 0 {
			n = len(t.String())
		}
		end := off + n
		if end > len(src) {
			end = len(src)
		}
		cur = append(cur, tok{t, off, end})
	}
	flush()
	return chunks
}

// isFuncDecl tells a function or method declaration from a function
// literal statement such as func() { ... }().
func isFuncDecl(at func(int) token.Token) bool {
	switch at(1) {
	case token.IDENT:
		return true
	case token.LPAREN:
		depth := 0
		for i := 1; ; i++ {
			switch at(i) {
			case token.LPAREN:
				depth++
			case token.RPAREN:
				depth--
				if depth == 0 {
					return at(i+1) == token.IDENT
				}
			case token.EOF:
				return false
			}
		}
	}
	return false
}

// run is a maximal sequence of chunks of one kind, parsed and ready for
// yaegi's CompileAST.
type run struct {
	decl     bool
	file     *ast.File      // for declarations
	block    *ast.BlockStmt // for statements
	capture  bool           // block is a single expression statement whose values are the cell's result
	captured bool           // the statement already is a call of the capture function
	start    Pos            // where the run starts in the user's source
	offset   int            // byte offset of the run in the cell
	text     string
}

// node is what CompileAST receives.
func (r *run) node() ast.Node {
	if r.decl {
		return r.file
	}
	return r.block
}

// parseRuns splits src into runs and parses each with a line directive so
// that every position yaegi or the parser reports is the user's own. unit
// names the directive file; line0 is the line of src's first byte in the
// user's file (1 for a cell).
func parseRuns(fset *token.FileSet, src string, id, line0 int, name string, all bool) ([]*run, error) {
	var runs []*run
	var cur *run
	var curEnd int
	chunks := splitChunks(src)
	for _, c := range chunks {
		if c.skip {
			continue
		}
		if cur != nil && cur.decl == c.decl {
			curEnd = c.end
			continue
		}
		if cur != nil {
			cur.text = src[cur.offset:curEnd]
			runs = append(runs, cur)
		}
		cur = &run{decl: c.decl, offset: c.start}
		curEnd = c.end
	}
	if cur != nil {
		cur.text = src[cur.offset:curEnd]
		runs = append(runs, cur)
	}
	directive := func(off int) string {
		line := line0 + strings.Count(src[:off], "\n")
		col := off - strings.LastIndexByte(src[:off], '\n')
		return "/*line " + unitFile(id) + ":" + itoa(line) + ":" + itoa(col) + "*/"
	}
	var listRun *run
	for i, r := range runs {
		line := line0 + strings.Count(src[:r.offset], "\n")
		col := r.offset - strings.LastIndexByte(src[:r.offset], '\n')
		r.start = Pos{File: name, Line: line, Col: col}
		if r.decl {
			f, err := parser.ParseFile(fset, "_.go", "package main\n"+directive(r.offset)+r.text, parser.ParseComments)
			if err != nil {
				return nil, err
			}
			r.file = f
			continue
		}
		block, err := parseStmts(fset, directive(r.offset)+r.text)
		if err != nil && i == len(runs)-1 && strings.Contains(err.Error(), "expected 1 expression") {
			// A cell ending in an expression list ("v, ok"), as notebook
			// users write to see several values: capture them all.
			last := chunks[len(chunks)-1]
			var head *ast.BlockStmt
			if last.start > r.offset {
				head, err = parseStmts(fset, directive(r.offset)+src[r.offset:last.start])
			}
			if err == nil || last.start == r.offset {
				var tail *ast.BlockStmt
				tail, err = parseStmts(fset, captureName+".Capture("+directive(last.start)+src[last.start:last.end]+")")
				if err == nil {
					listRun = &run{capture: true, captured: true, block: tail, start: r.start}
					block = head
				}
			}
		}
		if err != nil {
			return nil, err
		}
		r.block = block
	}
	if listRun != nil && runs[len(runs)-1].block == nil {
		runs = runs[:len(runs)-1]
	}
	runs = perStatement(runs)
	if listRun != nil {
		return append(runs, listRun), nil
	}
	if all {
		return splitAllExprs(runs), nil
	}
	return splitLastExpr(runs), nil
}

// perStatement compiles each top-level statement on its own. Top-level
// variables are globals either way, and yaegi's compiler fails on some
// statements only in company (a map and a comma-ok read of it in one unit
// crash it with "nil type"); after such a failure its state is damaged,
// so a retry cannot be the fix.
func perStatement(runs []*run) []*run {
	var out []*run
	for _, r := range runs {
		if r.decl || len(r.block.List) <= 1 {
			out = append(out, r)
			continue
		}
		for _, st := range r.block.List {
			out = append(out, &run{start: r.start, block: &ast.BlockStmt{Lbrace: st.Pos(), List: []ast.Stmt{st}, Rbrace: st.End()}})
		}
	}
	return out
}

// parseStmts parses statements as the body of a function.
func parseStmts(fset *token.FileSet, text string) (*ast.BlockStmt, error) {
	f, err := parser.ParseFile(fset, "_.go", "package main\nfunc main() {\n"+text+"\n}", parser.ParseComments)
	if err != nil {
		return nil, err
	}
	return f.Decls[0].(*ast.FuncDecl).Body, nil
}

// splitAllExprs gives every top-level statement a run of its own, for
// scripts, whose statements play the part of cells; expression statements
// are marked for capture.
func splitAllExprs(runs []*run) []*run {
	var out []*run
	for _, r := range runs {
		if r.decl {
			out = append(out, r)
			continue
		}
		var pending []ast.Stmt
		flush := func() {
			if len(pending) > 0 {
				out = append(out, &run{start: r.start, block: &ast.BlockStmt{Lbrace: pending[0].Pos(), List: pending, Rbrace: pending[len(pending)-1].End()}})
				pending = nil
			}
		}
		for _, st := range r.block.List {
			if es, ok := st.(*ast.ExprStmt); ok && !isPrintCall(es.X) {
				flush()
				out = append(out, &run{capture: true, start: r.start, block: &ast.BlockStmt{Lbrace: es.Pos(), List: []ast.Stmt{es}, Rbrace: es.End()}})
				continue
			}
			pending = append(pending, st)
			flush()
		}
		flush()
	}
	return out
}

// splitLastExpr moves a final expression statement into a run of its own,
// so that rewriting it to capture its values, and falling back when it
// has none, cannot disturb the statements before it.
func splitLastExpr(runs []*run) []*run {
	if len(runs) == 0 {
		return runs
	}
	last := runs[len(runs)-1]
	if last.decl || len(last.block.List) == 0 {
		return runs
	}
	n := len(last.block.List)
	es, ok := last.block.List[n-1].(*ast.ExprStmt)
	if !ok || isPrintCall(es.X) {
		return runs
	}
	capRun := &run{
		capture: true,
		// The block's position must carry the directive's file name:
		// yaegi derives the import scope from the root node's file.
		block: &ast.BlockStmt{Lbrace: es.Pos(), List: []ast.Stmt{es}, Rbrace: es.End()},
		start: last.start,
	}
	if n == 1 {
		runs[len(runs)-1] = capRun
		return runs
	}
	last.block = &ast.BlockStmt{Lbrace: last.block.List[0].Pos(), List: last.block.List[:n-1], Rbrace: last.block.List[n-2].End()}
	return append(runs, capRun)
}

func itoa(i int) string { return strconv.Itoa(i) }

// isPrintCall reports a call of fmt's Print and Fprint functions: their
// byte count and nil error are noise as a cell's result.
func isPrintCall(x ast.Expr) bool {
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	switch sel.Sel.Name {
	case "Print", "Printf", "Println", "Fprint", "Fprintf", "Fprintln":
		return ok && pkg.Name == "fmt"
	}
	return false
}
