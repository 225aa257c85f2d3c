package repl

import (
	"go/ast"
	"reflect"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gopm-dev/gopm/pm"
)

// contextMethod names a compiled method that runs long, an option function of its package,
// and the capture builtin whose result the option takes.
type contextMethod struct {
	pkg     string // import path of the package
	name    string // its package name (the key suffix in the symbols)
	typ     string // receiver type, by its name in the package
	method  string
	option  string // func(T) Option in the same package
	capture string // the capture builtin giving the T
}

// contextMethods lists the options the engine passes to calls without the user writing them:
// the cell's context, so that Ctrl-C stops pm's sampler (which returns its partial trace), and
// a progress callback, so that the front-end draws progress bars.
func (e *Engine) contextMethods() []contextMethod {
	ms := []contextMethod{
		{pkg: "github.com/gopm-dev/gopm/pm", name: "pm", typ: "Model", method: "Sample", option: "Context", capture: "CellContext"},
	}
	if e.opts.OnProgress != nil {
		ms = append(ms, contextMethod{pkg: "github.com/gopm-dev/gopm/pm", name: "pm", typ: "Model", method: "Sample", option: "Progress", capture: "CellProgress"})
	}
	return ms
}

// injectContext appends pkg.Option(cell context) to calls v.Method(...)
// in a run, where v is a variable of the session holding the receiver
// type and the call does not already pass that option. It runs just
// before the run compiles, when the variables of earlier runs exist.
func (e *Engine) injectContext(r *run) {
	if r.decl {
		return
	}
	for _, cm := range e.contextMethods() {
		syms := e.exports[cm.pkg+"/"+cm.name]
		typVal, okT := syms[cm.typ]
		if _, okO := syms[cm.option]; !okT || !okO {
			continue
		}
		recvType := typVal.Type() // *T: yaegi stores types as (*T)(nil)
		pkgName := ""
		for n, p := range e.imports {
			if p == cm.pkg {
				pkgName = n
			}
		}
		if pkgName == "" {
			continue
		}
		ast.Inspect(r.block, func(n ast.Node) bool {
			if fl, ok := n.(*ast.FuncLit); ok {
				return e.wrappers[fl] // other literals' variables are not the session's
			}
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != cm.method {
				return true
			}
			recv, ok := sel.X.(*ast.Ident)
			if !ok || !e.names[recv.Name] {
				return true
			}
			v, ok := e.evalChain(recv.Name)
			if !ok || v.Type() != recvType {
				return true
			}
			for _, a := range call.Args {
				if c, ok := a.(*ast.CallExpr); ok {
					if s, ok := c.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == cm.option {
						return true // the user passed the option
					}
				}
			}
			p := call.Rparen
			call.Args = append(call.Args, &ast.CallExpr{
				Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: p, Name: pkgName}, Sel: &ast.Ident{NamePos: p, Name: cm.option}},
				Lparen: p,
				Args: []ast.Expr{&ast.CallExpr{
					Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: p, Name: captureName}, Sel: &ast.Ident{NamePos: p, Name: cm.capture}},
					Lparen: p, Rparen: p,
				}},
				Rparen: p,
			})
			return true
		})
	}
}

// wrapSampleCalls makes every call v.Sample(...) on a *pm.Model variable of
// the session, in the run's top-level code, print the trace's warnings when
// it returns: the call becomes __pmrepl.SampleWarnings(v.Sample(...)), which
// passes both results through. It runs after injectContext, when the
// variables of earlier runs exist.
func (e *Engine) wrapSampleCalls(r *run) {
	if r.decl {
		return
	}
	modelType := reflect.TypeOf((*pm.Model)(nil))
	astutil.Apply(r.block, func(c *astutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.FuncLit:
			return e.wrappers[n] // only the engine's own wrappers run in the session's scope
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Sample" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == captureName {
				return true
			}
			recv, ok := sel.X.(*ast.Ident)
			if !ok || !e.names[recv.Name] {
				return true
			}
			if v, ok := e.evalChain(recv.Name); !ok || v.Type() != modelType {
				return true
			}
			p := n.Pos()
			c.Replace(&ast.CallExpr{
				Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: p, Name: captureName}, Sel: &ast.Ident{NamePos: p, Name: "SampleWarnings"}},
				Lparen: p, Args: []ast.Expr{n}, Rparen: n.End(),
			})
			return false
		}
		return true
	}, nil)
}

// sampleWarnings prints a trace's warnings (divergences, R-hat, ESS, BFMI,
// failed chains) on the cell's stderr, one per line, after the text the
// cell wrote before, and passes Sample's results through.
func (e *Engine) sampleWarnings(tr *pm.Trace, err error) (*pm.Trace, error) {
	if tr != nil && len(tr.Warnings) > 0 {
		e.stdout.flush()
		e.stderr.flush()
		for _, w := range tr.Warnings {
			e.emitText("stderr", "warning: "+w+"\n")
		}
	}
	return tr, err
}
