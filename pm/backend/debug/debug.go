// Package debug is gopm's checking backend: it runs the same kernels as vm, op by op, without
// recycling buffers, and checks every intermediate value. The first op that turns finite inputs
// into a NaN stops the call with an error naming the op, its inputs' shapes and the expression
// as tensor.PP prints it. Infinities are legitimate (a log-density of -Inf outside the support),
// so an op that first produces one is recorded in Warnings instead.
//
// It registers itself as "debug"; select it with PM_BACKEND=debug or backend.Use("debug").
package debug

import (
	"fmt"
	"math"
	"strings"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func init() { backend.Register("debug", Debug{}) }

// Debug is the backend.
type Debug struct{}

// Compile implements backend.Backend.
func (d Debug) Compile(fg *tensor.FunctionGraph) (tensor.Program, error) {
	return &Program{plan: tensor.NewPlan(fg, d.Compile, false)}, nil
}

// Program is a compiled graph that checks its intermediates.
type Program struct {
	plan     *tensor.Plan
	warnings []string
}

// NaNError reports the op that first produced a NaN from NaN-free inputs.
type NaNError struct {
	Op      string   // the op, e.g. "log"
	Inputs  []string // each input's expression and concrete type
	Expr    string   // the op's output as tensor.PP prints it
	Element int      // the first NaN element of the output
}

// Error implements error.
func (e *NaNError) Error() string {
	return fmt.Sprintf("pm/backend/debug: op %s produced NaN (element %d) from inputs %s; expression: %s",
		e.Op, e.Element, strings.Join(e.Inputs, ", "), e.Expr)
}

// Warnings lists the ops that first produced an infinity from finite inputs, in the last call.
func (p *Program) Warnings() []string { return p.warnings }

// Run implements tensor.Program.
func (p *Program) Run(in []*tensor.Array) ([]*tensor.Array, error) {
	p.warnings = p.warnings[:0]
	if err := p.plan.Bind(in); err != nil {
		return nil, err
	}
	for i := range p.plan.Steps {
		st := &p.plan.Steps[i]
		if err := st.Kernel(st.Outs, st.Ins); err != nil {
			return nil, p.plan.StepError(st, err)
		}
		inNaN, inInf := false, false
		for _, a := range st.Ins {
			n, f := scan(a.Data)
			inNaN = inNaN || n >= 0
			inInf = inInf || f >= 0
		}
		for k, a := range st.Outs {
			n, f := scan(a.Data)
			if n >= 0 && !inNaN {
				return nil, p.nanError(st, k, n)
			}
			if f >= 0 && !inInf && !inNaN {
				p.warnings = append(p.warnings, fmt.Sprintf("op %s produced %v (element %d) from finite inputs; expression: %s",
					st.Node.Op, a.Data[f], f, tensor.PP(st.Node.Outputs[k])))
			}
		}
	}
	return p.plan.Finish(), nil
}

// scan returns the first NaN and the first infinity in d (-1 if none).
func scan(d []float64) (nan, inf int) {
	nan, inf = -1, -1
	for i, v := range d {
		if v != v {
			if nan < 0 {
				nan = i
			}
		} else if math.IsInf(v, 0) && inf < 0 {
			inf = i
		}
	}
	return nan, inf
}

func (p *Program) nanError(st *tensor.Step, k, elem int) error {
	e := &NaNError{Op: st.Node.Op.String(), Expr: tensor.PP(st.Node.Outputs[k]), Element: elem}
	for j, a := range st.Ins {
		e.Inputs = append(e.Inputs, fmt.Sprintf("%s: %s", tensor.PP(st.Node.Inputs[j]), a.Type()))
	}
	return e
}

// Clone implements tensor.Program.
func (p *Program) Clone() tensor.Program {
	return &Program{plan: tensor.NewPlan(p.plan.FG, Debug{}.Compile, false)}
}
