// Package repl is gopm's evaluation engine: a yaegi interpreter session
// with gopm, the gophernotes-compatible display package, gonum mat and stat
// and the standard library preloaded from generated symbol tables (package
// symbols, `go generate ./repl/...`). Every session has pm, plots, display,
// fmt and math imported; pm/tensor, pm/dist, pm/backend, pm/backend/debug,
// pm/step, pm/diag, gonum mat and stat and the standard library are
// imported by path, as in compiled Go (a name used without its import is
// refused with the import to write). The terminal front-end (package term)
// and the Jupyter kernel both run cells through it.
//
// An Engine evaluates cells that share state. Each cell is cut into runs
// of declarations and statements (yaegi parses a source as one or the
// other), parsed with line directives so that every error, panic and trace
// names the user's own position ("cell 3, line 4:9: undefined: x"), checked
// for constructs yaegi v0.16.1 crashes on or lacks (range over int or
// func, min/max/clear, method expressions, top-level defer, changing a
// type; each error shows the spelling that works), and rewritten where
// yaegi's behaviour differs from Go's (per-iteration loop variables in
// closures, comma-ok forms outside functions, panics in goroutines,
// re-imports, func main, a final expression list such as "v, ok",
// "v, err := f()" inside a top-level for or if, an index of a compiled
// slice in a top-level :=). Each
// top-level statement is compiled on its own, and a name used before a
// later declaration in the same cell is retried after it. Before any of a
// cell runs, an undefined package name is refused with the import it needs,
// and calls of compiled functions are checked against their types where the
// argument types are known (a []string spread into ...any, a two-result call
// assigned to one variable). Every panic, interpreted or
// compiled, at compile or run time, becomes an *Error at the failing
// expression (reflect-level messages restated as Go's runtime errors, with
// the index and length or the nil value) and the session stays usable.
// A misspelt package member gets the nearest names (Suggest).
//
// Interpreted code sees Options.Args as os.Args and Options.Env (default:
// the process's environment) through os.Getenv. After every Sample call on a
// session model the trace's warnings (divergences, R-hat, ESS, BFMI, failed
// chains) are written to the cell's stderr, one per line.
//
// The values of a cell's last expression statement (all of them, for a
// multi-value call) come back in Result.Values, and as a MIME bundle in
// Result.Data following gophernotes' auto-render rule (display.Render);
// the text of a single plain value comes from fmt inside the interpreter,
// so String methods of interpreted types apply.
// Standard output and error of the cell (fmt, log, print, os.Stdout,
// os.Stderr) and Display calls are collected in Result.Outputs and passed
// live to Options.OnOutput: in order within each stream and around Display
// calls; text on the two streams may interleave differently, as it does on
// a terminal. Output of compiled code that writes to the process's own
// os.Stdout (not through the interpreter) is not captured.
//
// # Interrupting
//
// Interrupt, or the end of the context given to Eval, cancels the cell's
// context (Engine.Context). Interpreted code reaches it as the builtin
// Context(), and compiled code that runs long should watch it: pm's
// samplers do through the pm.Context option, which the engine adds by
// itself to calls m.Sample(...) on a *pm.Model variable of the session
// (see contextMethods for the table), so that
//
//	trace, err := m.Sample(pm.Draws(5000))
//
// returns the draws made so far when the user presses Ctrl-C, after which
// the cell carries on (as pm.sample does after a KeyboardInterrupt in
// PyMC). If the cell has not
// finished InterruptGrace later, the interpreter stops it and Eval returns
// an InterruptError. Compiled code that ignores the context keeps running
// in the background: Go cannot stop it.
//
// # Completion and inspection
//
// Complete offers identifiers of earlier cells and of the cell being
// written, keywords, package members from the symbol tables, and fields
// and methods of a variable's compiled type by reflection. Inspect returns
// the signature and doc comment of a package member, a variable's method
// or field, or a function declared in a cell. Package documentation comes
// from a table generated with the symbols (so it works on a machine
// without Go sources); other standard packages are read from GOROOT when
// it is there.
package repl
