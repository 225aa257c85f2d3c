package repl

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopm-dev/gopm/pm/step"
	"github.com/gopm-dev/gopm/repl/symbols"
)

// hasPackage reports whether the generated symbols include path.
func hasPackage(path string) bool {
	for _, p := range symbols.Packages {
		if p.Path == path {
			return true
		}
	}
	return false
}

// TestInterruptSampler checks the chain the issue asks for: Interrupt
// cancels the cell's Context, pm's sampler (which the engine handed it
// through pm.Context, unasked) returns its partial trace, and the session
// keeps it.
func TestInterruptSampler(t *testing.T) {
	if !hasPackage("github.com/gopm-dev/gopm/pm") {
		t.Skip("package pm was not generated into the symbols yet")
	}
	// A compiled draw callback tells the test when real draws exist.
	var iters atomic.Int64
	onDraw := func(chain, iter int, x []float64) { iters.Store(int64(iter)) }
	e, err := New(Options{
		InterruptGrace: 10 * time.Second, // a loaded machine may be slow to wind down
		Symbols: map[string]map[string]reflect.Value{
			"example.com/hook/hook": {"OnDraw": reflect.ValueOf(onDraw)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	mustEval(t, e, `import "example.com/hook"
m := pm.NewModel()
mu := m.Var("mu", pm.Normal(0, 10))
m.Observe("y", pm.Normal(mu, 1), []float64{1.2, 0.8, 1.1})`)
	go func() {
		for iters.Load() < 100 {
			time.Sleep(time.Millisecond)
		}
		e.Interrupt()
	}()
	start := time.Now()
	res, err := e.Eval(context.Background(), "trace, err := m.Sample(pm.Draws(50000000), pm.Tune(50), pm.Chains(1), pm.Seed(1), pm.OnDraw(hook.OnDraw))")
	if err != nil {
		t.Fatalf("interrupted sampling: %v", err)
	}
	if !res.Interrupted {
		t.Errorf("cell not marked interrupted")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("sampler took %v to stop", d)
	}
	r := mustEval(t, e, "trace != nil, err == nil, trace.NDraws() > 0, trace.NDraws() < 50000000")
	if !reflect.DeepEqual(r.Values, []any{true, true, true, true}) {
		t.Errorf("partial trace: %v", r.Values)
	}
}

// A model-building mistake is an error at the user's line with pm's message, not a panic, and
// the session goes on.
func TestModelErrorAtUserLine(t *testing.T) {
	e := newEngine(t)
	mustEval(t, e, `m := pm.NewModel()`)
	_, err := e.Eval(context.Background(), "\nx := m.Var(\"x\", pm.Normal(0, -1))")
	want := `cell 2, line 2:6: pm: Var "x": Normal: sigma is -1, but must be positive`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	mustEval(t, e, `y := m.Var("y", pm.Normal(0, 1))`)
}

// An interrupted m.Fit returns the approximation reached (the engine passes the cell's context
// through pm.FitContext, unasked), and its progress reaches Options.OnProgress with the ELBO.
func TestInterruptFit(t *testing.T) {
	if !hasPackage("github.com/gopm-dev/gopm/pm") {
		t.Skip("package pm was not generated into the symbols yet")
	}
	var fitCalls atomic.Int64
	var e *Engine
	e, err := New(Options{
		InterruptGrace: 10 * time.Second,
		OnProgress: func(p step.Progress) {
			if p.Fit != "" && fitCalls.Add(1) == 2 {
				go e.Interrupt()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	mustEval(t, e, `m := pm.NewModel()
mu := m.Var("mu", pm.Normal(0, 10))
m.Observe("y", pm.Normal(mu, 1), []float64{1.2, 0.8, 1.1})`)
	res, err := e.Eval(context.Background(), "approx, err := m.Fit(pm.ADVI(), pm.FitMaxIter(1000000000), pm.FitTolerance(1e-300))")
	if err != nil {
		t.Fatalf("interrupted fit: %v", err)
	}
	if !res.Interrupted {
		t.Errorf("cell not marked interrupted")
	}
	r := mustEval(t, e, "err == nil, approx.Cancelled, len(approx.ELBO) > 0, approx.Trace != nil")
	if !reflect.DeepEqual(r.Values, []any{true, true, true, true}) {
		t.Errorf("interrupted approximation: %v", r.Values)
	}
	if fitCalls.Load() < 2 {
		t.Errorf("%d progress calls from Fit", fitCalls.Load())
	}
}
