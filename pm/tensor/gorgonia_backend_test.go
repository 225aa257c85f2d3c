package tensor_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/backend/gorgonia"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The cross-backend suites run on gorgonia too: the elementwise cases, the shape, index and
// reduction cases, the linear-algebra cases and the fused likelihoods, each with its gradient.
// gorgonia's values and gradients (the translated gradient graph, and gorgonia's own
// differentiation of Σ y²) must agree with vm's within gorgoniaTol relative (absolute below 1);
// a case gorgonia does not cover must fail at compile time with an UncoveredError for an op
// listed in the table of pm/backend/gorgonia's documentation (gorgoniaUncovered here).

const gorgoniaTol = 1e-12

// gorgoniaUncovered lists the ops the gorgonia backend documents as not covered.
var gorgoniaUncovered = map[string]bool{
	"round": true, "erf": true, "erfc": true, "gammaln": true, "psi": true, "tri_gamma": true,
	"log1mexp": true, "prod": true, "cumprod": true, "mask": true, "slice{step≠1}": true,
	"argmax": true, "repeat": true, "batch_matmul": true, "cholesky": true, "solve_triangular": true,
	"solve": true, "logdet": true, "matrix_inverse": true, "diag": true, "extract_diag": true,
	"tri": true, "scan": true, "random": true,
}

// uncoveredKey maps an op's printed name to its row in the table.
func uncoveredKey(op string) string {
	name := op
	if i := strings.IndexAny(name, "{"); i > 0 {
		if strings.HasPrefix(name, "slice{") || strings.HasPrefix(name, "inc_subtensor{slice") || strings.HasPrefix(name, "set_subtensor{slice") {
			return "slice{step≠1}"
		}
		name = name[:i]
	}
	switch {
	case strings.HasPrefix(name, "random_") || strings.HasPrefix(name, "mv"):
		return "random"
	case strings.HasPrefix(name, "scan"):
		return "scan"
	case name == "argmax" || name == "argmin":
		return "argmax"
	case strings.HasPrefix(name, "mask") || strings.HasPrefix(name, "inc_mask") || strings.HasPrefix(name, "set_mask"):
		return "mask"
	case strings.HasPrefix(name, "repeat"):
		return "repeat"
	case strings.HasPrefix(name, "solve_triangular"):
		return "solve_triangular"
	case strings.HasPrefix(name, "tril") || strings.HasPrefix(name, "triu"):
		return "tri"
	}
	return name
}

// gorgoniaRun compiles outs on vm and on gorgonia, calls both twice on vals, and compares.
// With cost non-nil it also compiles cost's gradient with respect to vars on gorgonia-ad and
// compares it with vm's. It returns the uncovered op's row if gorgonia refused the graph.
func gorgoniaRun(t *testing.T, name string, vars []*tensor.Tensor, outs []*tensor.Tensor, cost *tensor.Tensor, vals []any, tol float64) string {
	t.Helper()
	ins := make([]any, len(vars))
	for i, x := range vars {
		ins[i] = x
	}
	run := func(f *backend.Function) []*tensor.Array {
		var res []*tensor.Array
		var err error
		for k := 0; k < 2; k++ { // the second call reuses the translation
			if res, err = f.Call(vals...); err != nil {
				t.Fatalf("%s on %s: %v", name, f.Backend(), err)
			}
		}
		return res
	}
	ref, err := backend.Compile(ins, outs, backend.Use("vm"))
	if err != nil {
		t.Fatalf("%s on vm: %v", name, err)
	}
	want := run(ref)
	g, err := backend.Compile(ins, outs, backend.Use("gorgonia"))
	var unc *gorgonia.UncoveredError
	if errors.As(err, &unc) {
		key := uncoveredKey(unc.Op)
		if !gorgoniaUncovered[key] {
			t.Errorf("%s: gorgonia does not cover op %s, which its documentation does not list: %v", name, unc.Op, err)
		}
		if !strings.Contains(err.Error(), "vm") || !strings.Contains(err.Error(), "debug") {
			t.Errorf("%s: the error does not name the backends that can run %s: %v", name, unc.Op, err)
		}
		return key
	}
	if err != nil {
		t.Fatalf("%s on gorgonia: %v", name, err)
	}
	gorgoniaCompare(t, name, "gorgonia", want, run(g), tol)
	if cost == nil {
		return ""
	}
	var wrt []*tensor.Tensor
	for _, v := range vars {
		if v.DType().IsFloat() {
			wrt = append(wrt, v)
		}
	}
	vmg, err := backend.CompileGradient(ins, cost, wrt, backend.Use("vm"))
	if err != nil {
		t.Fatalf("%s on vm: %v", name, err)
	}
	ad, err := backend.CompileGradient(ins, cost, wrt, backend.Use("gorgonia-ad"))
	if err != nil {
		t.Fatalf("%s on gorgonia-ad: %v", name, err)
	}
	gorgoniaCompare(t, name, "gorgonia-ad", run(vmg), run(ad), tol)
	return ""
}

func gorgoniaCompare(t *testing.T, name, be string, want, got []*tensor.Array, tol float64) {
	t.Helper()
	for k := range want {
		a, b := want[k], got[k]
		if fmt.Sprint(a.Shape) != fmt.Sprint(b.Shape) {
			t.Errorf("%s output %d: shape %v on %s, %v on vm", name, k, b.Shape, be, a.Shape)
			continue
		}
		for i := range a.Data {
			x, y := a.Data[i], b.Data[i]
			if x == y || (math.IsNaN(x) && math.IsNaN(y)) {
				continue
			}
			if !(math.Abs(x-y) <= tol*math.Max(1, math.Abs(x))) {
				t.Errorf("%s output %d element %d: %.17g on %s, %.17g on vm", name, k, i, y, be, x)
				break
			}
		}
	}
}

// reportUncovered logs the uncovered rows met, sorted.
func reportUncovered(t *testing.T, seen map[string]bool) {
	var l []string
	for k := range seen {
		l = append(l, k)
	}
	sort.Strings(l)
	t.Logf("uncovered on gorgonia (documented): %s", strings.Join(l, ", "))
}

func TestElemwiseOnGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261206, 3))
	seen := map[string]bool{}
	for _, c := range ewCases() {
		layouts := map[int][]ewLayout{1: ewUnary, 2: ewBinary, 3: ewTernary}[len(c.dom)]
		for _, l := range layouts {
			in := make([]*tensor.Tensor, len(c.dom))
			vals := make([]any, len(c.dom))
			for i := range c.dom {
				in[i] = tensor.NewVar(fmt.Sprintf("x%d", i), tensor.Float64, l.static[i]...)
				a := tensor.NewArray(tensor.Float64, l.shapes[i]...)
				for k := range a.Data {
					a.Data[k] = c.dom[i](rng)
				}
				vals[i] = a
			}
			y := c.f(in)
			outs := []*tensor.Tensor{y}
			var cost *tensor.Tensor
			if c.grad {
				cost = tensor.Sum(y)
				wrt := in
				if c.name == "switch" {
					wrt = in[1:]
				}
				outs = append(outs, tensor.Grad(cost, wrt...)...)
				if c.name == "switch" {
					cost = nil // the condition is an input without a gradient
				}
			}
			if k := gorgoniaRun(t, c.name+" "+l.name, in, outs, cost, vals, gorgoniaTol); k != "" {
				seen[k] = true
				break
			}
		}
	}
	reportUncovered(t, seen)
}

func TestOpsShapeOnGorgonia(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range opsCases() {
		vars := c.vars()
		y := c.f(vars)
		cost := tensor.Sum(tensor.Mul(y, y))
		outs := append([]*tensor.Tensor{y}, tensor.Grad(cost, vars...)...)
		if k := gorgoniaRun(t, c.name, vars, outs, cost, c.vals, gorgoniaTol); k != "" {
			seen[k] = true
		}
	}
	reportUncovered(t, seen)
}

func TestLinalgOnGorgonia(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range lbeCases() {
		vars := make([]*tensor.Tensor, c.nvars)
		for i := range vars {
			shape := make([]int, c.ndims[i])
			for k := range shape {
				shape[k] = tensor.Unknown
			}
			vars[i] = tensor.NewVar(string(rune('a'+i)), tensor.Float64, shape...)
		}
		y := c.f(vars)
		cost := tensor.Sum(tensor.Mul(y, y))
		outs := append([]*tensor.Tensor{y}, tensor.Grad(cost, vars...)...)
		if k := gorgoniaRun(t, c.name, vars, outs, cost, c.vals, gorgoniaTol); k != "" {
			seen[k] = true
		}
	}
	reportUncovered(t, seen)
}

// The fused likelihoods (summed and elementwise, so both LikelihoodOp and LikelihoodSumOp run)
// and the recurrence, with both gradient modes.
func TestLikelihoodsOnGorgonia(t *testing.T) {
	x := tensor.NewVar("x", tensor.Float64, 6)
	s := tensor.Scalar("s")
	xs := []float64{-1.2, 0.3, 2.2, 0.0, -0.7, 1.9}
	graphs := map[string]*tensor.Tensor{
		"normal":          tensor.Sum(tensor.NormalLogp([]float64{0.5, 1, -2, 0.1, 3, 0}, x, tensor.Exp(s))),
		"normal-vec":      tensor.Sum(tensor.NormalLogp(x, 0.3, tensor.Add(tensor.Square(x), 0.5))),
		"normal-weighted": tensor.Sum(tensor.Mul(tensor.NormalLogp(x, s, 2.0), x)),
		// The x partial comes negated and the σ partial summed (folded into the op), on the
		// elementwise op and on the fused sum (18 elements).
		"normal-x":       tensor.Sum(tensor.NormalLogp(x, 0.3, tensor.Exp(s))),
		"normal-x-long":  tensor.Sum(tensor.NormalLogp(tensor.Concatenate(0, x, x, x), 0.3, tensor.Exp(s))),
		"bernoulli":      tensor.Sum(tensor.Mul(tensor.BernoulliLogitLogp([]float64{1, 0, 1, 1, 0, 0}, x), 1.5)),
		"bern-summed":    tensor.Sum(tensor.BernoulliLogitLogp([]float64{1, 0, 1, 1, 0, 0}, tensor.Mul(x, 30.0))),
		"poisson":        tensor.Sum(tensor.PoissonLogLogp([]float64{0, 2, 5, 1, 0, 3}, tensor.Mul(x, s))),
		"recurrence":     tensor.Sum(tensor.Square(tensor.Recurrence(x, tensor.Tanh(s)))),
		"recurrence-rev": tensor.Sum(tensor.Exp(tensor.Recurrence(tensor.Exp(x), tensor.Tanh(s)))),
	}
	for name, lp := range graphs {
		outs := append([]*tensor.Tensor{lp}, tensor.Grad(lp, x, s)...)
		if k := gorgoniaRun(t, name, []*tensor.Tensor{x, s}, outs, lp, []any{xs, 0.4}, gorgoniaTol); k != "" {
			t.Errorf("%s: not covered (%s)", name, k)
		}
	}
}

// An uncovered op is a compile-time error that names the op, the variable it computes and the
// backends that can run it; there is no silent fallback.
func TestGorgoniaUncoveredError(t *testing.T) {
	x := tensor.Vector("x")
	y := tensor.Lgamma(x).Named("lg")
	_, err := backend.Compile([]any{x}, tensor.Sum(y), backend.Use("gorgonia"))
	var unc *gorgonia.UncoveredError
	if !errors.As(err, &unc) {
		t.Fatalf("got %v, want an UncoveredError", err)
	}
	for _, s := range []string{"gammaln", `"lg"`, "debug", "vm"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
}
