package repl

import (
	"go/ast"
	"go/token"
	"strconv"
)

// tempPrefix starts the names of the temporaries splitTupleAssigns writes.
const tempPrefix = "__pmrepl_v"

// splitTupleAssigns rewrites every tuple assignment with a function call on
// its right,
//
//	a[i], b[i] = math.Sqrt(x), float64(i)
//
// into single assignments from temporaries that hold the right-hand values,
//
//	{ __pmrepl_v0 := math.Sqrt(x); __pmrepl_v1 := float64(i); a[i] = __pmrepl_v0; b[i] = __pmrepl_v1 }
//
// yaegi v0.16.1 gets the first form wrong without a word: every target after
// the first keeps its old value or gets another target's value (b stays
// zero above). Go evaluates all right-hand values before it assigns any;
// the temporaries keep that. Untyped constants (3, "z", math.Pi) stay in
// place, so that they still take the target's type. A statement whose
// targets depend on each other (i, a[i] = f(), 2), or whose targets call
// functions, is left as written: splitting it could change which element
// is assigned.
func splitTupleAssigns(root ast.Node) {
	n := 0
	split := func(list []ast.Stmt) {
		for i, st := range list {
			as, ok := st.(*ast.AssignStmt)
			if !ok || as.Tok != token.ASSIGN || len(as.Lhs) < 2 || len(as.Lhs) != len(as.Rhs) {
				continue
			}
			if b := splitAssign(as, &n); b != nil {
				list[i] = b
			}
		}
	}
	ast.Inspect(root, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.BlockStmt:
			split(x.List)
		case *ast.CaseClause:
			split(x.Body)
		case *ast.CommClause:
			split(x.Body)
		}
		return true
	})
}

// splitAssign returns the block that replaces as, or nil to keep it.
func splitAssign(as *ast.AssignStmt, n *int) *ast.BlockStmt {
	calls := false
	for _, r := range as.Rhs {
		calls = calls || hasCall(r)
	}
	if !calls {
		return nil // yaegi assigns these right (swaps, constants)
	}
	targets := map[string]bool{}
	for _, l := range as.Lhs {
		if hasCall(l) {
			return nil
		}
		if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
			targets[id.Name] = true
		}
	}
	for _, l := range as.Lhs {
		if _, ok := l.(*ast.Ident); ok {
			continue
		}
		if mentions(l, targets) {
			return nil
		}
	}
	// Names the targets mention: a right-hand value naming one of them is
	// read into a temporary, since the assignments may change it.
	onLeft := map[string]bool{}
	for _, l := range as.Lhs {
		ast.Inspect(l, func(x ast.Node) bool {
			if id, ok := x.(*ast.Ident); ok {
				onLeft[id.Name] = true
			}
			return true
		})
	}
	p := as.Pos()
	b := &ast.BlockStmt{Lbrace: p, Rbrace: as.End()}
	vals := make([]ast.Expr, len(as.Rhs))
	for k, r := range as.Rhs {
		if untypedConst(r, onLeft) {
			vals[k] = r
			continue
		}
		name := tempPrefix + strconv.Itoa(*n)
		*n++
		b.List = append(b.List, &ast.AssignStmt{
			Lhs: []ast.Expr{&ast.Ident{NamePos: r.Pos(), Name: name}}, TokPos: r.Pos(), Tok: token.DEFINE,
			Rhs: []ast.Expr{r},
		})
		vals[k] = &ast.Ident{NamePos: r.Pos(), Name: name}
	}
	for k, l := range as.Lhs {
		b.List = append(b.List, &ast.AssignStmt{Lhs: []ast.Expr{l}, TokPos: as.TokPos, Tok: token.ASSIGN, Rhs: []ast.Expr{vals[k]}})
	}
	return b
}

// mentions reports an identifier of names in x.
func mentions(x ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && names[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// untypedConst reports an expression that may be an untyped constant and
// cannot change while the assignment runs: literals, names that the
// targets do not mention, qualified names (math.Pi), and operators on those. Such a
// value must stay in place: a temporary would fix its type too early.
func untypedConst(x ast.Expr, onLeft map[string]bool) bool {
	switch x := x.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return !onLeft[x.Name]
	case *ast.SelectorExpr:
		_, pkg := x.X.(*ast.Ident)
		return pkg && !onLeft[x.X.(*ast.Ident).Name]
	case *ast.ParenExpr:
		return untypedConst(x.X, onLeft)
	case *ast.UnaryExpr:
		return x.Op != token.AND && x.Op != token.ARROW && untypedConst(x.X, onLeft)
	case *ast.BinaryExpr:
		return untypedConst(x.X, onLeft) && untypedConst(x.Y, onLeft)
	}
	return false
}
