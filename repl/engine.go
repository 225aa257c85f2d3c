package repl

import (
	"context"
	"errors"
	"fmt"
	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/step"
	"github.com/gopm-dev/gopm/pm/tensor"
	"go/ast"
	"go/printer"
	"go/token"
	"io"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/repl/symbols"
)

// Options configure an Engine.
type Options struct {
	// OnOutput, when set, is called with every piece of output as the
	// cell produces it (for live terminals and Jupyter streams), in
	// addition to Result.Outputs. It runs with an engine lock held: it
	// must not call the engine.
	OnOutput func(Output)
	// Stdin is what interpreted fmt.Scan* read; nil means os.Stdin.
	Stdin io.Reader
	// Args is os.Args as interpreted code sees it; nil means {"pmrepl"}.
	Args []string
	// Env is the environment interpreted code sees through os.Getenv,
	// os.Environ and os.LookupEnv, as "key=value" entries; nil means the
	// process's environment (os.Environ()). Setenv in a cell changes the
	// session's copy, and the process's too for the variables gopm reads
	// (PM_BACKEND, XDG_CONFIG_HOME), so that compiled gopm code sees them.
	Env []string
	// Packages overrides the preloaded package list (symbols.Packages);
	// tests use it to load fewer packages.
	Packages []symbols.Package
	// Symbols adds compiled packages, keyed "importpath/name" as yaegi's
	// extract writes them; cells import them by path.
	Symbols map[string]map[string]reflect.Value
	// InterruptGrace is how long an interrupted cell may go on after its
	// Context is cancelled before the interpreter stops it (default 5s),
	// when something watches that context (asked for its Done channel or
	// Err); otherwise the interpreter stops the cell at once. Within it,
	// compiled code that watches the context (pm's samplers) returns its
	// partial result and the cell carries on, as PyMC does after a
	// KeyboardInterrupt in pm.sample.
	InterruptGrace time.Duration
	// OnProgress, when set, receives the progress of every chain of a pm sampling run started
	// in a cell (the engine passes pm.Progress to Model.Sample calls, as it passes
	// pm.Context): the terminal and the kernel draw progress bars with it. Calls are
	// serialized.
	OnProgress func(step.Progress)
}

// Source is code to evaluate with the name its positions are shown with.
type Source struct {
	Name string // "" gives "cell N"
	Line int    // line of Code's first byte in that file; 0 means 1
	Code string
	// Script makes each top-level statement a cell of its own: statements
	// run one by one (those before an error in a later statement have
	// run), and the value of every top-level expression statement is
	// shown as a "display" output, not only the last.
	Script bool
}

// Result is what one evaluation produced.
type Result struct {
	Cell    int      // the cell number (1, 2, ...)
	Outputs []Output // streams and Display calls, in order
	// Values holds every value of the cell's last expression statement
	// (both of f() for a two-result f); nil when the cell ended with
	// another kind of statement or a declaration.
	Values []any
	// HasValue reports that the cell ended with an expression that had
	// values (Values may then hold nils).
	HasValue bool
	// Interrupted reports that the cell's Context was cancelled but the
	// cell still finished within the grace period (for example a sampler
	// returned its partial trace and the cell went on).
	Interrupted bool
	// Data is how to show Values: a rendered bundle (images, display.Data,
	// renderers) or text/plain; nil when there is nothing to show (no
	// value, or every value nil).
	Data *display.Data
}

// Engine is an interpreter session: cells evaluated by one Engine share
// declarations, variables and imports. An Engine evaluates one cell at a
// time; Interrupt, Complete and Inspect may be called concurrently.
type Engine struct {
	opts Options

	mu    sync.Mutex // held while a cell runs
	in    *interp.Interpreter
	cell  int
	units map[int]unit
	unit  int

	names    map[string]bool   // globals declared by earlier cells
	types    map[string]bool   // types declared by earlier cells
	typeDefs map[string]string // their definitions, to refuse a changed one
	decls    map[string]Doc    // functions and types declared by earlier cells, for Inspect
	imports  map[string]string // package name in the session -> import path
	pkgNames map[string]string // import path -> package name, for every loadable package
	exports  interp.Exports    // what was given to Use, for completion

	stdout, stderr *filePipe

	ctxMu  sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc

	// wrappers are the function literals the engine wrapped top-level
	// statements in (see wrapBlocks): their code is the session's own.
	wrappers map[*ast.FuncLit]bool
	// hidden are compiled types registered in the hidden package for
	// conversions the engine writes (see fixCompiledIndex).
	hidden map[reflect.Type]string
	// mainDecl and mainStmts are the session's main function and its
	// instrumented statements by position; lastAt is the position of the
	// statement of main running last (see instrumentMain).
	mainDecl  *ast.FuncDecl
	mainStmts map[string]ast.Stmt
	lastAt    string
	// funcDecls are the session's functions, to place a panic inside one.
	funcDecls map[string]*ast.FuncDecl
	// cellImports are the imports of the cell being checked (checkCalls).
	cellImports map[string]string

	outMu       sync.Mutex // guards cur, panicFrames and captured values
	cur         *cellState
	panicFrames []panicFrame
}

type cellState struct {
	res      *Result
	captured []any
	got      bool
}

// New starts a session with the preloaded packages imported.
func New(opts Options) (*Engine, error) {
	e := &Engine{opts: opts, ctx: context.Background()}
	var err error
	if e.stdout, err = newFilePipe(e, "stdout"); err != nil {
		return nil, fmt.Errorf("repl: stdout pipe: %w", err)
	}
	if e.stderr, err = newFilePipe(e, "stderr"); err != nil {
		e.stdout.close()
		return nil, fmt.Errorf("repl: stderr pipe: %w", err)
	}
	if err := e.start(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the session's pipes. Goroutines started by interpreted
// code are not stopped (Go cannot stop them).
func (e *Engine) Close() error {
	e.Interrupt()
	e.stdout.close()
	e.stderr.close()
	return nil
}

// Reset discards every declaration, variable and import of the session and
// starts afresh; cell numbers start again at 1.
func (e *Engine) Reset() error {
	e.Interrupt()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.start()
}

const (
	builtinsPath = "gopm.builtins"
	capturePath  = "gopm.capture"
)

// start builds the interpreter and imports the auto-imported packages.
func (e *Engine) start() error {
	e.cell, e.unit = 0, 0
	e.units = map[int]unit{}
	e.names, e.types, e.decls = map[string]bool{}, map[string]bool{}, map[string]Doc{}
	e.typeDefs = map[string]string{}
	e.wrappers = map[*ast.FuncLit]bool{}
	e.hidden = map[reflect.Type]string{}
	e.mainStmts = map[string]ast.Stmt{}
	e.funcDecls = map[string]*ast.FuncDecl{}
	e.mainDecl = nil
	e.imports = map[string]string{}
	e.pkgNames = map[string]string{}
	args := e.opts.Args
	if args == nil {
		args = []string{"pmrepl"}
	}
	env := e.opts.Env
	if env == nil {
		env = os.Environ()
	}
	in := interp.New(interp.Options{
		Env:   env,
		Stdin: e.opts.Stdin,
		// fmt.Print* and os.Stdout share one pipe so their order is kept.
		Stdout: e.stdout.w,
		Stderr: &streamWriter{e, "stderr"},
		Args:   args,
	})
	pkgs := e.opts.Packages
	if pkgs == nil {
		pkgs = symbols.Packages
	}
	exports := interp.Exports{}
	for k, v := range stdlib.Symbols {
		exports[k] = v
	}
	for k, v := range e.opts.Symbols {
		exports[k] = v
	}
	for _, p := range pkgs {
		if p.Stdlib {
			continue
		}
		key := p.Path + "/" + p.Name
		if syms, ok := symbols.Symbols[key]; ok {
			exports[key] = syms
		}
	}
	if err := in.Use(exports); err != nil {
		return fmt.Errorf("repl: loading symbols: %w", err)
	}
	stderrFile := e.stderr.w
	// os.Stderr in interpreted code: a file whose content reaches the cell's
	// outputs (yaegi's own stderr, for log and panic lines, stays a plain
	// writer so that panic lines can be filtered out); the environment
	// functions: the session's (see sessionEnv).
	osSyms := newSessionEnv(env).symbols()
	osSyms["Stderr"] = reflect.ValueOf(&stderrFile).Elem()
	extra := interp.Exports{
		"os/os": osSyms,
		builtinsPath + "/builtins": {
			"Display": reflect.ValueOf(e.display),
			"Context": reflect.ValueOf(e.Context),
		},
		capturePath + "/capture": {
			"Capture":        reflect.ValueOf(e.capture),
			"GoPanic":        reflect.ValueOf(e.goPanic),
			"CellContext":    reflect.ValueOf(e.Context),
			"CellProgress":   reflect.ValueOf(e.progress),
			"SampleWarnings": reflect.ValueOf(e.sampleWarnings),
			"At":             reflect.ValueOf(e.at),
			"MakeSize":       reflect.ValueOf(makeSize),
		},
	}
	if err := in.Use(extra); err != nil {
		return fmt.Errorf("repl: loading builtins: %w", err)
	}
	for k, v := range extra {
		exports[k] = v
	}
	e.exports = exports
	for k := range exports {
		e.pkgNames[path.Dir(k)] = path.Base(k)
	}
	var imp strings.Builder
	imp.WriteString("import (\n\t. \"" + builtinsPath + "\"\n\t" + captureName + " \"" + capturePath + "\"\n")
	for _, p := range pkgs {
		if p.Auto {
			if _, ok := e.pkgNames[p.Path]; !ok {
				continue
			}
			fmt.Fprintf(&imp, "\t%s %q\n", p.Name, p.Path)
			e.imports[p.Name] = p.Path
		}
	}
	imp.WriteString(")")
	if _, err := in.Eval(imp.String()); err != nil {
		return fmt.Errorf("repl: auto imports: %w", err)
	}
	e.in = in
	return nil
}

// preloadedPaths lists the non-standard packages cells can import.
func (e *Engine) preloadedPaths() []string {
	var out []string
	for p := range e.pkgNames {
		if strings.Contains(p, ".") && p != builtinsPath && p != capturePath && p != "." && !strings.HasPrefix(p, "github.com/traefik/yaegi") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Context is the running cell's context, cancelled by Interrupt or when
// the caller's context ends; between cells it is context.Background().
// Compiled code that runs long (pm's samplers) should watch it: interpreted
// code reaches it as the builtin Context(), e.g. pm.Sample(..., ctx option)
// with Context(), and stops on its own when it is cancelled.
func (e *Engine) Context() context.Context {
	e.ctxMu.Lock()
	defer e.ctxMu.Unlock()
	return e.ctx
}

// Interrupt cancels the running cell, if any. Interpreted code stops at
// its next instruction; compiled code stops only where it watches
// Context(). Eval then returns an InterruptError.
func (e *Engine) Interrupt() {
	e.ctxMu.Lock()
	defer e.ctxMu.Unlock()
	if e.cancel != nil {
		e.cancel()
	}
}

// Count is the number of the last cell evaluated since New or Reset.
func (e *Engine) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cell
}

// Eval evaluates one cell. See EvalSource.
func (e *Engine) Eval(ctx context.Context, code string) (*Result, error) {
	return e.EvalSource(ctx, Source{Code: code})
}

// EvalSource evaluates code: declarations and statements in any order,
// run by run, stopping at the first error. The Result is never nil: it
// holds the outputs produced before an error. The error, if any, is an
// *Error whose position is in the user's code.
func (e *Engine) EvalSource(ctx context.Context, src Source) (*Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cell++
	e.unit++
	id := e.unit
	name := src.Name
	if name == "" {
		name = fmt.Sprintf("cell %d", e.cell)
	}
	e.units[id] = unit{name: name}
	line0 := src.Line
	if line0 == 0 {
		line0 = 1
	}
	res := &Result{Cell: e.cell}

	// Two contexts: the cell's (Context(), watched by compiled code) is
	// cancelled first; the interpreter's is cancelled InterruptGrace later
	// if the cell has not finished, which stops interpreted code.
	base, cancel := context.WithCancel(context.Background())
	cellCtx := &watchedContext{Context: base}
	hardCtx, hardCancel := context.WithCancel(context.Background())
	grace := e.opts.InterruptGrace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	finished := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			cancel()
		case <-base.Done():
		case <-finished:
			return
		}
		if !cellCtx.watched.Load() {
			// Nothing watches the cell's context: stop at once.
			hardCancel()
			return
		}
		select {
		case <-time.After(grace):
			hardCancel()
		case <-finished:
		}
	}()
	e.ctxMu.Lock()
	e.ctx, e.cancel = context.Context(cellCtx), cancel
	e.ctxMu.Unlock()
	e.outMu.Lock()
	e.cur = &cellState{res: res}
	e.outMu.Unlock()
	defer func() {
		close(finished)
		e.stdout.flush()
		e.stderr.flush()
		e.outMu.Lock()
		e.cur = nil
		e.outMu.Unlock()
		e.ctxMu.Lock()
		e.ctx, e.cancel = context.Background(), nil
		e.ctxMu.Unlock()
		res.Interrupted = base.Err() != nil
		cancel()
		hardCancel()
	}()

	e.wrappers = map[*ast.FuncLit]bool{}
	fset := e.in.FileSet()
	runs, err := parseRuns(fset, src.Code, id, line0, name, src.Script)
	if err != nil {
		return res, e.compileError(err, Pos{File: name})
	}
	if gerr := e.guard(fset, runs); gerr != nil {
		return res, gerr
	}
	if gerr := e.undefinedSelectors(fset, runs); gerr != nil {
		return res, gerr
	}
	if gerr := e.checkCalls(fset, runs); gerr != nil {
		return res, gerr
	}
	runs, gerr := e.rewrite(fset, runs)
	if gerr != nil {
		return res, gerr
	}
	moved := map[*run]bool{}
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		err := e.exec(hardCtx, fset, r, res, src.Script)
		if err != nil {
			// A name used before the declaration that follows it in the
			// same cell: run that declaration first and try again (a
			// compile error has run nothing).
			if j := e.laterDecl(err, runs, i); j > i && !moved[runs[j]] {
				d := runs[j]
				moved[d] = true
				copy(runs[i+1:j+1], runs[i:j])
				runs[i] = d
				i--
				continue
			}
			return res, err
		}
		e.record(fset, r)
	}
	return res, nil
}

// laterDecl finds, after run i which failed to compile, the first
// declaration run that declares a name run i uses and the session does not
// know yet: the cell used it before declaring it.
func (e *Engine) laterDecl(err error, runs []*run, i int) int {
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != CompileError {
		return -1
	}
	used := map[string]bool{}
	ast.Inspect(runs[i].node(), func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !e.names[id.Name] {
			used[id.Name] = true
		}
		return true
	})
	for j := i + 1; j < len(runs); j++ {
		if !runs[j].decl {
			continue
		}
		for _, d := range runs[j].file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && used[d.Name.Name] {
					return j
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if used[s.Name.Name] {
							return j
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if used[n.Name] {
								return j
							}
						}
					}
				}
			}
		}
	}
	return -1
}

// exec compiles and runs one run.
func (e *Engine) exec(ctx context.Context, fset *token.FileSet, r *run, res *Result, show bool) error {
	var prog *interp.Program
	var err error
	e.injectContext(r)
	e.wrapSampleCalls(r)
	e.fixCompiledIndex(r)
	if r.capture && !r.captured && show && e.isMethodCall(r.block.List[0].(*ast.ExprStmt).X) {
		// In scripts, m.Observe(...) and the like are statements for
		// their effect: only package functions and plain expressions
		// show their values.
		r.capture = false
	}
	if r.captured {
		prog, err = e.compile(fset, r)
	} else if r.capture {
		es := r.block.List[0].(*ast.ExprStmt)
		orig := es.X
		es.X = &ast.CallExpr{
			Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: orig.Pos(), Name: captureName}, Sel: &ast.Ident{NamePos: orig.Pos(), Name: "Capture"}},
			Lparen: orig.Pos(), Args: []ast.Expr{orig}, Rparen: orig.End(),
		}
		prog, err = e.compile(fset, r)
		if err != nil {
			// No value (a call of a function without results, or a
			// statement-like expression): run it as written.
			es.X = orig
			r.capture = false
			prog, err = e.compile(fset, r)
		}
	} else {
		prog, err = e.compile(fset, r)
	}
	if err != nil {
		return err
	}
	e.outMu.Lock()
	e.panicFrames = nil
	e.lastAt = ""
	if e.cur != nil {
		e.cur.captured, e.cur.got = nil, false
	}
	e.outMu.Unlock()
	_, err = e.execute(ctx, prog)
	if err != nil {
		return e.runError(ctx, fset, err, r)
	}
	if r.capture {
		e.outMu.Lock()
		c := e.cur
		vals, got := c.captured, c.got
		e.outMu.Unlock()
		if got {
			res.Values, res.HasValue = vals, true
			res.Data = renderValues(vals)
			e.interpretedText(fset, r, vals, res.Data)
			if show && res.Data != nil {
				e.display(*res.Data) // after the text printed before it
			}
		}
	}
	return nil
}

// compile runs yaegi's compiler with every panic turned into an error:
// some unsupported constructs make it panic instead of failing.
func (e *Engine) compile(fset *token.FileSet, r *run) (prog *interp.Program, err error) {
	defer func() {
		if p := recover(); p != nil {
			prog, err = nil, e.compilePanic(fset, r, p)
		}
	}()
	prog, err = e.in.CompileAST(r.node())
	if err != nil {
		cerr := e.compileError(err, e.runPos(fset, r))
		if strings.HasPrefix(cerr.Msg, "constant definition loop") {
			if name, pos := e.undefinedName(fset, r, cerr.Pos); name != "" {
				cerr.Msg, cerr.Pos = "undefined: "+name, pos
			}
		}
		return nil, cerr
	}
	return prog, nil
}

// compilePanic explains a panic of yaegi's compiler. The known one, "nil
// type", comes from range over an integer or a function that the guard
// could not recognise without types.
func (e *Engine) compilePanic(fset *token.FileSet, r *run, p any) *Error {
	msg := fmt.Sprint(p)
	var rng *ast.RangeStmt
	ast.Inspect(r.node(), func(n ast.Node) bool {
		if rs, ok := n.(*ast.RangeStmt); ok && rng == nil {
			rng = rs
		}
		return rng == nil
	})
	if strings.Contains(msg, "nil type") && rng != nil {
		return &Error{Pos: e.posOf(fset, rng.X.Pos()), Kind: UnsupportedError,
			Msg: "range over an integer or a function (Go 1.22/1.23) is not supported by the interpreter; write for i := 0; i < n; i++ { ... }, or call the function with a yield function"}
	}
	text, pos := e.rewritePositions(msg)
	if !pos.IsValid() {
		pos = e.runPos(fset, r)
	}
	return &Error{Pos: pos, Kind: UnsupportedError, Msg: "the interpreter failed on this code: " + text}
}

// execute runs a program under the cell's context, recovering panics that
// escape yaegi's own recovery.
func (e *Engine) execute(ctx context.Context, prog *interp.Program) (v reflect.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = interp.Panic{Value: p}
		}
	}()
	return e.in.ExecuteWithContext(ctx, prog)
}

// runError converts an execution error into an *Error at the user's
// position.
func (e *Engine) runError(ctx context.Context, fset *token.FileSet, err error, r *run) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return &Error{Pos: Pos{File: r.start.File}, Kind: InterruptError, Msg: "interrupted"}
	}
	var p interp.Panic
	if errors.As(err, &p) {
		e.outMu.Lock()
		frames := append([]panicFrame(nil), e.panicFrames...)
		lastAt := e.lastAt
		e.outMu.Unlock()
		perr := &Error{Kind: PanicError, Value: p.Value, Pos: r.start}
		val := fmt.Sprint(p.Value)
		if ev, ok := p.Value.(error); ok {
			val = ev.Error()
		}
		prefix := "panic: "
		if modelError(p.Value) {
			// gopm's model and graph builders report mistakes by panicking with these
			// errors (expression chains cannot return them): show them as plain errors.
			prefix = ""
		}
		perr.Msg, _ = e.rewritePositions(prefix + val)
		if len(frames) > 0 {
			perr.Pos = frames[0].pos
			for _, f := range frames {
				perr.Trace = append(perr.Trace, fmt.Sprintf("%s (%s)", f.pos, f.fn))
			}
		}
		e.refinePanic(fset, r, perr, p, frames, lastAt, val)
		return perr
	}
	return e.compileError(err, r.start)
}

// record remembers what a successful run declared, for completion and the
// guards.
func (e *Engine) record(fset *token.FileSet, r *run) {
	addIdent := func(x ast.Expr) {
		if id, ok := x.(*ast.Ident); ok && id.Name != "_" {
			e.names[strings.ReplaceAll(id.Name, renamedMain, "main")] = true
		}
	}
	if r.decl {
		for _, d := range r.file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					addIdent(d.Name)
					e.funcDecls[strings.ReplaceAll(d.Name.Name, renamedMain, "main")] = d
				}
				e.recordDecl(fset, d.Name.Name, d, d.Doc, d.Recv)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ImportSpec:
						path := strings.Trim(s.Path.Value, "\"`")
						name := e.pkgNames[path]
						if s.Name != nil {
							name = s.Name.Name
						}
						if name != "" && name != "_" && name != "." {
							e.imports[name] = path
						}
					case *ast.TypeSpec:
						addIdent(s.Name)
						e.types[s.Name.Name] = true
						e.typeDefs[s.Name.Name] = typeText(fset, s)
						doc := s.Doc
						if doc == nil {
							doc = d.Doc
						}
						e.recordDecl(fset, s.Name.Name, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{s}}, doc, nil)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							addIdent(n)
						}
					}
				}
			}
		}
		return
	}
	for _, st := range r.block.List {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, l := range st.Lhs {
					addIdent(l)
				}
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok {
				for _, s := range gd.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							addIdent(n)
						}
					case *ast.TypeSpec:
						addIdent(s.Name)
						e.types[s.Name.Name] = true
					}
				}
			}
		}
	}
}

// capture receives every value of the cell's last expression (Go passes
// all results of a multi-value call to a variadic parameter).
func (e *Engine) capture(vals ...any) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	if e.cur != nil {
		e.cur.captured, e.cur.got = vals, true
	}
}

// goPanic reports a panic recovered in an interpreted goroutine, which
// would otherwise end the process; at is the position of the go statement.
func (e *Engine) goPanic(p any, at string) {
	if p == nil {
		return
	}
	where, _ := e.rewritePositions(at)
	e.emitText("stderr", fmt.Sprintf("panic in goroutine started at %s: %v\n", where, p))
}

// display is the Display builtin: it shows a bundle mid-cell, after the
// text already written.
func (e *Engine) display(d display.Data) error {
	e.stdout.flush()
	e.stderr.flush()
	e.outMu.Lock()
	defer e.outMu.Unlock()
	e.emitLocked(Output{Name: "display", Data: d})
	return nil
}

// renderValues applies gophernotes' rule to a cell's values: a single
// non-nil renderable value (the others nil) gives its bundle; otherwise
// the values are shown as text, separated by spaces; all nil shows
// nothing.
func renderValues(vals []any) *display.Data {
	var nonNil []any
	for _, v := range vals {
		if !isNil(v) {
			nonNil = append(nonNil, v)
		}
	}
	if len(nonNil) == 0 {
		return nil
	}
	if len(nonNil) == 1 {
		if d, ok := display.Render(nonNil[0]); ok {
			return &d
		}
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprintf("%v", v)
	}
	d := display.MakeData(display.MIMETypeText, strings.Join(parts, " "))
	return &d
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// recordDecl keeps the declaration of a function, method or type of the
// session for Inspect. The engine's own line directive is not part of the
// doc comment.
func (e *Engine) recordDecl(fset *token.FileSet, name string, node ast.Node, cg *ast.CommentGroup, recv *ast.FieldList) {
	name = strings.ReplaceAll(name, renamedMain, "main")
	if recv != nil && len(recv.List) == 1 {
		t := recv.List[0].Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if id, ok := t.(*ast.Ident); ok {
			name = id.Name + "." + name
		}
	}
	var doc []string
	if cg != nil {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "/*line ") {
				continue
			}
			t := strings.TrimPrefix(strings.TrimPrefix(c.Text, "//"), " ")
			doc = append(doc, t)
		}
	}
	sig := strings.ReplaceAll(printDecl(fset, node), renamedMain, "main")
	e.decls[name] = Doc{Name: name, Signature: sig, Doc: strings.Join(doc, "\n")}
}

// isMethodCall reports a call x.M(...) where x is not a package name.
func (e *Engine) isMethodCall(x ast.Expr) bool {
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if id, ok := sel.X.(*ast.Ident); ok {
		_, isPkg := e.imports[id.Name]
		return !isPkg
	}
	return true
}

// runPos is where a run's code starts in the user's source.
func (e *Engine) runPos(fset *token.FileSet, r *run) Pos {
	if !r.decl && len(r.block.List) > 0 {
		if p := e.posOf(fset, r.block.List[0].Pos()); p.IsValid() {
			return p
		}
	}
	return r.start
}

// watchedContext records whether anything watches the cell's context, to
// know whether an interrupted cell should be given time to wind down.
type watchedContext struct {
	context.Context
	watched atomic.Bool
}

// Done marks the context watched.
func (w *watchedContext) Done() <-chan struct{} {
	w.watched.Store(true)
	return w.Context.Done()
}

// Err marks the context watched.
func (w *watchedContext) Err() error {
	w.watched.Store(true)
	return w.Context.Err()
}

// interpretedText replaces the text/plain of a single plain value with
// what fmt.Sprint gives inside the interpreter, where String methods of
// interpreted types are visible (the host sees their values without
// methods). Only expressions without calls are evaluated again, so that
// nothing runs twice.
func (e *Engine) interpretedText(fset *token.FileSet, r *run, vals []any, d *display.Data) {
	if d == nil || len(vals) != 1 || len(d.Data) != 1 {
		return // not a single value shown as plain text
	}
	es, ok := r.block.List[0].(*ast.ExprStmt)
	if !ok {
		return
	}
	expr := es.X
	if call, ok := expr.(*ast.CallExpr); ok && len(call.Args) == 1 {
		expr = call.Args[0] // inside the capture call
	}
	calls := false
	ast.Inspect(expr, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			// A conversion to a session type is not a call.
			if id, ok := n.Fun.(*ast.Ident); !ok || !e.types[id.Name] {
				calls = true
			}
		case *ast.UnaryExpr:
			calls = calls || n.Op == token.ARROW
		}
		return !calls
	})
	if calls {
		return
	}
	fmtName := ""
	for n, p := range e.imports {
		if p == "fmt" {
			fmtName = n
		}
	}
	if fmtName == "" {
		return
	}
	var b strings.Builder
	if err := printer.Fprint(&b, fset, expr); err != nil {
		return
	}
	v, ok := func() (v reflect.Value, ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		v, err := e.in.Eval(fmtName + ".Sprint(" + b.String() + ")")
		return v, err == nil && v.IsValid() && v.Kind() == reflect.String
	}()
	if ok {
		d.Data[display.MIMETypeText] = v.String()
	}
}

// progress is the callback injected into pm's Sample calls: it forwards to Options.OnProgress.
func (e *Engine) progress() func(step.Progress) {
	return func(p step.Progress) {
		if e.opts.OnProgress != nil {
			e.opts.OnProgress(p)
		}
	}
}

// modelError reports whether a panic value is one of gopm's construction errors.
func modelError(v any) bool {
	err, ok := v.(error)
	if !ok {
		return false
	}
	var pe *pm.Error
	var te *tensor.Error
	return errors.As(err, &pe) || errors.As(err, &te)
}
