package repl

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/backend"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// renamedMain is what a user's main function is called inside the
// interpreter: yaegi runs a global main after every later compilation, so
// a cell that declares main would otherwise re-run it on every cell.
const renamedMain = "__pmmain"

// captureName is the package name of the engine's hidden helpers
// (capturing the last values, reporting goroutine panics).
const captureName = "__pmrepl"

// intTypes are the identifiers whose conversions give an integer.
var intTypes = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"uintptr": true, "byte": true, "rune": true,
}

// scopeKinds approximates, without type checking, what the names declared
// in a cell are: "int", "func", "type" or "" (something else or
// unknown). It is used only to recognise constructs yaegi crashes on.
type scopeKinds map[string]string

// exprKind classifies an expression as "int", "func" or "".
func (e *Engine) exprKind(x ast.Expr, local scopeKinds) string {
	switch x := x.(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			return "int"
		}
	case *ast.ParenExpr:
		return e.exprKind(x.X, local)
	case *ast.FuncLit:
		return "func"
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			if e.exprKind(x.X, local) == "int" || e.exprKind(x.Y, local) == "int" {
				return "int"
			}
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			if _, shadowed := local[id.Name]; !shadowed && !e.names[id.Name] {
				if id.Name == "len" || id.Name == "cap" || intTypes[id.Name] {
					return "int"
				}
			}
		}
	case *ast.Ident:
		if k, ok := local[x.Name]; ok {
			return k
		}
		if e.names[x.Name] {
			return e.globalKind(x.Name)
		}
	}
	return ""
}

// globalKind asks the interpreter for the kind of a global declared by an
// earlier cell. Evaluating a bare identifier has no side effects.
func (e *Engine) globalKind(name string) (kind string) {
	defer func() {
		if recover() != nil {
			kind = ""
		}
	}()
	v, err := e.in.Eval(name)
	if err != nil || !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "int"
	case reflect.Func:
		return "func"
	}
	return ""
}

// collectKinds gathers the names a cell declares, with their kinds when
// they are evident from the source.
func (e *Engine) collectKinds(runs []*run) scopeKinds {
	local := scopeKinds{}
	typeKind := func(t ast.Expr) string {
		switch t := t.(type) {
		case *ast.Ident:
			if intTypes[t.Name] {
				return "int"
			}
		case *ast.FuncType:
			return "func"
		}
		return ""
	}
	for _, r := range runs {
		ast.Inspect(r.node(), func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Recv == nil {
					local[n.Name.Name] = "func"
				}
			case *ast.TypeSpec:
				local[n.Name.Name] = "type"
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
							k := ""
							if len(n.Rhs) == len(n.Lhs) {
								k = e.exprKind(n.Rhs[i], local)
							}
							local[id.Name] = k
						}
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					k := ""
					if n.Type != nil {
						k = typeKind(n.Type)
					} else if len(n.Values) == len(n.Names) {
						k = e.exprKind(n.Values[i], local)
					}
					local[id.Name] = k
				}
			case *ast.Field:
				for _, id := range n.Names {
					local[id.Name] = typeKind(n.Type)
				}
			case *ast.RangeStmt:
				for _, x := range []ast.Expr{n.Key, n.Value} {
					if id, ok := x.(*ast.Ident); ok {
						local[id.Name] = ""
					}
				}
			}
			return true
		})
	}
	return local
}

// guard rejects, before yaegi sees them, constructs that yaegi v0.16.1
// crashes on or silently lacks, with the spelling that works.
func (e *Engine) guard(fset *token.FileSet, runs []*run) *Error {
	local := e.collectKinds(runs)
	var found *Error
	cellTypes := map[string]string{}
	for _, r := range runs {
		if r.decl {
			// yaegi keeps the first definition of a type: a new one would
			// silently not take effect ("unknown field" later).
			for _, d := range r.file.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, sp := range gd.Specs {
					ts := sp.(*ast.TypeSpec)
					text := typeText(fset, ts)
					old, ok := e.typeDefs[ts.Name.Name]
					if o, inCell := cellTypes[ts.Name.Name]; inCell {
						old, ok = o, true
					}
					if ok && old != text {
						return e.unsupported(fset, ts.Pos(), fmt.Sprintf("type %s was declared differently before and the interpreter cannot change it; use a new name, or reset the session (:reset)", ts.Name.Name))
					}
					cellTypes[ts.Name.Name] = text
				}
			}
			continue
		}
		// yaegi keeps a top-level defer on its global frame and runs it
		// again at the end of every later run.
		ast.Inspect(r.block, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				if found == nil {
					found = e.unsupported(fset, n.Pos(), "defer at the top level of a cell is not supported by the interpreter (it would run again after every later cell); put it inside a function")
				}
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	for _, r := range runs {
		ast.Inspect(r.node(), func(n ast.Node) bool {
			if found != nil {
				return false
			}
			switch n := n.(type) {
			case *ast.RangeStmt:
				switch e.exprKind(n.X, local) {
				case "int":
					found = e.unsupported(fset, n.X.Pos(), "range over an integer (Go 1.22) is not supported by the interpreter; write: for i := 0; i < n; i++ { ... }")
				case "func":
					found = e.unsupported(fset, n.X.Pos(), "range over a function (Go 1.23 iterators) is not supported by the interpreter; call it with a yield function instead: seq(func(v T) bool { ...; return true })")
				}
			case *ast.CallExpr:
				id, ok := n.Fun.(*ast.Ident)
				if !ok {
					break
				}
				if _, declared := local[id.Name]; declared || e.names[id.Name] {
					break
				}
				switch id.Name {
				case "min", "max":
					fn := "math.Min"
					if id.Name == "max" {
						fn = "math.Max"
					}
					found = e.unsupported(fset, n.Pos(), fmt.Sprintf("the %s builtin (Go 1.21) is not available in the interpreter; use %s(a, b) for float64, or declare your own: func %s(a, b int) int { ... }", id.Name, fn, id.Name))
				case "clear":
					found = e.unsupported(fset, n.Pos(), "the clear builtin (Go 1.21) is not available in the interpreter; assign a fresh map or slice, or delete keys in a loop")
				}
			case *ast.SelectorExpr:
				// (*T).M and T.M for a type T declared in a cell: method
				// expressions panic inside yaegi.
				isMethodExpr := false
				if p, ok := n.X.(*ast.ParenExpr); ok {
					if s, ok := p.X.(*ast.StarExpr); ok {
						if _, ok := s.X.(*ast.Ident); ok {
							isMethodExpr = true
						}
					}
				}
				if id, ok := n.X.(*ast.Ident); ok && (local[id.Name] == "type" || e.types[id.Name]) {
					isMethodExpr = true
				}
				if isMethodExpr {
					found = e.unsupported(fset, n.Pos(), "method expressions are not supported by the interpreter; use a method value (v.M) or a function literal: func(t *T) R { return t.M() }")
				}
			}
			return true
		})
		if found != nil {
			return found
		}
	}
	return nil
}

func (e *Engine) unsupported(fset *token.FileSet, p token.Pos, msg string) *Error {
	return &Error{Pos: e.posOf(fset, p), Kind: UnsupportedError, Msg: msg}
}

// posOf converts a parser position (carrying the unit's directive) into the
// user's position.
func (e *Engine) posOf(fset *token.FileSet, p token.Pos) Pos {
	if !p.IsValid() {
		return Pos{}
	}
	return e.parsePos(fset.Position(p).String())
}

// rewrite adjusts the parsed runs so yaegi runs them as Go would: it drops
// imports the session already has, renames main, gives loop variables
// captured by closures Go 1.22 per-iteration semantics, and makes panics
// in goroutines reports instead of process crashes.
func (e *Engine) rewrite(fset *token.FileSet, runs []*run) ([]*run, *Error) {
	var out []*run
	for _, r := range runs {
		if r.decl {
			if err := e.dedupeImports(fset, r.file); err != nil {
				return nil, err
			}
			e.instrumentMain(fset, r.file)
			if len(r.file.Decls) == 0 {
				continue
			}
		}
		root := r.node()
		if !r.decl {
			e.wrapBlocks(r.block)
			if err := e.fixCommaOk(fset, root); err != nil {
				return nil, err
			}
		}
		renameMain(root)
		fixLoopVars(root)
		splitTupleAssigns(root)
		guardMakes(root)
		wrapGoStmts(fset, root)
		if !r.decl && len(r.block.List) > 1 {
			// The comma-ok rewrite made several top-level statements:
			// they compile one by one, like all others.
			out = append(out, perStatement([]*run{r})...)
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// dedupeImports removes import specs the session already has (yaegi
// rejects a second import of the same name, but re-running a notebook
// cell with imports must work) and reports a name bound to another path.
func (e *Engine) dedupeImports(fset *token.FileSet, f *ast.File) *Error {
	decls := f.Decls[:0]
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			decls = append(decls, d)
			continue
		}
		specs := gd.Specs[:0]
		for _, s := range gd.Specs {
			is := s.(*ast.ImportSpec)
			path, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				specs = append(specs, s)
				continue
			}
			if is.Name != nil && is.Name.Name == "_" && linkedBackend(path) {
				continue // compiled in and registered already: the import has done its work
			}
			if _, known := e.pkgNames[path]; !known {
				return &Error{Pos: e.posOf(fset, is.Pos()), Kind: CompileError,
					Msg: fmt.Sprintf("package %q is not available in the interpreter: only the standard library and the preloaded packages (%s) can be imported", path, strings.Join(e.preloadedPaths(), ", "))}
			}
			name := e.pkgNames[path]
			if is.Name != nil {
				name = is.Name.Name
			}
			if name == "_" || name == "." {
				specs = append(specs, s)
				continue
			}
			if have, ok := e.imports[name]; ok {
				if have == path {
					continue
				}
				return &Error{Pos: e.posOf(fset, is.Pos()), Kind: CompileError,
					Msg: fmt.Sprintf("%s is already imported as %q in this session; import %q under another name: import %s2 %q", name, have, path, name, path)}
			}
			specs = append(specs, s)
		}
		if len(specs) > 0 {
			gd.Specs = specs
			decls = append(decls, gd)
		}
	}
	f.Decls = decls
	return nil
}

// linkedBackend reports whether path is a backend package of gopm that is
// compiled into this program and registered (pm/backend/vm, .../debug), so
// that `import _ "github.com/gopm-dev/gopm/pm/backend/debug"`, as compiled
// programs write it, is accepted.
func linkedBackend(path string) bool {
	const prefix = "github.com/gopm-dev/gopm/pm/backend/"
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	for _, n := range backend.Names() {
		if prefix+n == path {
			return true
		}
	}
	return false
}

// renameMain renames every reference to the identifier main (not field or
// method selectors).
func renameMain(root ast.Node) {
	sels := map[*ast.Ident]bool{}
	if f, ok := root.(*ast.File); ok {
		sels[f.Name] = true // the package clause
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			sels[n.Sel] = true
		case *ast.Ident:
			if n.Name == "main" && !sels[n] {
				n.Name = renamedMain
			}
		}
		return true
	})
}

// hasClosure reports whether body creates a function literal or starts a
// goroutine, the cases in which pre-1.22 loop variables differ.
func hasClosure(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// assigns reports whether body assigns to, increments or takes the
// address of one of names; a per-iteration copy would then break the loop.
func assigns(body ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && names[id.Name] {
					found = true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := n.X.(*ast.Ident); ok && names[id.Name] {
				found = true
			}
		case *ast.UnaryExpr:
			if id, ok := n.X.(*ast.Ident); ok && n.Op == token.AND && names[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

// loopVarPrefix names the per-iteration copies of loop variables.
const loopVarPrefix = "__pmlv_"

// fixLoopVars gives loop variables per-iteration copies (Go 1.22
// semantics; yaegi v0.16.1 shares one variable across iterations) when the
// body captures them in a closure. The copy needs a fresh name: yaegi
// mishandles a body-level `i := i` (the loop never ends, or closures still
// share one variable), so the body's references are renamed instead.
func fixLoopVars(root ast.Node) {
	copyVars := func(body *ast.BlockStmt, ids []*ast.Ident) {
		rename := map[string]string{}
		var lhs, rhs []ast.Expr
		for _, id := range ids {
			if id == nil || id.Name == "_" {
				continue
			}
			fresh := loopVarPrefix + id.Name
			rename[id.Name] = fresh
			lhs = append(lhs, &ast.Ident{NamePos: body.Lbrace, Name: fresh})
			rhs = append(rhs, &ast.Ident{NamePos: body.Lbrace, Name: id.Name})
		}
		if len(lhs) == 0 {
			return
		}
		renameIdents(body, rename)
		st := &ast.AssignStmt{Lhs: lhs, TokPos: body.Lbrace, Tok: token.DEFINE, Rhs: rhs}
		body.List = append([]ast.Stmt{st}, body.List...)
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ForStmt:
			as, ok := n.Init.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE || !hasClosure(n.Body) {
				break
			}
			var ids []*ast.Ident
			names := map[string]bool{}
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					ids = append(ids, id)
					names[id.Name] = true
				}
			}
			if !assigns(n.Body, names) {
				copyVars(n.Body, ids)
			}
		case *ast.RangeStmt:
			if n.Tok != token.DEFINE || !hasClosure(n.Body) {
				break
			}
			var ids []*ast.Ident
			names := map[string]bool{}
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok {
					ids = append(ids, id)
					names[id.Name] = true
				}
			}
			if !assigns(n.Body, names) {
				copyVars(n.Body, ids)
			}
		}
		return true
	})
}

// renameIdents renames identifiers in body, leaving field selectors and
// composite-literal keys (field names) alone.
func renameIdents(body ast.Node, rename map[string]string) {
	skip := map[*ast.Ident]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			skip[n.Sel] = true
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				skip[id] = true
			}
		case *ast.Ident:
			if to, ok := rename[n.Name]; ok && !skip[n] {
				n.Name = to
			}
		}
		return true
	})
}

// builtinNames cannot be taken as values, so go statements calling them
// are left alone.
var builtinNames = map[string]bool{
	"append": true, "cap": true, "close": true, "complex": true, "copy": true, "delete": true,
	"imag": true, "len": true, "make": true, "new": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true,
}

// wrapGoStmts turns `go f(a, b)` into
//
//	{ g, a0, a1 := f, a, b; go func() { defer func() { __pmrepl.GoPanic(recover(), pos) }(); g(a0, a1) }() }
//
// (arguments still evaluated by the caller, as in Go), because a panic in
// an interpreted goroutine would otherwise kill the whole process.
func wrapGoStmts(fset *token.FileSet, root ast.Node) {
	done := map[*ast.GoStmt]bool{}
	rewriteList := func(list []ast.Stmt) []ast.Stmt {
		for i, s := range list {
			gs, ok := s.(*ast.GoStmt)
			if !ok || done[gs] {
				continue
			}
			p := gs.Go
			id := func(name string) *ast.Ident { return &ast.Ident{NamePos: p, Name: name} }
			guard := &ast.DeferStmt{Defer: p, Call: &ast.CallExpr{Fun: &ast.FuncLit{
				Type: &ast.FuncType{Func: p, Params: &ast.FieldList{Opening: p, Closing: p}},
				Body: &ast.BlockStmt{Lbrace: p, Rbrace: p, List: []ast.Stmt{&ast.ExprStmt{X: &ast.CallExpr{
					Fun:    &ast.SelectorExpr{X: id(captureName), Sel: id("GoPanic")},
					Lparen: p, Rparen: p,
					Args: []ast.Expr{
						&ast.CallExpr{Fun: id("recover"), Lparen: p, Rparen: p},
						// Where the goroutine started: a recovered panic
						// prints no position of its own.
						&ast.BasicLit{ValuePos: p, Kind: token.STRING, Value: strconv.Quote(fset.Position(p).String())},
					},
				}}}},
			}, Lparen: p, Rparen: p}}
			if lit, ok := gs.Call.Fun.(*ast.FuncLit); ok {
				lit.Body.List = append([]ast.Stmt{guard}, lit.Body.List...)
				done[gs] = true
				continue
			}
			if fid, ok := gs.Call.Fun.(*ast.Ident); ok && builtinNames[fid.Name] {
				continue
			}
			lhs := []ast.Expr{id("__pmgo_f")}
			rhs := []ast.Expr{gs.Call.Fun}
			var args []ast.Expr
			for j, a := range gs.Call.Args {
				name := "__pmgo_a" + strconv.Itoa(j)
				lhs = append(lhs, id(name))
				rhs = append(rhs, a)
				args = append(args, id(name))
			}
			call := &ast.CallExpr{Fun: id("__pmgo_f"), Lparen: p, Args: args, Ellipsis: gs.Call.Ellipsis, Rparen: p}
			inner := &ast.GoStmt{Go: p, Call: &ast.CallExpr{Fun: &ast.FuncLit{
				Type: &ast.FuncType{Func: p, Params: &ast.FieldList{Opening: p, Closing: p}},
				Body: &ast.BlockStmt{Lbrace: p, Rbrace: p, List: []ast.Stmt{guard, &ast.ExprStmt{X: call}}},
			}, Lparen: p, Rparen: p}}
			done[inner] = true
			list[i] = &ast.BlockStmt{Lbrace: p, Rbrace: p, List: []ast.Stmt{
				&ast.AssignStmt{Lhs: lhs, TokPos: p, Tok: token.DEFINE, Rhs: rhs},
				inner,
			}}
		}
		return list
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			n.List = rewriteList(n.List)
		case *ast.CaseClause:
			n.Body = rewriteList(n.Body)
		case *ast.CommClause:
			n.Body = rewriteList(n.Body)
		}
		return true
	})
}

// undefinedName looks for the name yaegi means when it reports a
// "constant definition loop": an identifier on the right of a := that
// nothing declares. It returns "" when it cannot tell.
func (e *Engine) undefinedName(fset *token.FileSet, r *run, at Pos) (string, Pos) {
	local := e.collectKinds([]*run{r})
	known := func(name string) bool { return e.knownName(name, local) }
	var name string
	var pos Pos
	ast.Inspect(r.node(), func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || name != "" || as.Tok != token.DEFINE || e.posOf(fset, as.Pos()) != at {
			return name == ""
		}
		for _, rhs := range as.Rhs {
			skip := map[*ast.Ident]bool{}
			ast.Inspect(rhs, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					skip[n.Sel] = true
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok {
						skip[id] = true
					}
				case *ast.FuncLit:
					return false
				case *ast.Ident:
					if name == "" && !skip[n] && !known(n.Name) {
						name, pos = n.Name, e.posOf(fset, n.Pos())
					}
				}
				return name == ""
			})
		}
		return false
	})
	return name, pos
}

// typeText is a type declaration's text without spaces, to compare
// definitions.
func typeText(fset *token.FileSet, ts *ast.TypeSpec) string {
	s := printDecl(fset, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{ts}})
	return strings.Join(strings.Fields(s), "")
}

// fixCommaOk rewrites comma-ok definitions in top-level code (outside
// functions), which yaegi v0.16.1 crashes on ("nil type") or loses
// ("undefined: v"):
//
//	v, ok := m[k]   ->  v := m[k]; ok := *new(bool); v, ok = m[k]
//	v, ok := x.(T)  ->  v := *new(T); ok := *new(bool); v, ok = x.(T)
//
// A map index with calls in it would be evaluated twice, and a channel
// receive would take two values, so those get an error with the spelling
// that works.
func (e *Engine) fixCommaOk(fset *token.FileSet, root ast.Node) *Error {
	var found *Error
	isCommaOk := func(st ast.Stmt) bool {
		as, ok := st.(*ast.AssignStmt)
		return ok && as.Tok == token.DEFINE && len(as.Lhs) == 2 && len(as.Rhs) == 1
	}
	// liftInit moves a comma-ok init out of an if or switch header into a
	// block around the statement, which keeps the variables' scope.
	liftInit := func(st ast.Stmt) ast.Stmt {
		var init *ast.Stmt
		switch s := st.(type) {
		case *ast.IfStmt:
			init = &s.Init
		case *ast.SwitchStmt:
			init = &s.Init
		case *ast.TypeSwitchStmt:
			init = &s.Init
		default:
			return nil
		}
		if *init == nil || !isCommaOk(*init) {
			return nil
		}
		pre := *init
		*init = nil
		return &ast.BlockStmt{Lbrace: pre.Pos(), List: []ast.Stmt{pre, st}, Rbrace: st.End()}
	}
	var rewriteList func(list []ast.Stmt) []ast.Stmt
	rewriteList = func(list []ast.Stmt) []ast.Stmt {
		var out []ast.Stmt
		for _, st := range list {
			if b := liftInit(st); b != nil {
				out = append(out, b) // its list is rewritten when visited
				continue
			}
			if !isCommaOk(st) {
				out = append(out, st)
				continue
			}
			as := st.(*ast.AssignStmt)
			v, _ := as.Lhs[0].(*ast.Ident)
			okID, _ := as.Lhs[1].(*ast.Ident)
			if v == nil || okID == nil {
				out = append(out, st)
				continue
			}
			p := as.Pos()
			id := func(name string) *ast.Ident { return &ast.Ident{NamePos: p, Name: name} }
			// name := *new(typ): a zero value; yaegi mishandles var
			// declarations among top-level statements.
			declare := func(name string, typ ast.Expr) ast.Stmt {
				zero := &ast.StarExpr{Star: p, X: &ast.CallExpr{Fun: id("new"), Lparen: p, Args: []ast.Expr{typ}, Rparen: p}}
				return &ast.AssignStmt{Lhs: []ast.Expr{id(name)}, TokPos: p, Tok: token.DEFINE, Rhs: []ast.Expr{zero}}
			}
			assign := &ast.AssignStmt{Lhs: []ast.Expr{id(v.Name), id(okID.Name)}, TokPos: as.TokPos, Tok: token.ASSIGN, Rhs: as.Rhs}
			var first ast.Stmt
			switch x := as.Rhs[0].(type) {
			case *ast.IndexExpr:
				if hasCall(x) {
					found = e.unsupported(fset, p, "v, ok := m[k] outside a function is not supported by the interpreter when the index calls a function; compute the key first (key := f(); v, ok := m[key]) or declare the variables first: var v T; var ok bool; v, ok = m[f()]")
					out = append(out, st)
					continue
				}
				if v.Name != "_" {
					first = &ast.AssignStmt{Lhs: []ast.Expr{id(v.Name)}, TokPos: as.TokPos, Tok: token.DEFINE, Rhs: []ast.Expr{x}}
				}
			case *ast.TypeAssertExpr:
				if x.Type == nil {
					out = append(out, st)
					continue
				}
				if v.Name != "_" {
					typ := cloneType(x.Type)
					if typ == nil {
						out = append(out, st)
						continue
					}
					first = declare(v.Name, typ)
				}
			case *ast.UnaryExpr:
				if x.Op == token.ARROW {
					found = e.unsupported(fset, p, "v, ok := <-ch outside a function is not supported by the interpreter; declare the variables first: var v T; var ok bool; v, ok = <-ch")
				}
				out = append(out, st)
				continue
			default:
				out = append(out, st)
				continue
			}
			if first != nil {
				out = append(out, first)
			}
			if okID.Name != "_" {
				out = append(out, declare(okID.Name, id("bool")))
			}
			out = append(out, assign)
		}
		return out
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return false // inside functions yaegi gets it right
		case *ast.IfStmt:
			if elif, ok := n.Else.(*ast.IfStmt); ok {
				if b := liftInit(elif); b != nil {
					n.Else = b
				}
			}
		case *ast.BlockStmt:
			n.List = rewriteList(n.List)
		case *ast.CaseClause:
			n.Body = rewriteList(n.Body)
		case *ast.CommClause:
			n.Body = rewriteList(n.Body)
		}
		return found == nil
	})
	return found
}

// hasCall reports whether x calls a function (or receives), so that
// evaluating it twice could differ.
func hasCall(x ast.Node) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.ARROW
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}

// cloneType copies a type expression (an AST node must not appear twice
// in what yaegi compiles); nil for forms it does not know.
func cloneType(x ast.Expr) ast.Expr {
	switch x := x.(type) {
	case *ast.Ident:
		c := *x
		return &c
	case *ast.SelectorExpr:
		if sel := cloneType(x.X); sel != nil {
			return &ast.SelectorExpr{X: sel, Sel: &ast.Ident{NamePos: x.Sel.NamePos, Name: x.Sel.Name}}
		}
	case *ast.StarExpr:
		if el := cloneType(x.X); el != nil {
			return &ast.StarExpr{Star: x.Star, X: el}
		}
	case *ast.ArrayType:
		if x.Len == nil {
			if el := cloneType(x.Elt); el != nil {
				return &ast.ArrayType{Lbrack: x.Lbrack, Elt: el}
			}
		}
	case *ast.MapType:
		k, v := cloneType(x.Key), cloneType(x.Value)
		if k != nil && v != nil {
			return &ast.MapType{Map: x.Map, Key: k, Value: v}
		}
	case *ast.InterfaceType:
		if len(x.Methods.List) == 0 {
			return &ast.InterfaceType{Interface: x.Interface, Methods: &ast.FieldList{Opening: x.Methods.Opening, Closing: x.Methods.Closing}}
		}
	}
	return nil
}
