package pm

import (
	"fmt"
	"math"
	"strings"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// InitialPoint returns where samplers and optimizers start: each free variable's value
// variable (unconstrained, by its value name such as "sigma_log__") at the user's Initval or at
// the distribution's initial value (PyMC's support point), computed in model order so that
// parameters and transforms' bounds may depend on earlier variables.
func (m *Model) InitialPoint() (p Point, err error) {
	defer catchInto(&err)
	p = Point{}
	repl := map[*tensor.Tensor]*tensor.Tensor{}
	for _, rv := range m.vars {
		if rv.Kind != Free {
			continue
		}
		var x *tensor.Tensor
		if rv.Initval != nil {
			x = tensor.Const(rv.Initval)
		} else {
			x = rv.Dist.InitialValue(rv.Shape)
			if x.DType() != rv.Dist.DType() && rv.Dist.DType() == tensor.Int64 {
				x = tensor.Round(x)
			}
			x = tensor.Replace([]*tensor.Tensor{x}, repl)[0]
		}
		xs, err := tensor.Eval(x)
		if err != nil {
			return nil, &Error{Op: "InitialPoint", Var: rv.Name, Msg: err.Error()}
		}
		cons := xs[0]
		if cons.Size() == 1 && sizeOf(rv.Shape) != 1 {
			b := tensor.NewArray(cons.DType, rv.Shape...)
			for i := range b.Data {
				b.Data[i] = cons.Data[0]
			}
			cons = b
		}
		cons.Shape = append([]int{}, rv.Shape...)
		if adj, ok := rv.Transform.(dist.StartAdjuster); ok && rv.Initval == nil {
			cons = &tensor.Array{DType: cons.DType, Shape: cons.Shape, Data: append([]float64(nil), cons.Data...)}
			adj.AdjustStart(cons.Shape, cons.Data)
		}
		val := cons
		if rv.Transform != nil {
			// The transform's bounds may depend on earlier variables (Uniform(0, 1-alpha1)):
			// they take those variables' initial values, as the distribution's parameters do.
			fwd := tensor.Replace([]*tensor.Tensor{rv.Transform.Forward(tensor.Const(cons))}, repl)[0]
			ys, err := tensor.Eval(fwd)
			if err != nil {
				return nil, &Error{Op: "InitialPoint", Var: rv.Name, Msg: err.Error()}
			}
			val = ys[0]
		}
		p[rv.ValueName()] = val.Floats()
		repl[rv.Tensor] = tensor.Const(cons)
	}
	return p, nil
}

// Logp is the model's log-density at a point of value variables (see InitialPoint).
func (m *Model) Logp(p Point) (float64, error) {
	terms, err := m.LogpTerms(p)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for _, rv := range m.vars {
		if v, ok := terms[rv.Name]; ok {
			s += v
		}
	}
	return s, nil
}

// LogpTerms evaluates each term of the log-density at a point: one value per free variable
// (including its transform's log-Jacobian), observed variable and potential, by name.
func (m *Model) LogpTerms(p Point) (terms map[string]float64, err error) {
	defer catchInto(&err)
	free := m.FreeVars()
	var ins []any
	var args []any
	for _, rv := range free {
		v, ok := p[rv.ValueName()]
		if !ok {
			return nil, &Error{Op: "LogpTerms", Var: rv.ValueName(), Msg: "missing from the point"}
		}
		ins = append(ins, rv.Value)
		args = append(args, &tensor.Array{DType: rv.Value.DType(), Shape: append([]int{}, rv.Value.Shape()...), Data: v})
	}
	var outs []*tensor.Tensor
	var names []string
	for _, rv := range m.vars {
		if rv.term != nil {
			t := rv.term
			if rv.jac != nil {
				t = tensor.Add(t, rv.jac)
			}
			outs = append(outs, t)
			names = append(names, rv.Name)
		}
	}
	f, err := backend.Compile(ins, outs)
	if err != nil {
		return nil, err
	}
	res, err := f.Call(args...)
	if err != nil {
		return nil, err
	}
	terms = map[string]float64{}
	for i, n := range names {
		terms[n] = res[i].Data[0]
	}
	return terms, nil
}

// checkInitial is the error PyMC users ask for: when the log-density at the starting point is
// not finite, name every term that is not finite and the starting values.
func (m *Model) checkInitial(op string, p Point) error {
	// The log-density just compiled (by Sample, Fit, FindMAP) gives the total at once: when
	// it is finite, so is every term, and the terms need not be compiled one by one.
	if c := m.compiled.Load(); c != nil && c.version == m.version {
		if x, err := c.ld.Flatten(p); err == nil {
			if lp := c.ld.Clone().Logp(x); !math.IsNaN(lp) && !math.IsInf(lp, 0) {
				return nil
			}
		}
	}
	terms, err := m.LogpTerms(p)
	if err != nil {
		return err
	}
	var bad []string
	total := 0.0
	for _, rv := range m.vars {
		v, ok := terms[rv.Name]
		if !ok {
			continue
		}
		total += v
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad = append(bad, fmt.Sprintf("%s: %v", rv.Name, v))
		}
	}
	if len(bad) == 0 && !math.IsNaN(total) && !math.IsInf(total, 0) {
		return nil
	}
	return &Error{Op: op, Msg: fmt.Sprintf("the log-density at the starting point is not finite: %s (starting values %s)",
		strings.Join(bad, ", "), p)}
}
