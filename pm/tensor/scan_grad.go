package tensor

import "fmt"

// scanGradOp is the gradient of a scan whose body the loop compiler handles: one reverse sweep
// over the steps of the tape the forward loop recorded. Its inputs are
// the scan's inputs (sequences, initial values, non-sequences), the cotangents of the stacked
// outputs listed in cotOut and the forward loop's tape (its hidden last output: every register at
// every step, so nothing is recomputed); its outputs are the gradients of the inputs listed in
// gradIn.
// If the body turns out not to compile for the concrete shapes, the kernel runs the gradient as
// Scan's graph (backpropagation through time as a reverse scan) instead.
type scanGradOp struct{ g *scanGradInfo }

type scanGradInfo struct {
	info   *scanInfo
	cotOut []int // outputs with a cotangent
	gradIn []int // inputs whose gradient is computed
}

func (o scanGradOp) nIn() int { return len(o.g.info.fg.Inputs) }

// String implements Op.
func (o scanGradOp) String() string {
	return fmt.Sprintf("scan_grad{%d seq, %d out}", o.g.info.nSeq, o.g.info.nOut)
}

// Infer implements Op: each gradient has its input's shape.
func (o scanGradOp) Infer(in []Type) ([]Type, error) {
	if want := o.nIn() + len(o.g.cotOut) + 1; len(in) != want {
		return nil, errorf(o.String(), "takes %d inputs, got %d", want, len(in))
	}
	out := make([]Type, len(o.g.gradIn))
	for i, k := range o.g.gradIn {
		out[i] = Type{DType: Float64, Shape: cloneInts(in[k].Shape)}
	}
	return out, nil
}

// graph builds the same gradients as a graph (Scan's backpropagation through time).
func (o scanGradOp) graph(in []*Tensor) []*Tensor {
	s := o.g.info
	prim := in[:o.nIn()]
	out := ApplyOp(ScanOp{s}, prim...)[:s.nOut]
	gout := make([]*Tensor, s.nOut)
	for c, i := range o.g.cotOut {
		gout[i] = in[o.nIn()+c]
	}
	all := s.graphGrad(prim, out, gout)
	res := make([]*Tensor, len(o.g.gradIn))
	for i, k := range o.g.gradIn {
		res[i] = all[k]
		if res[i] == nil {
			res[i] = zeros(prim[k])
		} else if res[i].DType() != Float64 {
			res[i] = Cast(res[i], Float64)
		}
	}
	return res
}

// Grad implements Op through the graph form, so second derivatives work.
func (o scanGradOp) Grad(in, out, gout []*Tensor) []*Tensor {
	cost := vjpCost(o.graph(in), gout) // the graph's outputs are all float64
	res := make([]*Tensor, len(in))
	if cost == nil {
		return res
	}
	var wrt []*Tensor
	var idx []int
	for k, x := range in {
		if x.DType().IsFloat() {
			wrt = append(wrt, x)
			idx = append(idx, k)
		}
	}
	gs := Grad(cost, wrt...)
	for j, k := range idx {
		res[k] = gs[j]
	}
	return res
}

// Kernel implements Op.
func (o scanGradOp) Kernel(spec KernelSpec) (Kernel, error) {
	s := o.g.info
	prim := spec.In[:o.nIn()]
	n, err := s.steps(prim)
	if err != nil {
		return nil, err
	}
	if m, err := compileScan(s, prim, n); err == nil {
		return m.gradKernel(o.g, o.nIn()), nil // reads the forward loop's tape
	}
	// The graph form, compiled on the caller's backend.
	vars := make([]*Tensor, len(spec.Node.Inputs))
	for k, x := range spec.Node.Inputs {
		vars[k] = NewVar(x.name, x.DType(), x.Shape()...)
	}
	fg, err := NewFunctionGraph(vars, o.graph(vars), nil)
	if err != nil {
		return nil, err
	}
	if rfg, err := Rewrite(fg); err == nil {
		fg = rfg
	}
	var prog Program
	if spec.Compile != nil {
		prog, err = spec.Compile(fg)
	} else {
		prog, err = newRefProgram(fg)
	}
	if err != nil {
		return nil, err
	}
	return func(out, in []*Array) error {
		res, err := prog.Run(in)
		if err != nil {
			return err
		}
		for i, r := range res {
			copy(out[i].Data, r.Data)
		}
		return nil
	}, nil
}

// gradKernel runs the loop backward over the forward loop's tape.
func (m *scanMachine) gradKernel(g *scanGradInfo, nIn int) Kernel {
	adj := make([]float64, m.size)
	s := g.info
	nc := len(s.carried)
	b := m.backward(g)
	// An output whose one contiguous column is zeroed and written by its cotangent alone gets
	// the cotangent copied in, instead of the column cleared and the cotangent added.
	writes := map[int]int{}
	for _, i := range g.cotOut {
		for _, o := range m.outs[i] {
			writes[o.off]++
		}
	}
	zeroed := map[int]bool{}
	for _, c := range b.zero {
		zeroed[c] = true
	}
	direct := make([]bool, len(g.cotOut))
	copied := map[int]bool{}
	for c, i := range g.cotOut {
		if regs := m.outs[i]; len(regs) == 1 && !m.reverse {
			if o := regs[0]; o.st == 1 && writes[o.off] == 1 && zeroed[o.off] {
				direct[c], copied[o.off] = true, true
			}
		}
	}
	var zero []int
	for _, c := range b.zero {
		if !copied[c] {
			zero = append(zero, c)
		}
	}
	return func(out, in []*Array) error {
		n := m.n
		buf := in[len(in)-1].Data
		if len(buf) != m.size {
			return errorf("scan", "internal: tape of %d registers, want %d", len(buf), m.size)
		}
		for _, c := range zero {
			clear(adj[c : c+n])
		}
		clear(adj[m.staticBase:])
		for c, i := range g.cotOut {
			cot := in[nIn+c].Data
			regs := m.outs[i]
			if direct[c] {
				copy(adj[regs[0].off:regs[0].off+n], cot[:n])
				continue
			}
			r := len(regs)
			for e, o := range regs {
				switch {
				case !m.reverse && r == 1 && o.st == 1:
					a := adj[o.off : o.off+n]
					for st, v := range cot[:n] {
						a[st] += v
					}
				case m.reverse:
					for st := 0; st < n; st++ {
						adj[o.off+st*o.st] += cot[(n-1-st)*r+e]
					}
				default:
					for st := 0; st < n; st++ {
						adj[o.off+st*o.st] += cot[st*r+e]
					}
				}
			}
		}
		for i := len(b.post) - 1; i >= 0; i-- {
			b.post[i].back(buf, adj, 0, n)
		}
		core := b.core
		if m.lin != nil {
			if b.lin {
				m.lin.back(buf, adj, n, b.offLin)
			}
			n = 0 // the step loop below has nothing left to do
		}
		for st := n - 1; st >= 0; st-- {
			if st+1 < n {
				for j, cols := range m.initCols {
					co := m.carryOut[j]
					for e, c := range cols {
						adj[co[e].off+st*co[e].st] += adj[c+st+1]
					}
				}
			}
			stepCoreBack(core, buf, adj, st)
		}
		n = m.n
		for i := len(b.pre) - 1; i >= 0; i-- {
			b.pre[i].back(buf, adj, 0, n)
		}
		for i := len(b.static) - 1; i >= 0; i-- {
			b.static[i].back(buf, adj, 0, 1)
		}
		for q, k := range g.gradIn {
			d := out[q].Data
			switch {
			case k < s.nSeq:
				clear(d)
				sz := m.seqSize[k]
				for e, c := range m.seqCols[k] {
					for st := 0; st < n; st++ {
						d[m.row(st)*sz+e] = adj[c+st]
					}
				}
			case k < s.nSeq+nc:
				for e, c := range m.initCols[k-s.nSeq] {
					if n > 0 {
						d[e] = adj[c]
					} else {
						d[e] = 0
					}
				}
			default:
				for e, off := range m.nonSeqOff[k-s.nSeq-nc] {
					d[e] = adj[off]
				}
			}
		}
		return nil
	}
}

// scanCompilable reports whether every op of the body is one the loop compiler handles (the
// shapes are checked when the kernel is built).
func (s *scanInfo) scanCompilable() bool {
	if !scanCompileEnabled || s.stateful {
		return false
	}
	for _, l := range s.lastOnly {
		if l {
			return false
		}
	}
	for _, nd := range s.fg.Nodes {
		switch op := nd.Op.(type) {
		case Elemwise:
			if !smSupported[op.s] {
				return false
			}
		case LikelihoodOp:
			if op.kind != likeNormal {
				return false
			}
		case LikelihoodSumOp:
			if op.kind != likeNormal {
				return false
			}
		case SumOp:
		case ReduceOp:
			if op.Kind != ReduceLogSumExp {
				return false
			}
		default:
			if !scanMovement(nd.Op) {
				return false
			}
		}
	}
	return true
}

// needsGrad reports whether t depends on a variable (an input or shared variable): constants
// and expressions of constants need no gradient.
func needsGrad(t *Tensor, memo map[*Tensor]bool) bool {
	if v, ok := memo[t]; ok {
		return v
	}
	var r bool
	switch {
	case t.owner == nil:
		r = t.value == nil
	default:
		for _, x := range t.owner.Inputs {
			if needsGrad(x, memo) {
				r = true
				break
			}
		}
	}
	memo[t] = r
	return r
}

// fastGrad builds the gradient as one scanGradOp, or returns nil if the body does not qualify.
func (s *scanInfo) fastGrad(in, out, gout []*Tensor, tape *Tensor) []*Tensor {
	if !s.scanCompilable() {
		return nil
	}
	g := &scanGradInfo{info: s}
	var ins []*Tensor
	ins = append(ins, in...)
	for i, t := range gout {
		if t != nil && s.outDType[i].IsFloat() {
			g.cotOut = append(g.cotOut, i)
			ins = append(ins, t)
		}
	}
	memo := map[*Tensor]bool{}
	for k, x := range in {
		if x.DType().IsFloat() && needsGrad(x, memo) {
			g.gradIn = append(g.gradIn, k)
		}
	}
	res := make([]*Tensor, len(in))
	if len(g.gradIn) == 0 || len(g.cotOut) == 0 {
		return res
	}
	ins = append(ins, tape)
	outs := ApplyOp(scanGradOp{g}, ins...)
	for i, k := range g.gradIn {
		res[k] = outs[i]
	}
	return res
}

// backPlan is the part of the machine the reverse sweep needs for one set of wanted gradients:
// the instructions whose result depends on an input with a gradient, with the operands that do
// not flagged, and the columns whose adjoints are zeroed before the sweep (the others are never
// read).
type backPlan struct {
	static, pre, core, post []smExec
	lin                     bool
	offLin                  *smExec // m.lin.offLin with its skip flags
	zero                    []int
}

func (m *scanMachine) backward(g *scanGradInfo) *backPlan {
	s := g.info
	nc := len(s.carried)
	need := make([]bool, m.size)
	for _, k := range g.gradIn {
		var offs []int
		switch {
		case k < s.nSeq:
			offs = m.seqCols[k]
		case k < s.nSeq+nc:
			offs = m.initCols[k-s.nSeq]
		default:
			offs = m.nonSeqOff[k-s.nSeq-nc]
		}
		for _, o := range offs {
			need[o] = true
		}
	}
	phases := [][]smExec{m.static, m.pre, m.core, m.post}
	for changed := true; changed; {
		changed = false
		set := func(o int) {
			if !need[o] {
				need[o] = true
				changed = true
			}
		}
		for _, ph := range phases {
			for i := range ph {
				x := &ph[i]
				if need[x.d.off] {
					continue
				}
				for _, o := range append([]opnd{x.a, x.b, x.c}, x.args...) {
					if o != (opnd{}) && need[o.off] {
						set(x.d.off)
					}
				}
				for _, t := range x.lt {
					if need[t.x.off] || t.coef != (opnd{}) && need[t.coef.off] {
						set(x.d.off)
					}
				}
			}
		}
		for j, cols := range m.initCols {
			for e, c := range cols {
				if need[m.carryOut[j][e].off] {
					set(c)
				}
			}
		}
		if l := m.lin; l != nil {
			if x := l.offLin; x != nil && !need[x.d.off] {
				for _, t := range x.lt {
					if need[t.x.off] || t.coef != (opnd{}) && need[t.coef.off] {
						set(x.d.off)
					}
				}
			}
			for q, co := range l.cout {
				if l.hasOff[q] && need[l.off[q].off] {
					set(co.off)
				}
			}
			for _, t := range l.terms {
				if need[t.c.off] || need[l.cin[t.j]] {
					set(l.cout[t.i].off)
				}
			}
		}
	}
	b := &backPlan{}
	keep := func(ph []smExec) []smExec {
		var l []smExec
		for _, x := range ph {
			if need[x.d.off] {
				x.skipA, x.skipB = !need[x.a.off], !need[x.b.off]
				if x.lt != nil {
					lt := make([]smTerm, len(x.lt))
					for k, t := range x.lt {
						t.skipX = !need[t.x.off]
						t.skipC = t.coef == (opnd{}) || !need[t.coef.off]
						lt[k] = t
					}
					x.lt = lt
				}
				l = append(l, x)
			}
		}
		return l
	}
	b.static, b.pre, b.core, b.post = keep(m.static), keep(m.pre), keep(m.core), keep(m.post)
	skipZero := map[int]bool{}
	if l := m.lin; l != nil {
		for _, co := range l.cout {
			b.lin = b.lin || need[co.off]
		}
		if l.offLin != nil {
			if k := keep([]smExec{*l.offLin}); len(k) == 1 {
				b.offLin = &k[0]
			}
			// The recurrence clears the offset's adjoint itself, or does not store it.
			skipZero[l.off[0].off] = true
			if l.cinOnly {
				skipZero[l.cin[0]] = true
			}
		}
	}
	for c := 1; c < m.staticBase; c += max(m.n, 1) {
		if need[c] && !skipZero[c] {
			b.zero = append(b.zero, c)
		}
	}
	return b
}
