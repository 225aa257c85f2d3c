package gorgonia

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func init() {
	backend.Register("gorgonia", Backend{})
	backend.Register("gorgonia-ad", AD{})
}

// Backend runs graphs on gorgonia's tape machine; a log-density's gradient is the translation of
// the gradient graph tensor.Grad built. It is registered as "gorgonia".
type Backend struct{}

// Compile implements backend.Backend: every op must have a translation (the error names the op,
// the variable it computes and the backends that can run it).
func (Backend) Compile(fg *tensor.FunctionGraph) (tensor.Program, error) { return compile(fg, nil) }

// AD is Backend with gorgonia's own differentiation: a log-density's gradient is gorgonia's
// symbolic derivative (gorgonia.Grad) of the translated log-density, an independent check of
// tensor.Grad. It is registered as "gorgonia-ad"; graphs without a gradient run as on Backend.
type AD struct{}

// Compile implements backend.Backend.
func (AD) Compile(fg *tensor.FunctionGraph) (tensor.Program, error) { return compile(fg, nil) }

// CompileGrad implements backend.Differentiator.
func (AD) CompileGrad(fg *tensor.FunctionGraph, wrt []*tensor.Tensor) (tensor.Program, error) {
	if len(fg.Outputs) != 1 || len(fg.Outputs[0].Shape()) != 0 || len(fg.Updates) > 0 {
		return nil, fmt.Errorf("pm/backend/gorgonia: the cost to differentiate must be one scalar output, without updates")
	}
	return compile(fg, wrt)
}

// UncoveredError is the compile-time error for an op the backend has no translation of.
type UncoveredError struct {
	Op       string   // the op, e.g. "gammaln"
	Variable string   // the variable it computes: its name, else its expression
	Reason   string   // why it is not translated
	Backends []string // the registered backends that can run it
}

// Error implements error.
func (e *UncoveredError) Error() string {
	return fmt.Sprintf("pm/backend/gorgonia: op %s (computing %s) is not covered by the gorgonia backend: %s; backends that can run it: %s",
		e.Op, e.Variable, e.Reason, strings.Join(e.Backends, ", "))
}

func others() []string {
	var r []string
	for _, n := range backend.Names() {
		if !strings.HasPrefix(n, "gorgonia") {
			r = append(r, n)
		}
	}
	return r
}

func compile(fg *tensor.FunctionGraph, wrt []*tensor.Tensor) (tensor.Program, error) {
	for _, n := range fg.Nodes {
		if why := uncovered(n.Op); why != "" {
			return nil, &UncoveredError{Op: n.Op.String(), Variable: describe(n.Outputs[0]), Reason: why, Backends: others()}
		}
	}
	p := &program{fg: fg, wrt: wrt, leaves: fg.Leaves()}
	known := true
	for _, x := range fg.Inputs {
		known = known && x.Type().Known()
	}
	if known {
		// Shapes are static: build now, so that a translation failure is a compile-time error.
		shapes := make([][]int, len(fg.Inputs))
		for i, x := range fg.Inputs {
			shapes[i] = x.Shape()
		}
		if err := p.build(shapes); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// program is a function graph translated for one set of concrete input shapes; a call with other
// shapes translates it again.
type program struct {
	fg     *tensor.FunctionGraph
	wrt    []*tensor.Tensor // with gorgonia's differentiation: the cost's gradient w.r.t. these
	leaves []*tensor.Tensor

	built   bool
	shapes  [][]int // the concrete input shapes, then the shared variables'
	m       G.VM
	binds   []bind // the inputs, then the shared variables
	outs    []*G.Node
	results []*tensor.Array // one per output, then one per update
}

// bind is a gorgonia input node and the value it is bound to, whose memory a call overwrites.
type bind struct {
	scalar *G.F64
	data   []float64
}

func (b bind) set(d []float64) {
	if b.scalar != nil {
		*b.scalar = G.F64(d[0])
		return
	}
	copy(b.data, d)
}

func (p *program) build(inShapes [][]int) error {
	g := G.NewGraph()
	b := &builder{g: g, typ: map[*tensor.Tensor]tensor.Type{}, node: map[*tensor.Tensor]*G.Node{}}
	p.binds = p.binds[:0]
	p.shapes = p.shapes[:0]
	newInput := func(t *tensor.Tensor, shape []int, name string) {
		b.typ[t] = tensor.Type{DType: t.DType(), Shape: shape}
		var n *G.Node
		var bd bind
		if len(shape) == 0 {
			bd.scalar = G.NewF64(0)
			n = G.NewScalar(g, G.Float64, G.WithName(name), G.WithValue(bd.scalar))
		} else {
			bd.data = make([]float64, size(shape))
			v := gt.New(gt.WithShape(shape...), gt.WithBacking(bd.data))
			n = G.NewTensor(g, G.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(v))
		}
		b.node[t] = n
		p.binds = append(p.binds, bd)
		p.shapes = append(p.shapes, append([]int(nil), shape...))
	}
	var wrtNodes G.Nodes
	for i, x := range p.fg.Inputs {
		newInput(x, inShapes[i], fmt.Sprintf("in%d", i))
	}
	for i, l := range p.leaves {
		if l.IsShared() {
			newInput(l, l.Get().Shape, fmt.Sprintf("shared%d", i))
		} else {
			b.typ[l] = l.Value().Type()
		}
	}
	for _, n := range p.fg.Nodes {
		in := make([]tensor.Type, len(n.Inputs))
		for i, x := range n.Inputs {
			in[i] = b.typ[x]
		}
		out, err := n.Op.Infer(in)
		if err != nil {
			return err
		}
		for k, o := range n.Outputs {
			b.typ[o] = out[k]
		}
	}
	var targets []*tensor.Tensor
	targets = append(targets, p.fg.Outputs...)
	for _, u := range p.fg.Updates {
		targets = append(targets, u.Value)
	}
	p.outs = p.outs[:0]
	p.results = p.results[:0]
	for _, t := range targets {
		n, err := b.get(t)
		if err != nil {
			return err
		}
		p.outs = append(p.outs, n)
		p.results = append(p.results, tensor.NewArray(t.DType(), b.typ[t].Shape...))
	}
	if p.wrt != nil {
		// gorgonia refuses to differentiate with respect to a variable the cost does not
		// depend on; its gradient is zero.
		reach := diffReach(g, p.outs[0])
		var idx []int
		for i, w := range p.wrt {
			if reach[b.node[w]] {
				wrtNodes = append(wrtNodes, b.node[w])
				idx = append(idx, i)
			}
		}
		grads := make([]*G.Node, len(p.wrt))
		if len(wrtNodes) > 0 {
			gs, err := G.Grad(p.outs[0], wrtNodes...)
			if err != nil {
				return fmt.Errorf("pm/backend/gorgonia: gorgonia's differentiation: %w", err)
			}
			for k, i := range idx {
				grads[i] = gs[k]
			}
		}
		for i, gn := range grads {
			ws := b.typ[p.wrt[i]].Shape
			if gn == nil {
				gn = b.constant(shapeOf(b.typ[p.wrt[i]]), make([]float64, size(ws)))
			}
			p.outs = append(p.outs, gn)
			p.results = append(p.results, tensor.NewArray(tensor.Float64, ws...))
		}
	}
	// The outputs are read after the run, but gorgonia's tape machine may overwrite a value in
	// place once its last reader inside the graph has run; a copy as the last reader keeps it.
	for i, n := range p.outs {
		if n.Op() != nil && !n.IsVar() {
			s := p.results[i].Shape
			c, err := b.gather(n, s, identity(size(s)), s)
			if err != nil {
				return err
			}
			p.outs[i] = c
		}
	}
	if p.m != nil {
		p.m.Close()
	}
	p.m = G.NewTapeMachine(g)
	p.built = true
	return nil
}

// Run implements tensor.Program.
func (p *program) Run(in []*tensor.Array) ([]*tensor.Array, error) {
	if len(in) != len(p.fg.Inputs) {
		return nil, fmt.Errorf("pm/backend/gorgonia: function takes %d inputs, got %d", len(p.fg.Inputs), len(in))
	}
	rebuild := !p.built
	for i, a := range in {
		x := p.fg.Inputs[i]
		if a == nil {
			return nil, fmt.Errorf("pm/backend/gorgonia: input %d is nil", i)
		}
		if !p.built || !sameShape(a.Shape, p.shapes[i]) {
			if err := tensor.CheckType(label(x, i), x.Type(), a); err != nil {
				return nil, err
			}
			rebuild = true
		}
	}
	k := len(in)
	for _, l := range p.leaves {
		if l.IsShared() {
			if !p.built || !sameShape(l.Get().Shape, p.shapes[k]) {
				rebuild = true
			}
			k++
		}
	}
	if rebuild {
		shapes := make([][]int, len(in))
		for i, a := range in {
			shapes[i] = a.Shape
		}
		if err := p.build(shapes); err != nil {
			return nil, err
		}
	}
	for i, a := range in {
		p.binds[i].set(a.Data)
	}
	k = len(in)
	for _, l := range p.leaves {
		if l.IsShared() {
			p.binds[k].set(l.Get().Data)
			k++
		}
	}
	defer p.m.Reset()
	if err := p.m.RunAll(); err != nil {
		return nil, fmt.Errorf("pm/backend/gorgonia: tape machine: %w", err)
	}
	for i, n := range p.outs {
		v := n.Value()
		if v == nil {
			return nil, fmt.Errorf("pm/backend/gorgonia: output %d has no value", i)
		}
		switch d := v.Data().(type) {
		case float64:
			p.results[i].Data[0] = d
		case []float64:
			copy(p.results[i].Data, d)
		default:
			return nil, fmt.Errorf("pm/backend/gorgonia: output %d holds %T", i, d)
		}
	}
	nout := len(p.fg.Outputs)
	if p.wrt != nil {
		return p.results, nil
	}
	for j, u := range p.fg.Updates {
		if err := u.Var.Set(p.results[nout+j].Clone()); err != nil {
			return nil, err
		}
	}
	return p.results[:nout], nil
}

// diffReach is the set of nodes the cost reaches through differentiable inputs of gorgonia
// ops: gorgonia refuses to differentiate with respect to any other node, and the gradient with
// respect to it is zero (the cost depends on it only through a shape, a comparison or a step).
func diffReach(g *G.ExprGraph, cost *G.Node) map[*G.Node]bool {
	seen := map[*G.Node]bool{}
	stack := []*G.Node{cost}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		it := g.From(n.ID())
		if it == nil {
			continue
		}
		var children []*G.Node
		for it.Next() {
			children = append(children, it.Node().(*G.Node))
		}
		sd, ok := n.Op().(G.SDOp)
		if !ok || len(children) == 0 {
			continue
		}
		d := sd.DiffWRT(len(children))
		for i, c := range children {
			if i < len(d) && d[i] {
				stack = append(stack, c)
			}
		}
	}
	return seen
}

func label(x *tensor.Tensor, i int) string {
	if x.Name() != "" {
		return x.Name()
	}
	return fmt.Sprint(i)
}

// Clone implements tensor.Program.
func (p *program) Clone() tensor.Program {
	q := &program{fg: p.fg, wrt: p.wrt, leaves: p.leaves}
	if p.built {
		if err := q.build(p.shapes[:len(p.fg.Inputs)]); err != nil {
			q.built = false // the first Run reports it
		}
	}
	return q
}
