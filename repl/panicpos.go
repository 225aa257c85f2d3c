package repl

import (
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 reports a panic at the first statement of the function (or
// top-level statement) it happened in, not at the failing expression. The
// engine finds the expression itself: it records which statement of a
// script's main function runs (instrumentMain), and within a statement it
// looks for the call of the compiled function that panicked (read from the
// Go stack), or for the index or selector that made a reflect-level panic,
// which it explains as Go would ("index out of range [5] with length 2").

// instrumentMain makes every statement of main's body, outside loops and
// function literals, record its position before it runs, so that a panic
// in main is reported at its statement. main runs once, so the cost is a
// call per statement.
func (e *Engine) instrumentMain(fset *token.FileSet, f *ast.File) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Name.Name != "main" || fd.Body == nil {
			continue
		}
		e.mainDecl = fd
		var instrument func(list []ast.Stmt) []ast.Stmt
		instrument = func(list []ast.Stmt) []ast.Stmt {
			out := make([]ast.Stmt, 0, 2*len(list))
			for _, st := range list {
				switch s := st.(type) {
				case *ast.IfStmt:
					for s != nil {
						s.Body.List = instrument(s.Body.List)
						switch el := s.Else.(type) {
						case *ast.BlockStmt:
							el.List = instrument(el.List)
							s = nil
						case *ast.IfStmt:
							s = el
						default:
							s = nil
						}
					}
				case *ast.BlockStmt:
					s.List = instrument(s.List)
				case *ast.SwitchStmt:
					for _, c := range s.Body.List {
						c.(*ast.CaseClause).Body = instrument(c.(*ast.CaseClause).Body)
					}
				case *ast.TypeSwitchStmt:
					for _, c := range s.Body.List {
						c.(*ast.CaseClause).Body = instrument(c.(*ast.CaseClause).Body)
					}
				}
				if _, ok := st.(*ast.LabeledStmt); !ok {
					key := fset.Position(st.Pos()).String()
					e.mainStmts[key] = st
					p := st.Pos()
					out = append(out, &ast.ExprStmt{X: &ast.CallExpr{
						Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: p, Name: captureName}, Sel: &ast.Ident{NamePos: p, Name: "At"}},
						Lparen: p, Rparen: p,
						Args: []ast.Expr{&ast.BasicLit{ValuePos: p, Kind: token.STRING, Value: strconv.Quote(key)}},
					}})
				}
				out = append(out, st)
			}
			return out
		}
		fd.Body.List = instrument(fd.Body.List)
	}
}

// at is the hidden builtin the instrumented main calls.
func (e *Engine) at(pos string) {
	e.outMu.Lock()
	e.lastAt = pos
	e.outMu.Unlock()
}

// refinePanic moves a panic's position from the start of the statement or
// function yaegi names to the expression that failed, and rewrites
// reflect-level messages into Go's.
func (e *Engine) refinePanic(fset *token.FileSet, r *run, perr *Error, p interp.Panic, frames []panicFrame, lastAt string, val string) {
	var scope ast.Node  // where local variables may be declared
	var search ast.Node // where the failing expression is
	switch {
	case len(frames) > 0 && frames[0].fn == "main" && lastAt != "" && e.mainStmts[lastAt] != nil:
		pos := e.parsePos(lastAt)
		perr.Pos = pos
		perr.Trace[0] = fmt.Sprintf("%s (%s)", pos, frames[0].fn)
		scope, search = e.mainDecl, e.mainStmts[lastAt]
	case len(frames) == 0 || frames[0].fn == "top level":
		scope, search = r.node(), r.node()
	default:
		return
	}
	locals := declaredIn(scope)
	switch {
	case strings.Contains(val, "reflect: slice index out of range"), strings.Contains(val, "reflect: array index out of range"),
		strings.Contains(val, "reflect: string index out of range"):
		perr.Msg = "panic: runtime error: index out of range (an index is not less than the length)"
		var cands []*ast.IndexExpr
		inspectNoLit(search, func(n ast.Node) {
			if ix, ok := n.(*ast.IndexExpr); ok {
				cands = append(cands, ix)
			}
		})
		for _, ix := range cands {
			if !e.pure(ix.X, locals) || !e.pure(ix.Index, locals) {
				continue
			}
			n, ok1 := e.evalInt("len(" + exprText(fset, ix.X) + ")")
			i, ok2 := e.evalInt(exprText(fset, ix.Index))
			if ok1 && ok2 && (i < 0 || i >= n) {
				perr.Msg = fmt.Sprintf("panic: runtime error: index out of range [%d] with length %d, in %s", i, n, exprText(fset, ix))
				perr.Pos = e.posOf(fset, ix.Pos())
				return
			}
		}
		if len(cands) == 1 {
			perr.Msg += ", in " + exprText(fset, cands[0])
			perr.Pos = e.posOf(fset, cands[0].Pos())
		}
	case strings.Contains(val, "on zero Value"), strings.Contains(val, "nil pointer"):
		perr.Msg = "panic: runtime error: invalid memory address or nil pointer dereference (a field or element of a nil pointer was read)"
		found := false
		inspectNoLit(search, func(n ast.Node) {
			var x ast.Expr
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if _, isPkg := e.imports[id.Name]; isPkg {
						return
					}
				}
				x = n.X
			case *ast.StarExpr:
				x = n.X
			default:
				return
			}
			if found || !e.pure(x, locals) {
				return
			}
			v, ok := e.globalValue(exprText(fset, x))
			if ok && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
				perr.Msg = fmt.Sprintf("panic: runtime error: invalid memory address or nil pointer dereference: %s is nil, in %s",
					exprText(fset, x), exprText(fset, n.(ast.Expr)))
				perr.Pos = e.posOf(fset, n.Pos())
				found = true
			}
		})
	default:
		// A panic in compiled code: find the call that entered it.
		name := enteredFunc(string(p.Stack))
		if name == "" {
			return
		}
		var calls []*ast.CallExpr
		inspectNoLit(search, func(n ast.Node) {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return
			}
			switch f := c.Fun.(type) {
			case *ast.SelectorExpr:
				if f.Sel.Name == name {
					calls = append(calls, c)
				}
			case *ast.Ident:
				if f.Name == name {
					calls = append(calls, c)
				}
			}
		})
		if len(calls) == 1 {
			if pos := e.posOf(fset, calls[0].Pos()); pos.IsValid() {
				perr.Pos = pos
			}
		}
	}
}

// frameFuncRE matches a function line of a Go stack trace.
var frameFuncRE = regexp.MustCompile(`^(\S+)\(.*\)$`)

// enteredFunc reads a Go stack (debug.Stack, innermost frame first) and
// returns the name of the compiled function the interpreter called, in
// which the panic happened: the frame just inside the innermost
// reflect.Value.call.
func enteredFunc(stack string) string {
	var funcs []string
	for _, line := range strings.Split(stack, "\n") {
		if m := frameFuncRE.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "\t") {
			funcs = append(funcs, m[1])
		}
	}
	for i := 1; i < len(funcs); i++ {
		if !strings.HasPrefix(funcs[i], "reflect.Value.call") {
			continue
		}
		parts := strings.Split(funcs[i-1], ".")
		for k := len(parts) - 1; k >= 0; k-- {
			part := strings.TrimSuffix(parts[k], "-fm")
			if strings.HasPrefix(part, "func") && strings.Trim(part[4:], "0123456789") == "" {
				continue // a closure: name the function around it
			}
			if token.IsIdentifier(part) {
				return part
			}
			return ""
		}
		return ""
	}
	return ""
}

// inspectNoLit visits the nodes of n outside function literals.
func inspectNoLit(n ast.Node, f func(ast.Node)) {
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if n != nil {
			f(n)
		}
		return true
	})
}

// declaredIn lists the names declared inside n (parameters, :=, var,
// range variables): such names in an expression are not the session's.
func declaredIn(n ast.Node) map[string]bool {
	out := map[string]bool{}
	if n == nil {
		return out
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						out[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				out[id.Name] = true
			}
		case *ast.Field:
			for _, id := range n.Names {
				out[id.Name] = true
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok {
					out[id.Name] = true
				}
			}
		}
		return true
	})
	return out
}

// pure reports whether x can be evaluated again without effects and in the
// session's scope: no calls or receives, and only session variables.
func (e *Engine) pure(x ast.Expr, locals map[string]bool) bool {
	ok := true
	skip := map[*ast.Ident]bool{}
	ast.Inspect(x, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr, *ast.FuncLit, *ast.CompositeLit:
			ok = false
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				ok = false
			}
		case *ast.SelectorExpr:
			skip[n.Sel] = true
		case *ast.Ident:
			if !skip[n] && (locals[n.Name] || !e.names[n.Name]) {
				if _, isPkg := e.imports[n.Name]; !isPkg {
					ok = false
				}
			}
		}
		return ok
	})
	return ok
}

// evalInt evaluates an integer expression of the session.
func (e *Engine) evalInt(src string) (int, bool) {
	v, ok := e.globalValue(src)
	if !ok {
		return 0, false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(v.Uint()), true
	}
	return 0, false
}

// exprText prints an expression as the user wrote it.
func exprText(fset *token.FileSet, x ast.Expr) string {
	var b strings.Builder
	if err := printer.Fprint(&b, fset, x); err != nil {
		return ""
	}
	return b.String()
}
