package tensor

import "fmt"

// Plan is the executable form of a function graph that both backends share: every tensor gets a
// slot holding its array, every node a kernel prepared for the current concrete shapes. When the
// shapes of the inputs or shared variables change, Bind prepares the kernels and buffers again;
// otherwise a call allocates nothing.
type Plan struct {
	FG    *FunctionGraph
	Steps []Step
	Vals  []*Array // the array of each slot

	slot     map[*Tensor]int
	inSlots  []int
	inDTypes []DType // the inputs' dtypes
	outSlots []int
	leaves   []*Tensor // constants and shared variables
	leafSlot []int
	shapes   [][]int // concrete input shapes of the current preparation (inputs, then shared)
	versions []int
	compile  func(*FunctionGraph) (Program, error)
	outs     []*Array
	prepared bool
	// refs are the step inputs that read an input or leaf slot: the only ones a call can change
	// without a new preparation.
	refs []stepRef
	// sharedLeaves indexes the leaves that are shared variables (constants never change).
	sharedLeaves []int
	outCopy      []*Array    // copies of outputs that are shared variables
	updCopy      [][]float64 // copies of update values that are shared variables
	updVals      []*Array
	// Aliases lets a backend share one buffer between slots whose lifetimes do not overlap.
	reuse bool
}

type stepRef struct{ step, k, slot int }

// Step is one node of a plan: its kernel and the slots it reads and writes.
type Step struct {
	Node   *Apply
	In     []int
	Out    []int
	Kernel Kernel
	Ins    []*Array // the arrays in In, refreshed on each preparation
	Outs   []*Array
}

// NewPlan lays out slots for fg. compile compiles inner graphs (Scan bodies) on the caller's
// backend. With reuse, intermediate buffers whose lifetimes do not overlap share memory (the
// results are the same; only the memory footprint changes).
func NewPlan(fg *FunctionGraph, compile func(*FunctionGraph) (Program, error), reuse bool) *Plan {
	p := &Plan{FG: fg, slot: make(map[*Tensor]int, len(fg.Nodes)+len(fg.Inputs)), compile: compile, reuse: reuse}
	add := func(t *Tensor) int {
		if s, ok := p.slot[t]; ok {
			return s
		}
		s := len(p.Vals)
		p.slot[t] = s
		p.Vals = append(p.Vals, nil)
		return s
	}
	for _, x := range fg.Inputs {
		p.inSlots = append(p.inSlots, add(x))
		p.inDTypes = append(p.inDTypes, x.typ.DType)
	}
	for _, l := range fg.Leaves() {
		if l.shared != nil {
			p.sharedLeaves = append(p.sharedLeaves, len(p.leaves))
		}
		p.leaves = append(p.leaves, l)
		p.leafSlot = append(p.leafSlot, add(l))
	}
	p.Steps = make([]Step, 0, len(fg.Nodes))
	for _, n := range fg.Nodes {
		st := Step{Node: n}
		for _, in := range n.Inputs {
			st.In = append(st.In, add(in))
		}
		for _, o := range n.Outputs {
			st.Out = append(st.Out, add(o))
		}
		st.Ins = make([]*Array, len(st.In))
		st.Outs = make([]*Array, len(st.Out))
		p.Steps = append(p.Steps, st)
	}
	for _, o := range fg.Outputs {
		p.outSlots = append(p.outSlots, p.slot[o])
	}
	leaf := map[int]bool{}
	for _, s := range p.inSlots {
		leaf[s] = true
	}
	for _, j := range p.sharedLeaves {
		leaf[p.leafSlot[j]] = true
	}
	for i, st := range p.Steps {
		for k, s := range st.In {
			if leaf[s] {
				p.refs = append(p.refs, stepRef{i, k, s})
			}
		}
	}
	p.outs = make([]*Array, len(fg.Outputs))
	p.shapes = make([][]int, len(fg.Inputs)+len(p.leaves))
	p.versions = make([]int, len(p.leaves))
	return p
}

// Slot returns the slot of a tensor of the graph (-1 if absent).
func (p *Plan) Slot(t *Tensor) int {
	if s, ok := p.slot[t]; ok {
		return s
	}
	return -1
}

// Bind checks and binds the explicit inputs and the shared variables' current values, and
// prepares kernels and buffers if any shape changed since the last call.
func (p *Plan) Bind(in []*Array) error {
	if len(in) != len(p.inSlots) {
		return fmt.Errorf("tensor: function takes %d inputs, got %d", len(p.inSlots), len(in))
	}
	changed := !p.prepared
	// moved: some input or shared value is another array than in the last call, so the steps
	// reading it must be pointed at it. Callers that rebind the same arrays (a LogDensity
	// reslices its arrays over the sampler's vector) skip that walk.
	moved := false
	for i, a := range in {
		if a == nil {
			return fmt.Errorf("tensor: input %s is nil", p.FG.Inputs[i].label())
		}
		if a.DType != p.inDTypes[i] || !sameShape(a.Shape, p.shapes[i]) {
			x := p.FG.Inputs[i]
			if err := CheckType(x.label(), x.typ, a); err != nil {
				return err
			}
			changed = true
		}
		if s := p.inSlots[i]; p.Vals[s] != a {
			p.Vals[s] = a
			moved = true
		}
	}
	for _, j := range p.sharedLeaves {
		l := p.leaves[j]
		a := l.shared.value
		if l.shared.version != p.versions[j] || !sameShape(a.Shape, p.shapes[len(in)+j]) {
			changed = true
		}
		if s := p.leafSlot[j]; p.Vals[s] != a {
			p.Vals[s] = a
			moved = true
		}
	}
	if !p.prepared {
		for j, l := range p.leaves {
			if l.shared == nil {
				p.Vals[p.leafSlot[j]] = l.value
			}
		}
	}
	if changed {
		if err := p.prepare(in); err != nil {
			p.prepared = false
			return err
		}
		for i := range p.Steps {
			st := &p.Steps[i]
			for k, s := range st.In {
				st.Ins[k] = p.Vals[s]
			}
		}
		return nil
	}
	if moved {
		for _, r := range p.refs {
			p.Steps[r.step].Ins[r.k] = p.Vals[r.slot]
		}
	}
	return nil
}

func (p *Plan) prepare(in []*Array) error {
	for i, a := range in {
		p.shapes[i] = append(p.shapes[i][:0], a.Shape...)
	}
	for j, l := range p.leaves {
		a := l.value
		if l.shared != nil {
			a = l.shared.value
			p.versions[j] = l.shared.version
		}
		p.shapes[len(in)+j] = append(p.shapes[len(in)+j][:0], a.Shape...)
	}
	types := make([]Type, len(p.Vals))
	for s, a := range p.Vals {
		if a != nil {
			types[s] = a.Type()
		}
	}
	// Intermediate buffers: keep the ones we had when their shape is unchanged.
	last := make(map[int]int, len(p.Vals)) // slot -> last step reading it
	if p.reuse {
		for i, st := range p.Steps {
			for _, s := range st.In {
				last[s] = i
			}
		}
		for _, s := range p.outSlots {
			last[s] = len(p.Steps)
		}
		for _, u := range p.FG.Updates {
			last[p.slot[u.Value]] = len(p.Steps)
		}
	}
	free := map[int][][]float64{} // size -> free buffers
	owned := map[int]bool{}       // slots whose buffer this preparation allocated or recycled
	for i := range p.Steps {
		st := &p.Steps[i]
		ins := make([]Type, len(st.In))
		for k, s := range st.In {
			ins[k] = types[s]
		}
		outs, err := st.Node.Op.Infer(ins)
		if err != nil {
			return p.nodeError(st.Node, err, ins)
		}
		for k, s := range st.Out {
			types[s] = outs[k]
		}
		kern, err := st.Node.Op.Kernel(KernelSpec{Node: st.Node, In: ins, Out: outs, Compile: p.compile})
		if err != nil {
			return p.nodeError(st.Node, err, ins)
		}
		st.Kernel = kern
		for k, s := range st.Out {
			t := outs[k]
			n := shapeSize(t.Shape)
			a := &Array{DType: t.DType, Shape: cloneInts(t.Shape)}
			if l := free[n]; len(l) > 0 {
				a.Data = l[len(l)-1]
				free[n] = l[:len(l)-1]
			} else {
				a.Data = make([]float64, n)
			}
			owned[s] = true
			p.Vals[s] = a
			st.Outs[k] = a
		}
		if p.reuse {
			// Buffers whose last reader is this step become free after it. Only buffers this
			// plan allocated are recycled, never inputs, constants or shared values.
			for _, s := range st.In {
				if last[s] == i && owned[s] {
					d := p.Vals[s].Data
					free[len(d)] = append(free[len(d)], d)
					owned[s] = false
				}
			}
		}
	}
	p.prepared = true
	return nil
}

func (p *Plan) nodeError(n *Apply, err error, in []Type) error {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{Op: n.Op.String(), Msg: err.Error()}
	}
	e2 := *e
	if e2.Expr == "" {
		e2.Expr = PP(n.Outputs[0])
	}
	return &e2
}

// StepError wraps a kernel's run-time error with the node it came from.
func (p *Plan) StepError(st *Step, err error) error {
	if _, ok := err.(*Error); ok {
		e := *err.(*Error)
		if e.Expr == "" {
			e.Expr = PP(st.Node.Outputs[0])
		}
		return &e
	}
	return &Error{Op: st.Node.Op.String(), Msg: err.Error(), Expr: PP(st.Node.Outputs[0])}
}

// Outputs returns the output arrays of the last run (owned by the plan). An output that is a
// shared variable is returned as a copy taken now, so that Finish's updates do not change it.
func (p *Plan) Outputs() []*Array {
	for i, s := range p.outSlots {
		a := p.Vals[s]
		if t := p.FG.Outputs[i]; t.shared != nil {
			if p.outCopy == nil {
				p.outCopy = make([]*Array, len(p.outSlots))
			}
			c := p.outCopy[i]
			if c == nil || len(c.Data) != len(a.Data) {
				c = a.Clone()
				p.outCopy[i] = c
			} else {
				copy(c.Data, a.Data)
				c.Shape = append(c.Shape[:0], a.Shape...)
			}
			a = c
		}
		p.outs[i] = a
	}
	return p.outs
}

// ApplyUpdates writes the update values into their shared variables, all after all have been
// computed: every update sees the old values, even when one update's value is another shared
// variable (a swap), because such values are copied aside first.
func (p *Plan) ApplyUpdates() {
	if len(p.FG.Updates) == 0 {
		return
	}
	if p.updCopy == nil {
		p.updCopy = make([][]float64, len(p.FG.Updates))
	}
	vals := p.updVals[:0]
	for i, u := range p.FG.Updates {
		v := p.Vals[p.slot[u.Value]]
		if u.Value.shared != nil {
			if len(p.updCopy[i]) != len(v.Data) {
				p.updCopy[i] = make([]float64, len(v.Data))
			}
			copy(p.updCopy[i], v.Data)
			v = &Array{DType: v.DType, Shape: v.Shape, Data: p.updCopy[i]}
		}
		vals = append(vals, v)
	}
	p.updVals = vals
	for i, u := range p.FG.Updates {
		v := vals[i]
		cur := u.Var.shared.value
		if sameShape(cur.Shape, v.Shape) {
			copy(cur.Data, v.Data)
			continue
		}
		nv := v.Clone()
		nv.DType = u.Var.typ.DType
		setSharedValue(u.Var, nv)
	}
}

// Finish ends a call: it takes the outputs, then applies the updates.
func (p *Plan) Finish() []*Array {
	outs := p.Outputs()
	p.ApplyUpdates()
	return outs
}

// Run executes every step in order (the plain loop the vm backend uses).
func (p *Plan) Run() error {
	for i := range p.Steps {
		st := &p.Steps[i]
		if err := st.Kernel(st.Outs, st.Ins); err != nil {
			return p.StepError(st, err)
		}
	}
	return nil
}
