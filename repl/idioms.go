package repl

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// This file makes everyday Go that yaegi v0.16.1 gets wrong at a cell's top
// level work, by rewriting the cell before it compiles.

// wrapBlocks puts a top-level compound statement (for, if, switch, select,
// a block) that defines variables somewhere inside,
//
//	for _, x := range xs { v, err := f(x); ... }
//
// into a function literal called at once. At the top level yaegi v0.16.1
// loses variables defined several from one value ("undefined: v"), and a
// variable defined in the statement overwrites a session variable of the
// same name instead of shadowing it (after i := 0 and for i := 0; i < 3;
// i++ {}, i was 3; if x := 2; ... {} changed x): inside a function it gets
// both right.
// The statement declares nothing outside itself, so its meaning is kept:
// globals are reached through the closure, and the literal is marked as the
// engine's own so that pm calls in it still get the cell's context.
func (e *Engine) wrapBlocks(block *ast.BlockStmt) {
	for i, st := range block.List {
		switch st.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
			*ast.SelectStmt, *ast.BlockStmt, *ast.LabeledStmt:
		default:
			continue
		}
		if !hasDefine(st) {
			continue
		}
		p := st.Pos()
		lit := &ast.FuncLit{
			Type: &ast.FuncType{Func: p, Params: &ast.FieldList{Opening: p, Closing: p}},
			Body: &ast.BlockStmt{Lbrace: p, List: []ast.Stmt{st}, Rbrace: st.End()},
		}
		e.wrappers[lit] = true
		block.List[i] = &ast.ExprStmt{X: &ast.CallExpr{Fun: lit, Lparen: st.End(), Rparen: st.End()}}
	}
}

// hasDefine reports a definition (:=, var, a range with :=) in st, outside
// function literals.
func hasDefine(st ast.Stmt) bool {
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			found = found || n.Tok == token.DEFINE
		case *ast.RangeStmt:
			found = found || n.Tok == token.DEFINE
		case *ast.ValueSpec:
			found = true
		case *ast.TypeSwitchStmt:
			if as, ok := n.Assign.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
				found = true
			}
		}
		return !found
	})
	return found
}

// fixCompiledIndex rewrites index expressions in a top-level definition,
//
//	w := xs[0]   ->   w := __pmrepl.T1(xs[0])
//
// where xs holds a slice, array or map of a compiled type (a result of
// compiled code, such as strings.Fields or backend's Function.Call). yaegi
// cannot tell the element type of such a value when it declares a global,
// and fails with "constant definition loop". The conversion to the element's
// own type, registered under a hidden name, changes nothing but tells it.
// It runs just before the run compiles, when the values of earlier runs
// exist to read the types from.
func (e *Engine) fixCompiledIndex(r *run) {
	if r.decl || len(r.block.List) != 1 {
		return
	}
	var rhs []ast.Expr
	switch st := r.block.List[0].(type) {
	case *ast.AssignStmt:
		if st.Tok != token.DEFINE || (len(st.Lhs) == 2 && len(st.Rhs) == 1) {
			return
		}
		rhs = st.Rhs
	default:
		return
	}
	for i := range rhs {
		rhs[i] = e.convertIndexes(rhs[i])
	}
}

// convertIndexes wraps the index expressions in x whose base has a known
// compiled type in a conversion to their element type.
func (e *Engine) convertIndexes(x ast.Expr) ast.Expr {
	switch n := x.(type) {
	case *ast.FuncLit:
		return x
	case *ast.ParenExpr:
		n.X = e.convertIndexes(n.X)
	case *ast.BinaryExpr:
		n.X, n.Y = e.convertIndexes(n.X), e.convertIndexes(n.Y)
	case *ast.UnaryExpr:
		n.X = e.convertIndexes(n.X)
	case *ast.StarExpr:
		n.X = e.convertIndexes(n.X)
	case *ast.SelectorExpr:
		n.X = e.convertIndexes(n.X)
	case *ast.CallExpr:
		for i := range n.Args {
			n.Args[i] = e.convertIndexes(n.Args[i])
		}
		n.Fun = e.convertIndexes(n.Fun)
	case *ast.IndexExpr:
		n.Index = e.convertIndexes(n.Index)
		t, ok := e.staticType(n.X, nil)
		if !ok {
			n.X = e.convertIndexes(n.X)
			return n
		}
		var elem reflect.Type
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			elem = t.Elem()
		case reflect.Pointer:
			if t.Elem().Kind() == reflect.Array {
				elem = t.Elem().Elem()
			}
		}
		if elem == nil || !compiledType(elem) {
			return n
		}
		name, ok := e.hiddenType(elem)
		if !ok {
			return n
		}
		p := n.Pos()
		return &ast.CallExpr{
			Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: p, Name: captureName}, Sel: &ast.Ident{NamePos: p, Name: name}},
			Lparen: p, Args: []ast.Expr{n}, Rparen: n.End(),
		}
	}
	return x
}

// hiddenType registers t in the engine's hidden package and returns its
// name there.
func (e *Engine) hiddenType(t reflect.Type) (string, bool) {
	if name, ok := e.hidden[t]; ok {
		return name, true
	}
	name := "T" + strconv.Itoa(len(e.hidden)+1)
	err := e.in.Use(interp.Exports{capturePath + "/capture": {name: reflect.Zero(reflect.PointerTo(t))}})
	if err != nil {
		return "", false
	}
	e.hidden[t] = name
	return name, true
}

// compiledType reports whether t is made only of compiled types (not of
// types the interpreter built for a cell's struct declarations), so that
// yaegi can take it as a type of a compiled package.
func compiledType(t reflect.Type) bool {
	if t.Name() != "" {
		return t.PkgPath() != "main" && !strings.HasPrefix(t.PkgPath(), "github.com/traefik/yaegi")
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer, reflect.Chan:
		return compiledType(t.Elem())
	case reflect.Map:
		return compiledType(t.Key()) && compiledType(t.Elem())
	case reflect.Interface:
		return t.NumMethod() == 0
	case reflect.Func:
		for i := 0; i < t.NumIn(); i++ {
			if !compiledType(t.In(i)) {
				return false
			}
		}
		for i := 0; i < t.NumOut(); i++ {
			if !compiledType(t.Out(i)) {
				return false
			}
		}
		return true
	}
	return false // struct types without a name are the interpreter's
}

// staticType finds the type of x without running anything that could have
// an effect: session variables and fields (read from their values), members
// of compiled packages, results of calls of compiled functions and methods,
// index expressions, literals of known types. local holds the types of
// variables the cell declared so far (nil for an unknown type, which hides a
// session variable of the same name).
func (e *Engine) staticType(x ast.Expr, local map[string]reflect.Type) (reflect.Type, bool) {
	switch n := x.(type) {
	case *ast.ParenExpr:
		return e.staticType(n.X, local)
	case *ast.Ident:
		if t, ok := local[n.Name]; ok {
			return t, t != nil
		}
		if !e.names[n.Name] {
			return nil, false
		}
		v, ok := e.globalValue(n.Name)
		if !ok {
			return nil, false
		}
		return v.Type(), true
	case *ast.SelectorExpr:
		if id, ok := n.X.(*ast.Ident); ok {
			if _, shadowed := local[id.Name]; !shadowed {
				if path, ok := e.importPath(id.Name); ok {
					return e.memberType(path, n.Sel.Name)
				}
			}
		}
		t, ok := e.staticType(n.X, local)
		if !ok {
			return nil, false
		}
		if m, ok := t.MethodByName(n.Sel.Name); ok {
			if t.Kind() == reflect.Interface {
				return m.Type, true // an interface's methods have no receiver
			}
			return methodValueType(m.Type), true
		}
		if t.Kind() != reflect.Pointer {
			if m, ok := reflect.PointerTo(t).MethodByName(n.Sel.Name); ok {
				return methodValueType(m.Type), true
			}
		}
		st := t
		if st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		if st.Kind() == reflect.Struct && compiledType(st) {
			if f, ok := st.FieldByName(n.Sel.Name); ok && f.IsExported() {
				return f.Type, true
			}
		}
	case *ast.CallExpr:
		t, ok := e.staticType(n.Fun, local)
		if !ok || t.Kind() != reflect.Func || t.NumOut() == 0 {
			return nil, false
		}
		return t.Out(0), true
	case *ast.IndexExpr:
		t, ok := e.staticType(n.X, local)
		if !ok {
			return nil, false
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			return t.Elem(), true
		case reflect.String:
			return reflect.TypeOf(byte(0)), true
		}
	case *ast.BasicLit:
		// The default type of an untyped constant: what := gives it.
		switch n.Kind {
		case token.STRING:
			return reflect.TypeOf(""), true
		case token.INT:
			return reflect.TypeOf(0), true
		case token.FLOAT:
			return reflect.TypeOf(0.0), true
		case token.CHAR:
			return reflect.TypeOf(rune(0)), true
		}
	case *ast.CompositeLit:
		return e.typeExpr(n.Type)
	}
	return nil, false
}

// importPath is the path of the package a cell refers to as name: an
// import of the session or of the cell being checked.
func (e *Engine) importPath(name string) (string, bool) {
	if p, ok := e.imports[name]; ok {
		return p, true
	}
	p, ok := e.cellImports[name]
	return p, ok
}

// memberType is the type of a compiled package's function or variable.
func (e *Engine) memberType(path, name string) (reflect.Type, bool) {
	v, ok := e.exports[path+"/"+e.pkgNames[path]][name]
	if !ok || !v.IsValid() {
		return nil, false
	}
	// yaegi's tables hold a variable as an addressable value
	// (reflect.ValueOf(&v).Elem()), a function as its value, a type as a
	// nil pointer to it and a constant as a constant.Value.
	switch {
	case v.CanAddr():
		return v.Type(), true
	case v.Kind() == reflect.Func:
		return v.Type(), true
	}
	return nil, false
}

// typeExpr resolves a type written in a cell when it names only predeclared
// and compiled types.
func (e *Engine) typeExpr(x ast.Expr) (reflect.Type, bool) {
	switch n := x.(type) {
	case *ast.Ident:
		if _, shadowed := e.names[n.Name]; shadowed {
			return nil, false
		}
		t, ok := predeclaredTypes[n.Name]
		return t, ok
	case *ast.SelectorExpr:
		id, ok := n.X.(*ast.Ident)
		if !ok {
			return nil, false
		}
		path, ok := e.importPath(id.Name)
		if !ok {
			return nil, false
		}
		v, ok := e.exports[path+"/"+e.pkgNames[path]][n.Sel.Name]
		if !ok || !v.IsValid() || v.Kind() != reflect.Pointer || !v.IsNil() {
			return nil, false
		}
		return v.Type().Elem(), true
	case *ast.StarExpr:
		t, ok := e.typeExpr(n.X)
		if !ok {
			return nil, false
		}
		return reflect.PointerTo(t), true
	case *ast.ArrayType:
		el, ok := e.typeExpr(n.Elt)
		if !ok || n.Len != nil {
			return nil, false
		}
		return reflect.SliceOf(el), true
	case *ast.MapType:
		k, ok1 := e.typeExpr(n.Key)
		v, ok2 := e.typeExpr(n.Value)
		if !ok1 || !ok2 {
			return nil, false
		}
		return reflect.MapOf(k, v), true
	case *ast.InterfaceType:
		if len(n.Methods.List) == 0 {
			return reflect.TypeOf((*any)(nil)).Elem(), true
		}
	}
	return nil, false
}

var predeclaredTypes = map[string]reflect.Type{
	"bool": reflect.TypeOf(false), "string": reflect.TypeOf(""), "int": reflect.TypeOf(0),
	"int8": reflect.TypeOf(int8(0)), "int16": reflect.TypeOf(int16(0)), "int32": reflect.TypeOf(int32(0)),
	"int64": reflect.TypeOf(int64(0)), "uint": reflect.TypeOf(uint(0)), "uint8": reflect.TypeOf(uint8(0)),
	"uint16": reflect.TypeOf(uint16(0)), "uint32": reflect.TypeOf(uint32(0)), "uint64": reflect.TypeOf(uint64(0)),
	"float32": reflect.TypeOf(float32(0)), "float64": reflect.TypeOf(0.0), "byte": reflect.TypeOf(byte(0)),
	"rune": reflect.TypeOf(rune(0)), "any": reflect.TypeOf((*any)(nil)).Elem(),
	"error": reflect.TypeOf((*error)(nil)).Elem(), "complex128": reflect.TypeOf(complex128(0)),
}

// methodValueType drops the receiver of a method's function type.
func methodValueType(t reflect.Type) reflect.Type {
	in := make([]reflect.Type, 0, t.NumIn())
	for i := 1; i < t.NumIn(); i++ {
		in = append(in, t.In(i))
	}
	out := make([]reflect.Type, 0, t.NumOut())
	for i := 0; i < t.NumOut(); i++ {
		out = append(out, t.Out(i))
	}
	return reflect.FuncOf(in, out, t.IsVariadic())
}

// globalValue reads a session variable. Reading a name has no effect.
func (e *Engine) globalValue(name string) (v reflect.Value, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v, err := e.in.Eval(name)
	if err != nil || !v.IsValid() {
		return reflect.Value{}, false
	}
	return v, true
}

// undefinedSelectors reports X in X.Sel when nothing declares X: yaegi's
// compiler crashes on some such statements (a nil pointer dereference) and
// leaves the session damaged, so the name is refused before it compiles,
// with the import that defines it when X is a package that can be imported.
func (e *Engine) undefinedSelectors(fset *token.FileSet, runs []*run) *Error {
	local := e.collectKinds(runs)
	cellImports := map[string]bool{}
	for _, r := range runs {
		if !r.decl {
			continue
		}
		for _, imp := range r.file.Imports {
			if imp.Name != nil {
				if imp.Name.Name == "." {
					return nil // a dot import: names cannot be told apart without types
				}
				cellImports[imp.Name.Name] = true
				continue
			}
			path, _ := strconv.Unquote(imp.Path.Value)
			cellImports[e.pkgNames[path]] = true
		}
	}
	var found *Error
	for _, r := range runs {
		ast.Inspect(r.node(), func(n ast.Node) bool {
			if found != nil {
				return false
			}
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok || e.knownName(id.Name, local) || cellImports[id.Name] {
				return true
			}
			msg := "undefined: " + id.Name
			if paths := e.pathsNamed(id.Name); len(paths) > 0 {
				msg += fmt.Sprintf(" (import %q first)", paths[0])
			}
			found = &Error{Pos: e.posOf(fset, id.Pos()), Kind: CompileError, Msg: msg}
			return false
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// knownName reports whether name is declared: in the cell, in the session,
// as an import or as a predeclared identifier.
func (e *Engine) knownName(name string, local scopeKinds) bool {
	if _, ok := local[name]; ok || e.names[name] {
		return true
	}
	if _, ok := e.imports[name]; ok {
		return true
	}
	for _, lists := range [][]string{predeclared, builtinIdents} {
		for _, p := range lists {
			if p == name {
				return true
			}
		}
	}
	return len(name) > 2 && name[:2] == "__"
}

// pathsNamed lists the loadable packages whose name is name.
func (e *Engine) pathsNamed(name string) []string {
	var out []string
	for p, n := range e.pkgNames {
		if n == name && p != builtinsPath && p != capturePath {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
