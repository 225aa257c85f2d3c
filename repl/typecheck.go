package repl

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// checkCalls reports, before any of a cell runs, mistakes Go's compiler
// would reject in calls of compiled functions and methods whose types the
// engine knows (package members, methods of session variables): arguments
// of the wrong type (a []string spread into ...any), and a number of
// variables that does not match the number of results. yaegi would accept
// some of these and fail with a reflect panic when the call runs, possibly
// after minutes of sampling in an earlier statement of the cell. Arguments
// whose types are not known without running code are not checked.
func (e *Engine) checkCalls(fset *token.FileSet, runs []*run) *Error {
	local := map[string]reflect.Type{}
	var found *Error
	for _, r := range runs {
		if r.decl {
			continue
		}
		for _, st := range r.block.List {
			inspectNoLit(st, func(n ast.Node) {
				if found != nil {
					return
				}
				switch n := n.(type) {
				case *ast.CallExpr:
					found = e.checkCall(fset, n, local)
				case *ast.AssignStmt:
					if len(n.Rhs) == 1 && len(n.Lhs) > 0 {
						found = e.checkResults(fset, n.Rhs[0], len(n.Lhs), local)
					}
				case *ast.ValueSpec:
					if len(n.Values) == 1 {
						found = e.checkResults(fset, n.Values[0], len(n.Names), local)
					}
				}
			})
			if found != nil {
				return found
			}
			// What the statement declares, for the statements after it.
			for name, x := range definitions(st) {
				t, ok := reflect.Type(nil), false
				if x != nil {
					t, ok = e.staticType(x, local)
				}
				if ok {
					local[name] = t
				} else {
					local[name] = nil
				}
			}
		}
	}
	return nil
}

// definitions lists the names a top-level statement declares, with their
// value expression when there is one per name.
func definitions(st ast.Stmt) map[string]ast.Expr {
	out := map[string]ast.Expr{}
	switch s := st.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE {
			break
		}
		for i, l := range s.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
				if len(s.Lhs) == len(s.Rhs) {
					out[id.Name] = s.Rhs[i]
				} else {
					out[id.Name] = nil
				}
			}
		}
	case *ast.DeclStmt:
		if gd, ok := s.Decl.(*ast.GenDecl); ok {
			for _, sp := range gd.Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok {
					for _, id := range vs.Names {
						out[id.Name] = nil
					}
				}
			}
		}
	}
	return out
}

// compiledFunc is the type of a call's function when it is a compiled
// package function or a method of a compiled value.
func (e *Engine) compiledFunc(fun ast.Expr, local map[string]reflect.Type) (reflect.Type, bool) {
	if _, ok := fun.(*ast.SelectorExpr); !ok {
		return nil, false
	}
	t, ok := e.staticType(fun, local)
	if !ok || t.Kind() != reflect.Func || !compiledType(t) {
		return nil, false
	}
	return t, true
}

// checkCall checks a call's arguments against the parameters.
func (e *Engine) checkCall(fset *token.FileSet, call *ast.CallExpr, local map[string]reflect.Type) *Error {
	ft, ok := e.compiledFunc(call.Fun, local)
	if !ok {
		return nil
	}
	name := exprText(fset, call.Fun)
	nIn := ft.NumIn()
	if len(call.Args) == 1 && nIn != 1 {
		if _, isCall := call.Args[0].(*ast.CallExpr); isCall {
			return nil // f(g()) with several results of g
		}
	}
	for i, a := range call.Args {
		var want reflect.Type
		spread := call.Ellipsis.IsValid() && i == len(call.Args)-1
		switch {
		case ft.IsVariadic() && i >= nIn-1 && !spread:
			want = ft.In(nIn - 1).Elem()
		case i < nIn:
			want = ft.In(i)
		default:
			return nil // too many arguments: yaegi says so itself
		}
		got, ok := e.staticType(a, local)
		if !ok || !compiledType(got) {
			continue
		}
		if lit, isLit := a.(*ast.BasicLit); isLit {
			// An untyped string constant.
			if lit.Kind == token.STRING && (want.Kind() == reflect.String || want.Kind() == reflect.Interface && reflect.TypeOf("").Implements(want)) {
				continue
			}
		}
		if got.AssignableTo(want) || want.Kind() == reflect.Interface && got.Implements(want) {
			continue
		}
		what := "value"
		if _, isIdent := a.(*ast.Ident); isIdent {
			what = "variable"
		}
		msg := fmt.Sprintf("cannot use %s (%s of type %s) as %s value in argument to %s", exprText(fset, a), what, typeName(got), typeName(want), name)
		if spread && want.Kind() == reflect.Slice && want.Elem().Kind() == reflect.Interface && got.Kind() == reflect.Slice {
			msg += fmt.Sprintf(" (a []%s does not convert to []%s: copy it into a %s first, or pass the elements one by one)", typeName(got.Elem()), typeName(want.Elem()), typeName(want))
		}
		return &Error{Pos: e.posOf(fset, a.Pos()), Kind: CompileError, Msg: msg}
	}
	return nil
}

// checkResults checks that n variables receive the results of x when x is
// a call of a compiled function.
func (e *Engine) checkResults(fset *token.FileSet, x ast.Expr, n int, local map[string]reflect.Type) *Error {
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return nil
	}
	ft, ok := e.compiledFunc(call.Fun, local)
	if !ok || ft.NumOut() == n {
		return nil
	}
	name := exprText(fset, call.Fun)
	if ft.NumOut() == 0 {
		return &Error{Pos: e.posOf(fset, call.Pos()), Kind: CompileError, Msg: fmt.Sprintf("%s() (no value) used as value", name)}
	}
	vars := "variables"
	if n == 1 {
		vars = "variable"
	}
	vals := "values"
	if ft.NumOut() == 1 {
		vals = "value"
	}
	return &Error{Pos: e.posOf(fset, call.Pos()), Kind: CompileError,
		Msg: fmt.Sprintf("assignment mismatch: %d %s but %s returns %d %s", n, vars, name, ft.NumOut(), vals)}
}

// typeName spells a type as Go source does.
func typeName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "interface {}", "any")
}
