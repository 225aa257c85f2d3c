package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gopm-dev/gopm/display"
)

func newEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// mustEval evaluates a cell that must succeed.
func mustEval(t *testing.T, e *Engine, code string) *Result {
	t.Helper()
	res, err := e.Eval(context.Background(), code)
	if err != nil {
		t.Fatalf("cell %q: %v", code, err)
	}
	return res
}

// evalErr evaluates a cell that must fail and returns its *Error.
func evalErr(t *testing.T, e *Engine, code string) *Error {
	t.Helper()
	_, err := e.Eval(context.Background(), code)
	if err == nil {
		t.Fatalf("cell %q: no error", code)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("cell %q: error %T %v is not *Error", code, err, err)
	}
	return ce
}

func textOf(r *Result) string {
	if r.Data == nil {
		return ""
	}
	s, _ := r.Data.Data[display.MIMETypeText].(string)
	return s
}

func TestSplitChunks(t *testing.T) {
	tests := []struct {
		src  string
		want []string // "d:" declaration, "s:" statement, "-:" skipped, then the text
	}{
		{"import \"fmt\"\nfmt.Println(1)", []string{"d:import \"fmt\"", "s:fmt.Println(1)"}},
		{"x := 1; var y = 2; type T int", []string{"s:x := 1", "d:var y = 2", "d:type T int"}},
		{"func (r T) M() {}\nfunc() {}()\nfunc f() {}", []string{"d:func (r T) M() {}", "s:func() {}()", "d:func f() {}"}},
		{"package main\nx := f(1,\n\t2)", []string{"-:package main", "s:x := f(1,\n\t2)"}},
		{"// comment\nfor i := 0; i < 3; i++ {\n\tprintln(i)\n}\n", []string{"s:// comment\nfor i := 0; i < 3; i++ {\n\tprintln(i)\n}"}},
		{"if v := f(); v > 0 { g() }\nswitch x := 1; x {\n}", []string{"s:if v := f(); v > 0 { g() }", "s:switch x := 1; x {\n}"}},
		{"func (p *P) Set(v int) { p.v = v }", []string{"d:func (p *P) Set(v int) { p.v = v }"}},
		{"func(x int) { println(x) }(3)", []string{"s:func(x int) { println(x) }(3)"}},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range splitChunks(tt.src) {
			kind := "s:"
			if c.decl {
				kind = "d:"
			}
			if c.skip {
				kind = "-:"
			}
			got = append(got, kind+tt.src[c.start:c.end])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitChunks(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestMixedDeclarationsAndStatements(t *testing.T) {
	e := newEngine(t)
	// Statements, declarations and imports interleaved, a use before the
	// declaration, and state shared with the next cell.
	res := mustEval(t, e, `x := 3
import "strings"
func sq(v int) int { return v * v }
y := sq(x) + cube(2)
func cube(v int) int { return v * v * v }
type pair struct{ A, B int }
p := pair{y, len(strings.Fields("a b c"))}
p`)
	if got, want := textOf(res), "{17 3}"; got != want {
		t.Errorf("value = %q, want %q", got, want)
	}
	res = mustEval(t, e, "sq(p.B) + y")
	if !reflect.DeepEqual(res.Values, []any{9 + 17}) {
		t.Errorf("next cell = %v, want [26]", res.Values)
	}
	// Re-running a cell with imports works (yaegi alone rejects a second
	// import of a name).
	mustEval(t, e, "import \"strings\"\nimport \"fmt\"\nstrings.ToUpper(fmt.Sprint(1))")
}

func TestErrorPositions(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "a := 1")
	mustEval(t, e, "b := 2")
	tests := []struct {
		code string
		want string
	}{
		// cell 3: an undefined name in a function body on line 4.
		{"c := 3\n\nfunc f() int {\n\treturn c + missing\n}", "cell 3, line 4:13: undefined: missing"},
		// cell 4: := with an undefined name (yaegi says "constant definition loop").
		{"z := a +\n  nope", "cell 4, line 2:3: undefined: nope"},
		// cell 5: a syntax error in the second run of a cell.
		{"import \"math\"\nv := math.Sqrt(4\n", "cell 5, line 2:17: missing ','"},
		// cell 6: a type error after a statement on the same line.
		{"q := 1; var r string = q", "cell 6, line 1:24: "},
	}
	for _, tt := range tests {
		ce := evalErr(t, e, tt.code)
		if !strings.HasPrefix(ce.Error(), tt.want) {
			t.Errorf("cell %q: error %q, want prefix %q", tt.code, ce.Error(), tt.want)
		}
		if strings.Contains(ce.Error(), "pmcell") || strings.Contains(ce.Error(), "_.go") {
			t.Errorf("error %q leaks the engine's file names", ce.Error())
		}
	}
	// A file-named source keeps file positions.
	_, err := e.EvalSource(context.Background(), Source{Name: "model.go", Line: 10, Code: "k := 1\nk = undefinedThing"})
	if err == nil || !strings.HasPrefix(err.Error(), "model.go:11:5: undefined: undefinedThing") {
		t.Errorf("file source error = %v", err)
	}
}

func TestMultiValueResult(t *testing.T) {
	e := newEngine(t)
	res := mustEval(t, e, "func two() (int, string, error) { return 30, \"x\", nil }\ntwo()")
	if !reflect.DeepEqual(res.Values, []any{30, "x", nil}) {
		t.Errorf("values = %#v, want [30 x nil]", res.Values)
	}
	if got := textOf(res); got != "30 x <nil>" {
		t.Errorf("text = %q", got)
	}
	// A final expression list shows every value, as in gophernotes.
	res = mustEval(t, e, "m := map[string]int{\"a\": 7}\nv, ok := m[\"a\"]\nv, ok, len(m)")
	if !reflect.DeepEqual(res.Values, []any{7, true, 1}) {
		t.Errorf("expression list values = %#v", res.Values)
	}
	// Comma-ok forms outside functions (yaegi crashes on them as written).
	res = mustEval(t, e, `var x any = 2.5
f, isFloat := x.(float64)
_, isInt := x.(int)
w, found := m["zz"]
n := 0
for _, k := range []string{"a", "b"} {
	if v, ok := m[k]; ok {
		n += v
	}
	if _, ok := m[k]; !ok {
		n += 100
	}
}
f, isFloat, isInt, w, found, n`)
	if !reflect.DeepEqual(res.Values, []any{2.5, true, false, 0, false, 107}) {
		t.Errorf("comma-ok values = %#v", res.Values)
	}
	// Interpreted String methods shape the text of a plain value; a call
	// is not evaluated a second time for it.
	mustEval(t, e, "type temp float64\nfunc (t temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }\ncalls := 0\nfunc reading() temp { calls++; return 21.5 }")
	if got := textOf(mustEval(t, e, "temp(20)")); got != "20.0°C" {
		t.Errorf("String method text = %q", got)
	}
	mustEval(t, e, "reading()")
	if r := mustEval(t, e, "calls"); !reflect.DeepEqual(r.Values, []any{1}) {
		t.Errorf("reading() ran %v times for one cell", r.Values)
	}
	// A call without results is run, with no value.
	res = mustEval(t, e, "n := 0\nfunc inc() { n++ }\ninc()\ninc()")
	if res.HasValue || res.Data != nil {
		t.Errorf("void call gave a value: %#v", res.Values)
	}
	if got := mustEval(t, e, "n").Values; !reflect.DeepEqual(got, []any{2}) {
		t.Errorf("n = %v, want 2 (the last call must run exactly once)", got)
	}
	// A statement at the end gives no value; all-nil values show nothing.
	if res := mustEval(t, e, "var err error\nerr"); !res.HasValue || res.Data != nil {
		t.Errorf("nil value: HasValue=%v Data=%v", res.HasValue, res.Data)
	}
	// fmt.Println's byte count is not shown.
	if res := mustEval(t, e, "fmt.Println(1)"); res.HasValue {
		t.Errorf("fmt.Println gave a value %v", res.Values)
	}
}

func TestOutputOrder(t *testing.T) {
	var live []Output
	e, err := New(Options{OnOutput: func(o Output) { live = append(live, o) }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	res := mustEval(t, e, `import "os"
import "log"
fmt.Println("a")
fmt.Fprintln(os.Stdout, "b")
Display(display.Markdown("c"))
fmt.Print("d\n")
fmt.Fprintln(os.Stderr, "e")
log.SetFlags(0)
log.Println("f")
println("g")`)
	// Within a stream the order is kept, and Display calls sit between
	// the stdout text before and after them; text of the two streams may
	// interleave differently (like a terminal's two file descriptors).
	var streams = map[string]string{}
	var seq []string
	for _, o := range res.Outputs {
		if o.Name == "display" {
			seq = append(seq, "display:"+o.Data.Data[display.MIMETypeMarkdown].(string))
			continue
		}
		streams[o.Name] += o.Text
		if o.Name == "stdout" {
			seq = append(seq, "stdout:"+o.Text)
		}
	}
	if streams["stdout"] != "a\nb\nd\ng\n" || streams["stderr"] != "e\nf\n" {
		t.Errorf("streams = %q", streams)
	}
	if len(seq) < 2 || seq[0] != "stdout:a\nb\n" || seq[1] != "display:c" {
		t.Errorf("order around Display = %q", seq)
	}
	// The listener saw the same text, possibly in more pieces.
	var all strings.Builder
	for _, o := range live {
		all.WriteString(o.Text)
	}
	if len(all.String()) != len("a\nb\nd\ne\nf\ng\n") {
		t.Errorf("live text = %q", all.String())
	}
	// Outputs of one cell do not leak into the next.
	if res := mustEval(t, e, "1"); len(res.Outputs) != 0 {
		t.Errorf("second cell outputs = %v", res.Outputs)
	}
}

func TestGuards(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "limit := 4\nfunc seq(yield func(int) bool) { yield(1) }\nfunc count() int { return 2 }")
	tests := []struct {
		code, want, pos string
	}{
		{"for i := range 10 { _ = i }", "range over an integer", "line 1:16"},
		{"for i := range limit { _ = i }", "for i := 0; i < n; i++", "line 1:16"},
		{"k := 5\nfor range k - 1 {}", "range over an integer", "line 2:11"},
		{"for x := range seq { _ = x }", "range over a function", "line 1:16"},
		{"for x := range func(y func(int) bool) {} { _ = x }", "range over a function", "line 1:16"},
		// Not recognisable without types: yaegi's compiler panics, the
		// engine recovers and explains.
		{"for i := range count() { _ = i }", "range over an integer or a function", "line 1:16"},
		{"v := min(1, 2)", "math.Min", "line 1:6"},
		{"x := 1\ny := max(x, 2)", "math.Max", "line 2:6"},
		{"m := map[int]int{}\nclear(m)", "clear builtin", "line 2:1"},
		{"type T struct{}\nfunc (T) M() {}\nf := T.M", "method expressions", "line 3:6"},
		{"g := (*T).M", "method expressions", "line 1:6"},
		{"if true {\n\tdefer fmt.Println()\n}", "defer at the top level", "line 2:2"},
		{"type Q struct{ A int }\ntype Q struct{ A, B int }", "declared differently before", "line 2:6"},
	}
	for _, tt := range tests {
		ce := evalErr(t, e, tt.code)
		pos := fmt.Sprintf("cell %d, %s", e.Count(), tt.pos)
		if ce.Kind != UnsupportedError || !strings.Contains(ce.Msg, tt.want) || ce.Pos.String() != pos {
			t.Errorf("cell %q: got %v (%v), want %s at %s", tt.code, ce, ce.Kind, tt.want, pos)
		}
		// The session stays usable.
		if r := mustEval(t, e, "limit + 1"); !reflect.DeepEqual(r.Values, []any{5}) {
			t.Fatalf("after %q: limit+1 = %v", tt.code, r.Values)
		}
	}
	// User-declared min is not the builtin.
	if r := mustEval(t, e, "func min(a, b int) int { if a < b { return a }; return b }\nmin(3, 2)"); !reflect.DeepEqual(r.Values, []any{2}) {
		t.Errorf("own min = %v", r.Values)
	}
	// Generic stdlib gaps get a hint instead of a puzzle.
	ce := evalErr(t, e, "import \"slices\"\nslices.Max([]int{1})")
	if !strings.Contains(ce.Msg, "generic standard-library") || ce.Pos.Line != 2 {
		t.Errorf("slices.Max error = %v", ce)
	}
}

func TestLoopVariablesPerIteration(t *testing.T) {
	e := newEngine(t)
	res := mustEval(t, e, `var fs []func() int
for i := 0; i < 3; i++ {
	fs = append(fs, func() int { return i })
}
var gs []func() string
for k, v := range []string{"a", "b"} {
	gs = append(gs, func() string { return fmt.Sprint(k, v) })
}
fmt.Sprintf("%d %s %s", fs[0]()+fs[1]()+fs[2](), gs[0](), gs[1]())`)
	if got := textOf(res); got != "3 0a 1b" {
		t.Errorf("closures saw %q, want Go 1.22 semantics %q", got, "3 0a 1b")
	}
	// A loop that changes its variable keeps working.
	res = mustEval(t, e, "s := 0\nfor i := 0; i < 10; i++ { if i == 2 { i += 5 }; s += i; _ = func() {} }\ns")
	if !reflect.DeepEqual(res.Values, []any{0 + 1 + 7 + 8 + 9}) {
		t.Errorf("loop with assignment: %v", res.Values)
	}
}

func TestPanics(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "func g() {\n\tpanic(\"boom\")\n}")
	ce := evalErr(t, e, "func h() {\n\tg()\n}\nh()")
	if ce.Kind != PanicError || ce.Msg != "panic: boom" || ce.Pos.String() != "cell 1, line 2:2" {
		t.Errorf("interpreted panic = %v (%v)", ce, ce.Kind)
	}
	if want := []string{"cell 1, line 2:2 (g)", "cell 2, line 2:2 (h)", "cell 2, line 4:1 (top level)"}; !reflect.DeepEqual(ce.Trace, want) {
		t.Errorf("trace = %q, want %q", ce.Trace, want)
	}
	ce = evalErr(t, e, "var s []int\n_ = s[3]")
	if ce.Kind != PanicError || ce.Pos.String() != "cell 3, line 2:5" {
		t.Errorf("index panic = %v", ce)
	}
	// A panic in compiled code (gonum) keeps its value for errors.Is.
	ce = evalErr(t, e, "import \"gonum.org/v1/gonum/mat\"\nd := mat.NewDense(0, 0, nil)")
	if ce.Kind != PanicError || ce.Pos.Line != 2 || !errors.Is(ce, mat.ErrZeroLength) {
		t.Errorf("compiled panic = %v (value %#v)", ce, ce.Value)
	}
	// yaegi's own panic lines do not reach stderr.
	res, _ := e.Eval(context.Background(), "panic(\"again\")")
	for _, o := range res.Outputs {
		if strings.Contains(o.Text, "panic") {
			t.Errorf("yaegi panic line leaked: %q", o.Text)
		}
	}
	// Goroutines started with arguments get them evaluated by the caller.
	res = mustEval(t, e, `func work(c chan int, v int) { c <- v * 2 }
c := make(chan int, 1)
go work(c, 21)
<-c`)
	if !reflect.DeepEqual(res.Values, []any{42}) {
		t.Errorf("go with arguments: %v", res.Values)
	}
	// main is an ordinary function: not run when declared or later.
	res = mustEval(t, e, "ran := 0\nfunc main() { ran++ }")
	mustEval(t, e, "1")
	if r := mustEval(t, e, "main()\nran"); !reflect.DeepEqual(r.Values, []any{1}) {
		t.Errorf("main ran %v times, want 1", r.Values)
	}
}

func TestGoroutinePanic(t *testing.T) {
	var mu sync.Mutex
	var stderr strings.Builder
	e, err := New(Options{OnOutput: func(o Output) {
		mu.Lock()
		defer mu.Unlock()
		if o.Name == "stderr" {
			stderr.WriteString(o.Text)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// Without the engine's guard this panic would end the test process.
	mustEval(t, e, "go func() {\n\tpanic(\"in goroutine\")\n}()")
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := stderr.String()
		mu.Unlock()
		if strings.Contains(got, "panic in goroutine started at cell 1, line 1:1: in goroutine") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutine panic report = %q", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mustEval(t, e, "1 + 1")
}

func TestInterrupt(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "n := 0")
	go func() {
		// Wait for the cell to start, then interrupt it.
		for e.Context() == context.Background() {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		e.Interrupt()
	}()
	start := time.Now()
	_, err := e.Eval(context.Background(), "for {\n\tn++\n}")
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != InterruptError {
		t.Fatalf("infinite loop: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("interrupt took %v", d)
	}
	// The session still works and kept the loop's effect.
	if r := mustEval(t, e, "n > 0"); !reflect.DeepEqual(r.Values, []any{true}) {
		t.Errorf("after interrupt n > 0 = %v", r.Values)
	}
	// A caller's deadline interrupts too.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Eval(ctx, "for {}"); !errors.As(err, &ce) || ce.Kind != InterruptError {
		t.Errorf("deadline: %v", err)
	}
	// Interpreted code reaches the cell's context; it ends with the cell.
	r := mustEval(t, e, "c := Context()\nc.Err() == nil")
	if !reflect.DeepEqual(r.Values, []any{true}) {
		t.Errorf("Context() during the cell: %v", r.Values)
	}
	if r := mustEval(t, e, "c.Err() != nil"); !reflect.DeepEqual(r.Values, []any{true}) {
		t.Errorf("Context() after its cell: %v", r.Values)
	}
	if e.Context() != context.Background() {
		t.Errorf("Context() between cells is not Background")
	}
}

func TestRenderedValues(t *testing.T) {
	e := newEngine(t)
	res := mustEval(t, e, "import (\"image\"; \"image/color\")\nimg := image.NewRGBA(image.Rect(0, 0, 5, 3))\nimg.Set(1, 1, color.RGBA{255, 0, 0, 255})\nimg")
	b, ok := res.Data.Data[display.MIMETypePNG].([]byte)
	if !ok {
		t.Fatalf("image value: no PNG in %v", res.Data)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 5 || img.Bounds().Dy() != 3 {
		t.Errorf("PNG bounds %v", img.Bounds())
	}
	if r, _, _, _ := img.At(1, 1).RGBA(); r != 0xffff {
		t.Errorf("pixel (1,1) red = %x", r)
	}
	res = mustEval(t, e, "display.HTML(\"<table><tr><td>a</td><td>1</td></tr></table>\")")
	if res.Data.Data[display.MIMETypeHTML] == nil || textOf(res) != "a\t1" {
		t.Errorf("HTML bundle = %v", res.Data.Data)
	}
	// Scripts show every top-level expression.
	res, err = e.EvalSource(context.Background(), Source{Name: "s.go", Code: "1 + 1\nx := 3\nx * 2\nimport \"strings\"\nb := strings.NewReader(\"abc\")\nb.Len()\nstrings.ToUpper(\"q\")", Script: true})
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, o := range res.Outputs {
		if o.Name == "display" {
			shown = append(shown, o.Data.Data[display.MIMETypeText].(string))
		}
	}
	// Method calls are statements for their effect in scripts.
	if !reflect.DeepEqual(shown, []string{"2", "6", "Q"}) {
		t.Errorf("Script showed %q", shown)
	}
}

func TestImports(t *testing.T) {
	e := newEngine(t)
	ce := evalErr(t, e, "import fmt \"strings\"")
	if !strings.Contains(ce.Msg, "already imported") || ce.Pos.String() != "cell 1, line 1:8" {
		t.Errorf("rebinding fmt: %v", ce)
	}
	ce = evalErr(t, e, "import \"github.com/nobody/nothing\"")
	if !strings.Contains(ce.Msg, "not available") || !strings.Contains(ce.Msg, "gonum.org/v1/gonum/mat") {
		t.Errorf("unknown package: %v", ce)
	}
	mustEval(t, e, "import m2 \"math\"\nm2.Sqrt(4)")
	if r := mustEval(t, e, "m2.Sqrt(9) + math.Sqrt(16)"); !reflect.DeepEqual(r.Values, []any{7.0}) {
		t.Errorf("aliased import: %v", r.Values)
	}
}

func TestReset(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "gone := 1")
	if err := e.Reset(); err != nil {
		t.Fatal(err)
	}
	ce := evalErr(t, e, "gone")
	if ce.Pos.File != "cell 1" || !strings.Contains(ce.Msg, "undefined: gone") {
		t.Errorf("after reset: %v", ce)
	}
	mustEval(t, e, "math.Pi > 3")
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

func TestIsComplete(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"x := 1\n", true},
		{"func f() {\n", false},
		{"func f() {\n\treturn\n}\n", true},
		{"xs := []int{\n\t1,\n", false},
		{"fmt.Println(1,\n", false},
		{"y := 1 +\n", false},
		{"s := `raw\n", false},
		{"s := `raw\nstring`\n", true},
		{"i++\n", true},
		{"m.Var(\"a\").\n", false},
		{"// just a comment\n", true},
		{"if x {\n} else {\n", false},
	}
	for _, tt := range tests {
		if got := IsComplete(tt.src); got != tt.want {
			t.Errorf("IsComplete(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestComplete(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, `type Point struct{ X, Y float64 }
func (p Point) Norm() float64 { return p.X*p.X + p.Y*p.Y }
pt := Point{1, 2}
import "gonum.org/v1/gonum/mat"
d := mat.NewDense(2, 2, nil)`)
	check := func(code string, cursor int, want []string, wantStart int) {
		t.Helper()
		got, start, _ := e.Complete(code, cursor)
		if !reflect.DeepEqual(got, want) || start != wantStart {
			t.Errorf("Complete(%q, %d) = %q at %d, want %q at %d", code, cursor, got, start, want, wantStart)
		}
	}
	check("fmt.Prin", 8, []string{"Print", "Printf", "Println"}, 4)
	check("x := Poi", 8, []string{"Point"}, 5)
	check("pt.", 3, []string{"X", "Y"}, 3) // interpreted methods are invisible to reflect
	check("mat.NewDe", 9, []string{"NewDense"}, 4)
	check("math.Sq", 7, []string{"Sqrt", "Sqrt2", "SqrtE", "SqrtPhi", "SqrtPi"}, 5)
	check("v := math.Sqrt2 + 1", 12, []string{"Sqrt", "Sqrt2", "SqrtE", "SqrtPhi", "SqrtPi"}, 10)
	// Methods of a compiled type, against reflect's own list.
	var want []string
	tp := reflect.TypeOf(&mat.Dense{})
	for i := 0; i < tp.NumMethod(); i++ {
		want = append(want, tp.Method(i).Name)
	}
	got, _, _ := e.Complete("d.", 2)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("Complete(d.) lacks %s", w)
		}
	}
	got, _, _ = e.Complete("ma", 2)
	for _, w := range []string{"make", "map", "mat", "math"} {
		if !contains(got, w) {
			t.Errorf("Complete(ma) = %q lacks %s", got, w)
		}
	}
	// Identifiers of the cell being typed count too.
	if got, _, _ := e.Complete("longName := 1\nlongN", 19); !reflect.DeepEqual(got, []string{"longName"}) {
		t.Errorf("cell-local completion = %q", got)
	}
	// Display and Context are offered; engine internals are not.
	if got, _, _ := e.Complete("Disp", 4); !reflect.DeepEqual(got, []string{"Display"}) {
		t.Errorf("builtin completion = %q", got)
	}
	if got, _, _ := e.Complete("__", 2); len(got) != 0 {
		t.Errorf("internals offered: %q", got)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestInspect(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, "import \"gonum.org/v1/gonum/mat\"\nd := mat.NewDense(2, 2, nil)\n// sq squares v.\nfunc sq(v int) int { return v * v }")
	tests := []struct {
		code      string
		cursor    int
		sig, doc  string
		wantFound bool
	}{
		{"fmt.Println(x)", 6, "func Println(a ...any) (n int, err error)", "Println formats using the default formats", true},
		{"mat.NewDense", 12, "func NewDense(r, c int, data []float64) *Dense", "NewDense creates a new Dense matrix", true},
		{"d.At(0, 0)", 3, "func (m *Dense) At(i, j int) float64", "At returns the element at row i, column j", true},
		{"sq(2)", 1, "func sq(v int) int", "sq squares v.", true},
		{"display.HTML", 10, "func HTML(html string) Data", "HTML returns an HTML bundle", true},
		{"strings.Fields", 10, "func Fields(s string) []string", "Fields splits the string", true},
		{"nothingHere", 3, "", "", false},
	}
	for _, tt := range tests {
		d, ok := e.Inspect(tt.code, tt.cursor)
		if ok != tt.wantFound {
			t.Errorf("Inspect(%q) found=%v", tt.code, ok)
			continue
		}
		if !ok {
			continue
		}
		if !strings.Contains(d.Signature, tt.sig) || !strings.Contains(d.Doc, tt.doc) {
			t.Errorf("Inspect(%q) = %q / %q, want %q / %q", tt.code, d.Signature, d.Doc, tt.sig, tt.doc)
		}
	}
	d, ok := e.Inspect("d", 1)
	if !ok || d.Signature != "var d *mat.Dense" || !strings.Contains(d.Doc, "Dense is a dense matrix") {
		t.Errorf("Inspect(d) = %+v", d)
	}
}

// TestInterruptKeepsPartialResult checks the hook pm's samplers use: a
// compiled function watching the cell's Context returns its partial result
// when the cell is interrupted, and the cell goes on with it.
func TestInterruptKeepsPartialResult(t *testing.T) {
	count := func(ctx context.Context) int {
		n := 0
		for ctx.Err() == nil {
			n++
			time.Sleep(time.Millisecond)
		}
		return n
	}
	e, err := New(Options{Symbols: map[string]map[string]reflect.Value{
		"example.com/work/work": {"Count": reflect.ValueOf(count)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	go func() {
		for e.Context() == context.Background() {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(30 * time.Millisecond)
		e.Interrupt()
	}()
	res, err := e.Eval(context.Background(), "import \"example.com/work\"\nn := work.Count(Context())\nfmt.Println(\"partial\", n > 0)")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || len(res.Outputs) != 1 || res.Outputs[0].Text != "partial true\n" {
		t.Errorf("interrupted cell: Interrupted=%v outputs %q", res.Interrupted, res.Outputs)
	}
	if r := mustEval(t, e, "n > 0"); !reflect.DeepEqual(r.Values, []any{true}) {
		t.Errorf("partial result not kept: %v", r.Values)
	}
}

func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		e, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

func BenchmarkEvalCell(b *testing.B) {
	e := newEngine(b)
	for i := 0; i < b.N; i++ {
		if _, err := e.Eval(context.Background(), "x := 2\nfunc f(v int) int { return v + x }\nf(3)"); err != nil {
			b.Fatal(err)
		}
	}
}
