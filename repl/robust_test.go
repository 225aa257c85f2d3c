package repl

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// streamOf joins what a cell printed on one stream.
func streamOf(r *Result, name string) string {
	var b strings.Builder
	for _, o := range r.Outputs {
		if o.Name == name {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

func stdoutOf(r *Result) string { return streamOf(r, "stdout") }
func stderrOf(r *Result) string { return streamOf(r, "stderr") }

// Issue 10, item 1: the trace's warnings are printed after Sample, one per
// line, on the cell's stderr, by the engine (so the kernel shows them too).
func TestSampleWarningsOnStderr(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, `m := pm.NewModel()
mu := m.Var("mu", pm.Normal(0, 10))
m.Observe("y", pm.Normal(mu, 1), []float64{1.2, 0.8, 1.1, 0.9})`)
	// Few draws: ESS and R-hat warnings for sure.
	res := mustEval(t, e, `tr, err := m.Sample(pm.Draws(12), pm.Tune(12), pm.Chains(2), pm.Seed(3))`)
	n := textOf(mustEval(t, e, "len(tr.Warnings)"))
	want, _ := strconv.Atoi(n)
	if want == 0 {
		t.Fatalf("the trace has no warnings; the test needs some")
	}
	errText := stderrOf(res)
	lines := strings.Split(strings.TrimSuffix(errText, "\n"), "\n")
	if len(lines) != want {
		t.Fatalf("stderr has %d lines, the trace %d warnings:\n%s", len(lines), want, errText)
	}
	for i, l := range lines {
		got := textOf(mustEval(t, e, "tr.Warnings["+strconv.Itoa(i)+"]"))
		if l != "warning: "+got {
			t.Errorf("line %d: %q, want %q", i, l, "warning: "+got)
		}
	}
	// Inside a loop, and as a cell's value, too.
	res = mustEval(t, e, `for i := 0; i < 2; i++ {
	t2, err := m.Sample(pm.Draws(12), pm.Tune(12), pm.Chains(2), pm.Seed(uint64(i)))
	fmt.Println(t2.NDraws(), err)
}`)
	if strings.Count(stderrOf(res), "warning: ") < 2 || stdoutOf(res) != "12 <nil>\n12 <nil>\n" {
		t.Errorf("loop: stdout %q, stderr %q", stdoutOf(res), stderrOf(res))
	}
}

// runExamples evaluates the examples of a Go test file in the session, as
// the Theano tutorial's reader would type them, and compares each
// example's output with its // Output: comment.
func runExamples(t *testing.T, e *Engine, file string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	type example struct{ name, want string }
	var examples []example
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			for _, s := range gd.Specs {
				if p := s.(*ast.ImportSpec).Path.Value; p != `"testing"` {
					src.WriteString("import ")
					if n := s.(*ast.ImportSpec).Name; n != nil {
						src.WriteString(n.Name + " ")
					}
					src.WriteString(p + "\n")
				}
			}
			continue
		}
		if fd, ok := d.(*ast.FuncDecl); ok {
			if strings.HasPrefix(fd.Name.Name, "Test") {
				continue
			}
			if strings.HasPrefix(fd.Name.Name, "Example") {
				for _, c := range f.Comments {
					if c.Pos() > fd.Body.Lbrace && c.End() < fd.Body.Rbrace {
						if text := c.Text(); strings.HasPrefix(text, "Output:") {
							examples = append(examples, example{fd.Name.Name, strings.TrimSpace(strings.TrimPrefix(text, "Output:"))})
						}
					}
				}
			}
		}
		printer.Fprint(&src, fset, d)
		src.WriteString("\n\n")
	}
	if len(examples) == 0 {
		t.Fatalf("%s: no examples", file)
	}
	mustEval(t, e, src.String())
	for _, ex := range examples {
		res, err := e.Eval(context.Background(), ex.name+"()")
		if err != nil {
			t.Errorf("%s: %v", ex.name, err)
			continue
		}
		if got := strings.TrimSpace(stdoutOf(res)); got != ex.want {
			t.Errorf("%s printed\n%s\nwant\n%s", ex.name, got, ex.want)
		}
	}
}

// Issue 10, item 2: pm/backend works in the session: the Theano tutorial
// (pm/tensor's examples) and pm/backend's examples (defaults, keyword
// inputs, several outputs, updates, Use) print what they print compiled;
// backend.Names lists the backends.
func TestTheanoTutorialInSession(t *testing.T) {
	for _, file := range []string{"../pm/tensor/example_test.go", "../pm/backend/example_test.go"} {
		t.Run(file, func(t *testing.T) {
			runExamples(t, newEngine(t), file)
		})
	}
	e := newEngine(t)
	mustEval(t, e, `import "github.com/gopm-dev/gopm/pm/backend"`)
	if got := textOf(mustEval(t, e, "backend.Names()")); got != "[debug vm]" {
		t.Errorf("backend.Names() = %s", got)
	}
	// Using the package before importing it: a message, and the session
	// is not damaged (yaegi's compiler crashed on this).
	e = newEngine(t)
	ce := evalErr(t, e, `f, err := backend.Compile(nil, nil)`)
	if ce.Msg != `undefined: backend (import "github.com/gopm-dev/gopm/pm/backend" first)` || ce.Pos.Col != 11 {
		t.Errorf("got %v", ce)
	}
	mustEval(t, e, `import "github.com/gopm-dev/gopm/pm/backend"`)
	mustEval(t, e, `import "github.com/gopm-dev/gopm/pm/tensor"`)
	if got := textOf(mustEval(t, e, `f, err := backend.Compile([]any{tensor.Scalar("x")}, tensor.Const(2.0))
out, err := f.Call(1.0)
out[0]`)); got != "2" {
		t.Errorf("after the mistake: %q", got)
	}
}

// Issue 10, item 3: idioms yaegi v0.16.1 gets wrong at a cell's top level.
func TestEverydayIdioms(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, `import "strings"
func two(i int) (int, error) { return i * 10, nil }`)
	res := mustEval(t, e, `for i := 0; i < 2; i++ {
	v, err := two(i)
	fmt.Println(v, err)
}
if v, err := two(5); err == nil {
	fmt.Println("if", v)
}
switch v, err := two(7); {
case err == nil:
	fmt.Println("switch", v)
}`)
	if got := stdoutOf(res); got != "0 <nil>\n10 <nil>\nif 50\nswitch 70\n" {
		t.Errorf("multi-value := in blocks: %q", got)
	}
	res = mustEval(t, e, `fs := strings.Fields("a b c")
w := fs[1]
w2 := strings.Fields("x y")[0] + "!"
last := fs[len(fs)-1]
fmt.Println(w, w2, last)`)
	if got := stdoutOf(res); got != "b x! c\n" {
		t.Errorf("index of a compiled slice: %q", got)
	}
	// The types are the elements' own.
	if got := textOf(mustEval(t, e, `fmt.Sprintf("%T %T", w, w2)`)); got != "string string" {
		t.Errorf("types: %q", got)
	}
}

// Issue 10, item 4: a mistake on line 3 of a multi-line call is reported at
// line 3; in a script's main, the failing line, not main's first statement.
func TestPanicPositions(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, `import "github.com/gopm-dev/gopm/pm/tensor"`)
	ce := evalErr(t, e, `z := tensor.Add(
	tensor.Scalar("a"),
	tensor.Transpose(tensor.Vector("v"), 0, 1))`)
	if ce.Pos.Line != 3 || ce.Pos.Col != 2 || !strings.Contains(ce.Msg, "transpose") {
		t.Errorf("multi-line call: %v", ce)
	}
	_, err := e.EvalSource(context.Background(), Source{Name: "prog.go", Script: true, Code: `package main

import "fmt"

var xs = []int{1, 2}

func main() {
	fmt.Println("start")
	total := 0
	for _, x := range xs {
		total += x
	}
	fmt.Println(xs[total])
}
`})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.EvalSource(context.Background(), Source{Name: "prog.go", Line: 7, Code: "main()"})
	ce, ok := err.(*Error)
	// total is main's own variable: the engine cannot read it, so the
	// message names the expression without the numbers.
	if !ok || ce.Pos.String() != "prog.go:13:14" || ce.Msg != "panic: runtime error: index out of range (an index is not less than the length), in xs[total]" {
		t.Errorf("main: %v", err)
	}
}

// Issue 10, item 5: reflect-level panics read as Go's runtime errors,
// with the nil value, the index and the length.
func TestReflectPanicsExplained(t *testing.T) {
	e := newEngine(t)
	ce := evalErr(t, e, `s := []int{1, 2}
k := 5
fmt.Println(s[k])`)
	if ce.Msg != "panic: runtime error: index out of range [5] with length 2, in s[k]" || ce.Pos.Line != 3 || ce.Pos.Col != 13 {
		t.Errorf("index: %v", ce)
	}
	ce = evalErr(t, e, `type P struct{ A int }
var pp *P
pp.A`)
	if ce.Msg != "panic: runtime error: invalid memory address or nil pointer dereference: pp is nil, in pp.A" || ce.Pos.Line != 3 {
		t.Errorf("nil: %v", ce)
	}
	// Inside a function: its variables are gone, the expression is named.
	ce = evalErr(t, e, `func get(xs []int, i int) int {
	n := len(xs)
	return xs[i] + n
}
get([]int{1}, 7)`)
	if ce.Msg != "panic: runtime error: index out of range (an index is not less than the length), in xs[i]" || ce.Pos.Line != 3 || ce.Pos.Col != 9 {
		t.Errorf("in a function: %v", ce)
	}
}

// Issue 10, item 6: :doc pm.Sample documents Model.Sample; misspelt names
// get the nearest ones.
func TestDocAndSuggestions(t *testing.T) {
	e := newEngine(t)
	d, ok := e.Inspect("pm.Sample", len("pm.Sample"))
	if !ok || !strings.Contains(d.Signature, ") Sample(") || d.Doc == "" {
		t.Errorf("pm.Sample: %v %+v", ok, d)
	}
	if got := e.Suggest("pm.Sumary"); len(got) == 0 || got[0] != "pm.Summary" {
		t.Errorf("Suggest(pm.Sumary) = %v", got)
	}
	ce := evalErr(t, e, "pm.Sumary(nil)")
	if ce.Msg != "undefined: pm.Sumary (did you mean pm.Summary?)" {
		t.Errorf("cell: %v", ce)
	}
	mustEval(t, e, `import "github.com/gopm-dev/gopm/pm/dist"`)
	if got := textOf(mustEval(t, e, `dist.Normal(0, 1).Err()`)); got != "" {
		t.Errorf("dist.Normal: %q", got)
	}
}

// Issue 10, item 7: os.Args and the environment reach interpreted code.
func TestArgsAndEnvironment(t *testing.T) {
	t.Setenv("PMREPL_TEST_VAR", "from the process")
	e := newEngine(t)
	mustEval(t, e, `import "os"`)
	if got := textOf(mustEval(t, e, `os.Getenv("PMREPL_TEST_VAR")`)); got != "from the process" {
		t.Errorf("Getenv = %q", got)
	}
	e2, err := New(Options{Args: []string{"s.go", "a", "b"}, Env: []string{"K=v"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if got := textOf(mustEval(t, e2, `import "os"
fmt.Sprintln(os.Args, os.Getenv("K"), os.Getenv("PMREPL_TEST_VAR") == "")`)); got != "[s.go a b] v true\n" {
		t.Errorf("options: %q", got)
	}
}

// Issue 10, item 8: a type mistake in a call of compiled code is refused
// before any statement of the cell runs.
func TestTypeMistakeBeforeRunning(t *testing.T) {
	e := newEngine(t)
	res, err := e.Eval(context.Background(), `fmt.Println("ran")
xs := []string{"a", "b"}
fmt.Println(xs...)`)
	ce, ok := err.(*Error)
	if !ok || ce.Pos.Line != 3 || !strings.HasPrefix(ce.Msg, "cannot use xs (variable of type []string) as []any value in argument to fmt.Println") {
		t.Errorf("spread: %v", err)
	}
	if stdoutOf(res) != "" {
		t.Errorf("the cell ran: %q", stdoutOf(res))
	}
	mustEval(t, e, `import "strings"
ys := []any{"a"}`)
	ce = evalErr(t, e, `strings.Join(ys, ",")`)
	if ce.Msg != "cannot use ys (variable of type []any) as []string value in argument to strings.Join" {
		t.Errorf("argument: %v", ce)
	}
	ce = evalErr(t, e, `n := strings.Cut("a=b", "=")`)
	if ce.Msg != "assignment mismatch: 1 variable but strings.Cut returns 3 values" {
		t.Errorf("results: %v", ce)
	}
	ce = evalErr(t, e, `z := math.Sqrt(
	1,
	"s")`)
	if ce.Msg != "too many arguments in call to math.Sqrt: have 2, want (float64)" || ce.Pos.Line != 3 {
		t.Errorf("count: %v", ce)
	}
	// Correct code is not refused.
	mustEval(t, e, `zs := []any{1, "x"}
fmt.Println(zs...)
a, b, found := strings.Cut("a=b", "=")
fmt.Println(strings.Join([]string{a, b}, "+"), found)`)
}

// Tuple assignments with a call on the right: yaegi v0.16.1 alone leaves
// every target after the first wrong without a word (b stayed all zero
// below). Each case prints what Go prints.
func TestTupleAssignWithCalls(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, `import "strings"
a := make([]float64, 3)
b := make([]float64, 3)
var x, y float64
s, u := "a", "b"
f := func(v float64) float64 { return 10 * v }
i := 0
c := []float64{1, 2, 3}`)
	cases := []struct{ code, want string }{
		{"for i := 0; i < 3; i++ {\n\ta[i], b[i] = math.Sqrt(4), float64(i)\n}\nfmt.Println(a, b)", "[2 2 2] [0 1 2]\n"},
		{"for i := 0; i < 3; i++ {\n\ta[i], b[i] = float64(i), math.Sqrt(9)\n}\nfmt.Println(a, b)", "[0 1 2] [3 3 3]\n"},
		{"x, y = math.Sqrt(4), 3\nfmt.Println(x, y)", "2 3\n"},
		{"x, y = 3, math.Pi\nfmt.Println(x, y)", "3 3.141592653589793\n"},
		{"s, u = strings.ToUpper(\"q\"), \"z\"\nfmt.Println(s, u)", "Q z\n"},
		{"a[0], b[0] = f(1), 5\nfmt.Println(a[0], b[0])", "10 5\n"},
		// Right-hand values are all read before any target is assigned.
		{"x, y = y, f(x)\nfmt.Println(x, y)", "3.141592653589793 30\n"},
		{"c[0], x = f(c[1]), c[0]\nfmt.Println(c, x)", "[20 2 3] 1\n"},
		{"func() {\n\tp, q := 1.0, 2.0\n\tp, q = q, math.Abs(-p)\n\tfmt.Println(p, q)\n}()", "2 1\n"},
		// Targets that depend on each other are left to yaegi.
		{"i, a[i] = 1, 7\nfmt.Println(i, a)", "1 [7 1 2]\n"},
	}
	for _, c := range cases {
		if got := stdoutOf(mustEval(t, e, c.code)); got != c.want {
			t.Errorf("%s\nprinted %q, want %q", c.code, got, c.want)
		}
	}
}

// A variable defined inside a top-level statement shadows a session
// variable of the same name: yaegi v0.16.1 alone overwrote the session's
// (i was 3 after the loop, x was 11 after the if).
func TestTopLevelShadowing(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "i := 0\nx := 5")
	cases := []struct{ code, want string }{
		{"for i := 0; i < 3; i++ {\n}\nfmt.Println(i)", "0\n"},
		{"for i := 0; i < 3; i++ {\n\t_ = math.Sqrt(1)\n}\nfmt.Println(i)", "0\n"},
		{"if x := 2; x > 1 {\n\tfmt.Println(\"in\", x)\n}\nfmt.Println(x)", "in 2\n5\n"},
		{"switch x := 9; x {\ncase 9:\n\tfmt.Println(\"nine\")\n}\nfmt.Println(x)", "nine\n5\n"},
		{"{\n\tx := 11\n\t_ = x\n}\nfmt.Println(x)", "5\n"},
		{"if true {\n\tvar x = 12\n\t_ = x\n}\nfmt.Println(x)", "5\n"},
		{"for _, x := range []int{7, 8} {\n\t_ = x\n}\nfmt.Println(x)", "5\n"},
		// Assigning (not defining) inside a statement still reaches the session's variable.
		{"for k := 0; k < 4; k++ {\n\ti = k\n}\nfmt.Println(i)", "3\n"},
	}
	for _, c := range cases {
		if got := stdoutOf(mustEval(t, e, c.code)); got != c.want {
			t.Errorf("%s\nprinted %q, want %q", c.code, got, c.want)
		}
	}
}

// os.Setenv("PM_BACKEND", ...) in a cell chooses the backend of the next
// Compile, as in a compiled program; other variables stay the session's.
func TestSetenvBackend(t *testing.T) {
	t.Setenv("PM_BACKEND", "")
	e := newEngine(t)
	mustEval(t, e, `import "os"
import "strings"
m := pm.NewModel()
mu := m.Var("mu", pm.Normal(0, 1))`)
	if got := textOf(mustEval(t, e, `os.Setenv("PM_BACKEND", "nope")
_, err := m.Compile()
err != nil && strings.Contains(err.Error(), "nope")`)); got != "true" {
		t.Errorf("a PM_BACKEND set in the cell did not reach Compile: %s", got)
	}
	if os.Getenv("PM_BACKEND") != "nope" {
		t.Errorf("process PM_BACKEND = %q", os.Getenv("PM_BACKEND"))
	}
	mustEval(t, e, `os.Unsetenv("PM_BACKEND")
os.Setenv("GOPM_SESSION_ONLY", "1")`)
	if _, ok := os.LookupEnv("PM_BACKEND"); ok {
		t.Errorf("Unsetenv in the cell left PM_BACKEND in the process")
	}
	if os.Getenv("GOPM_SESSION_ONLY") != "" {
		t.Errorf("a session variable reached the process")
	}
	if got := textOf(mustEval(t, e, `os.Getenv("GOPM_SESSION_ONLY") + fmt.Sprint(os.Setenv("", "x") != nil)`)); got != `"1true"` && got != "1true" {
		t.Errorf("session env: %s", got)
	}
}

// A cell that ends in fmt.Fprintln shows what it printed, not the byte
// count and nil error (as for fmt.Println); fmt.Sprint's value is shown.
func TestFprintAsLastExpression(t *testing.T) {
	e := newEngine(t)
	r := mustEval(t, e, "import \"os\"\nfmt.Fprintln(os.Stdout, 3)")
	if r.HasValue || stdoutOf(r) != "3\n" {
		t.Errorf("Fprintln: value %v %v, stdout %q", r.HasValue, r.Values, stdoutOf(r))
	}
	if got := textOf(mustEval(t, e, `fmt.Sprint(4)`)); !strings.Contains(got, "4") {
		t.Errorf("Sprint: %q", got)
	}
}

// A make call larger than the machine's memory is a panic the cell reports,
// not Go's fatal out-of-memory error that would end the session; ordinary
// makes of every kind still work, in cells and in functions.
func TestHugeMakeRefused(t *testing.T) {
	if _, ok := memAvailable(); !ok {
		t.Skip("no /proc/meminfo")
	}
	e := newEngine(t)
	_, err := e.Eval(context.Background(), "x := make([]float64, 1<<40)")
	if err == nil || !strings.Contains(err.Error(), "make([]float64, 1099511627776) needs 8.8 TB") {
		t.Fatalf("huge make: %v", err)
	}
	_, err = e.Eval(context.Background(), "func grow(k int) []int64 { return make([]int64, 0, k) }\ng := grow(1 << 41)")
	if err == nil || !strings.Contains(err.Error(), "needs 17.6 TB") {
		t.Errorf("huge make in a function: %v", err)
	}
	got := stdoutOf(mustEval(t, e, `var n int64 = 5
type P struct{ A, B float64 }
a, b := make([]float64, 10, 20), make([]int, n)
c, d := make(map[string]int, 3), make(chan int, 2)
fmt.Println(len(a), cap(a), len(b), len(c), cap(d), len(make([]P, 4)), cap(grow(7)))`))
	if got != "10 20 5 0 2 4 7\n" {
		t.Errorf("ordinary makes printed %q", got)
	}
}
