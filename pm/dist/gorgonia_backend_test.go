package dist

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/backend/gorgonia"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The distributions on gorgonia: each log-density and its gradient (with respect to the
// parameters and, for continuous distributions, the value) compiled on vm, on gorgonia (the
// translated gradient graph) and on gorgonia-ad (gorgonia's own differentiation) agree within
// 1e-12 relative (absolute below 1), or gorgonia refuses the graph at compile time with an
// UncoveredError naming the op, which pm/backend/gorgonia's documentation lists.

const gorgoniaTol = 1e-12

// gorgoniaDistRun compiles cost's value and gradient w.r.t. vars on vm, gorgonia and
// gorgonia-ad and compares them; it returns the uncovered op if gorgonia refused.
func gorgoniaDistRun(t *testing.T, name string, vars []*tensor.Tensor, cost *tensor.Tensor, vals []any) string {
	t.Helper()
	ins := make([]any, len(vars))
	for i, v := range vars {
		ins[i] = v
	}
	grad := true
	call := func(be string) ([]*tensor.Array, error) {
		var f *backend.Function
		var err error
		if grad {
			f, err = backend.CompileGradient(ins, cost, vars, backend.Use(be))
		} else {
			f, err = backend.Compile(ins, cost, backend.Use(be))
		}
		if err != nil {
			return nil, err
		}
		return f.Call(vals...)
	}
	want, err := call("vm")
	if err != nil && strings.Contains(err.Error(), "not differentiable") {
		// A log-density without a gradient (PolyaGamma's series): compare the values alone.
		grad = false
		want, err = call("vm")
	}
	if err != nil {
		t.Fatalf("%s on vm: %v", name, err)
	}
	for _, be := range []string{"gorgonia", "gorgonia-ad"} {
		got, err := call(be)
		var unc *gorgonia.UncoveredError
		if errors.As(err, &unc) {
			return unc.Op
		}
		if err != nil {
			t.Errorf("%s on %s: %v", name, be, err)
			continue
		}
		for k := range want {
			for i := range want[k].Data {
				a, b := want[k].Data[i], got[k].Data[i]
				if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
					continue
				}
				if !(math.Abs(a-b) <= gorgoniaTol*math.Max(1, math.Abs(a))) {
					t.Errorf("%s on %s: output %d[%d] = %.17g, vm %.17g", name, be, k, i, b, a)
					break
				}
			}
		}
	}
	return ""
}

func TestScalarDistsOnGorgonia(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 7))
	uncovered := map[string][]string{}
	for _, c := range scalarCases() {
		p := c.params(r)
		xs := make([]float64, 20)
		for i := range xs {
			xs[i] = c.point(r, p)
		}
		var vars []*tensor.Tensor
		var vals []any
		params := make([]any, len(p))
		for i, v := range p {
			s := tensor.Scalar("p")
			vars = append(vars, s)
			vals = append(vals, v)
			params[i] = s
		}
		var x any = xs
		if !c.discrete {
			xv := tensor.NewVar("x", tensor.Float64, len(xs))
			vars = append(vars, xv)
			vals = append(vals, xs)
			x = xv
		} else {
			// Discrete distributions take integer values, which are data.
			iv := make([]int, len(xs))
			for i, v := range xs {
				iv[i] = int(v)
			}
			x = iv
		}
		d := c.build(params)
		if err := d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if op := gorgoniaDistRun(t, c.name, vars, tensor.Sum(d.Logp(tensor.As(x))), vals); op != "" {
			uncovered[op] = append(uncovered[op], c.name)
		}
	}
	logUncovered(t, uncovered)
}

// Every distribution of allDists at its initial value, gradient with respect to the value.
func TestAllDistsOnGorgonia(t *testing.T) {
	uncovered := map[string][]string{}
	for _, d := range allDists() {
		a := evalT(t, d.InitialValue(nil))
		if a.DType != tensor.Float64 {
			continue // discrete: covered with their parameters above
		}
		x := tensor.NewVar("x", tensor.Float64, a.Shape...)
		if op := gorgoniaDistRun(t, d.Name(), []*tensor.Tensor{x}, tensor.Sum(d.Logp(x)), []any{a}); op != "" {
			uncovered[op] = append(uncovered[op], d.Name())
		}
	}
	logUncovered(t, uncovered)
}

func logUncovered(t *testing.T, m map[string][]string) {
	var l []string
	for op, ds := range m {
		l = append(l, op+": "+strings.Join(ds, ", "))
	}
	sort.Strings(l)
	t.Logf("not covered by gorgonia:\n%s", strings.Join(l, "\n"))
}
