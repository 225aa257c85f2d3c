package tensor

import (
	"fmt"
)

// ScanArgs describes a loop for Scan (Theano's scan arguments).
type ScanArgs struct {
	// Sequences are iterated over their leading axis: step t receives row t of each. Sequences of
	// different lengths are cut to the shortest.
	Sequences []*Tensor
	// OutputsInfo holds the initial state of each output that is fed back to the next step (the
	// previous value of output i is passed to the step function); a nil entry marks an output
	// that is not fed back. Missing trailing entries count as nil.
	OutputsInfo []*Tensor
	// NonSequences are passed unchanged to every step.
	NonSequences []*Tensor
	// NSteps is the number of steps; 0 means the length of the sequences. With sequences, a
	// positive NSteps must not exceed their length (checked when the function runs).
	NSteps int
	// Reverse runs the steps from the last (row n-1 of the sequences, n the number of steps) to
	// the first (Theano's go_backwards), feeding each output back to the step before it. Row t
	// of every result is still the step that read row t of the sequences, so a reverse
	// cumulative sum is aligned with its input.
	Reverse bool
}

// Scan is Theano's scan: a loop inside the graph, so that interpreted code builds it once and
// compiled code runs it. fn is called ONCE, when the graph is built, with symbolic tensors: in
// order, one row of each sequence, the previous value of each fed-back output (each non-nil
// OutputsInfo entry), and the non-sequences; it returns the step's outputs. Scan returns each
// output stacked over the steps (its leading axis is the step), so result[len-1] is the final
// value of a fed-back output.
//
// fn may also use tensors from outside that are not listed as non-sequences (Go closures): they
// are passed in as extra non-sequences. Random draws inside fn are drawn anew at every step.
// Gradients flow through the loop (backpropagation through time, itself a scan), except through
// bodies that draw random numbers.
//
// For A**k, with A a vector and k = 10:
//
//	res := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
//		return []*tensor.Tensor{a[0].Mul(a[1])} // previous result times A
//	}, tensor.ScanArgs{OutputsInfo: []*tensor.Tensor{tensor.OnesLike(A)}, NonSequences: []*tensor.Tensor{A}, NSteps: 10})
//	final := tensor.At(res[0], 9)
//
// A body of elementwise functions, sums, log-sum-exps, Normal densities and reshaping or indexing
// on small arrays (ARMA, GARCH, HMM forward steps, small state-space filters) is compiled, when
// the function is, into one loop of scalar instructions: the work that does not depend on the
// fed-back state runs as plain loops over all steps, the rest step by step (or, if it is affine
// in the state, as a linear recurrence), and the gradient is one reverse sweep over the values
// the loop recorded. Other bodies run as a compiled graph per step.
//
// Mistakes (sequences without a leading axis, a fed-back output whose shape or dtype differs from
// its initial value, no sequences and no NSteps) panic with *Error naming the scan argument.
func Scan(fn func(args []*Tensor) []*Tensor, a ScanArgs) []*Tensor {
	return buildScan(fn, a, nil, nil)
}

// scanInfo is the compiled description of a loop; ScanOp refers to it by pointer, so two scans are
// the same op only if they are the same loop.
type scanInfo struct {
	fg       *FunctionGraph // inner graph: inputs = sequence rows, fed-back values, non-sequences
	nSeq     int
	carried  []int // for each fed-back input j, the output it comes from
	nNonSeq  int
	nOut     int
	lastOnly []bool // per output: only the final value is returned (fed-back outputs only)
	padSeq   []int  // per output: -1, or the sequence whose length the stacked output takes
	nSteps   int
	reverse  bool
	stateful bool
	outDType []DType
}

// ScanOp runs a loop built by Scan. Its inputs are the sequences, the initial values of the
// fed-back outputs and the non-sequences; its outputs are the stacked results, then the tape:
// the registers of the compiled body at every step (empty if the body runs as a graph), which
// the gradient reads instead of running the loop again. Scan returns the results only.
type ScanOp struct{ info *scanInfo }

// String implements Op.
func (o ScanOp) String() string {
	s := fmt.Sprintf("scan{%d seq, %d out", o.info.nSeq, o.info.nOut)
	if o.info.nSteps > 0 {
		s += fmt.Sprintf(", %d steps", o.info.nSteps)
	}
	if o.info.reverse {
		s += ", reverse"
	}
	return s + "}"
}

// Stateful implements Stateful: a loop whose body draws random numbers is stateful.
func (o ScanOp) Stateful() bool { return o.info.stateful }

// Inner is the loop body's function graph, for printing and inspection.
func (o ScanOp) Inner() *FunctionGraph { return o.info.fg }

func buildScan(fn func(args []*Tensor) []*Tensor, a ScanArgs, lastOnly []bool, padSeq []int) []*Tensor {
	if fn == nil {
		panic(errorf("scan", "the step function is nil"))
	}
	if a.NSteps < 0 {
		panic(errorf("scan", "NSteps is %d; it must be positive (or 0 to use the length of the sequences)", a.NSteps))
	}
	if len(a.Sequences) == 0 && a.NSteps == 0 {
		panic(errorf("scan", "no sequences and no NSteps: give NSteps, the number of steps"))
	}
	var args, innerIns, outerIns []*Tensor
	for k, s := range a.Sequences {
		if s == nil {
			panic(errorf("scan", "sequence %d is nil", k))
		}
		if s.NDim() == 0 {
			panic(errorf("scan", "sequence %d (%s) is a scalar; sequences are iterated over their leading axis", k, s.label()))
		}
		if a.NSteps > 0 && s.Shape()[0] >= 0 && s.Shape()[0] < a.NSteps {
			panic(errorf("scan", "sequence %d (%s) has %d rows, fewer than NSteps = %d", k, s.label(), s.Shape()[0], a.NSteps))
		}
		v := NewVar(scanName(s, "[t]"), s.DType(), s.Shape()[1:]...)
		args = append(args, v)
		innerIns = append(innerIns, v)
		outerIns = append(outerIns, s)
	}
	var carried []int
	for i, init := range a.OutputsInfo {
		if init == nil {
			continue
		}
		v := NewVar(scanName(init, "[t-1]"), init.DType(), init.Shape()...)
		args = append(args, v)
		innerIns = append(innerIns, v)
		outerIns = append(outerIns, init)
		carried = append(carried, i)
	}
	nonSeq := append([]*Tensor(nil), a.NonSequences...)
	for k, w := range nonSeq {
		if w == nil {
			panic(errorf("scan", "non-sequence %d is nil", k))
		}
		v := NewVar(scanName(w, ""), w.DType(), w.Shape()...)
		args = append(args, v)
	}
	nonSeqVars := append([]*Tensor(nil), args[len(innerIns):]...)
	outs := fn(append([]*Tensor(nil), args...))
	if len(outs) == 0 {
		panic(errorf("scan", "the step function returned no outputs"))
	}
	if len(a.OutputsInfo) > len(outs) {
		panic(errorf("scan", "OutputsInfo has %d entries but the step function returned %d outputs", len(a.OutputsInfo), len(outs)))
	}
	for i, o := range outs {
		if o == nil {
			panic(errorf("scan", "output %d of the step function is nil", i))
		}
	}

	// Tensors from outside the body (closures) become extra non-sequences, so that the inner
	// graph is self-contained and outer values are computed once, not at every step.
	isArg := map[*Tensor]bool{}
	for _, v := range args {
		isArg[v] = true
	}
	lifted, liftedVars := scanLift(outs, isArg)
	if len(lifted) > 0 {
		repl := map[*Tensor]*Tensor{}
		for i, t := range lifted {
			repl[t] = liftedVars[i]
		}
		outs = scanClone(outs, repl)
		nonSeq = append(nonSeq, lifted...)
		nonSeqVars = append(nonSeqVars, liftedVars...)
	}
	innerIns = append(innerIns, nonSeqVars...)
	outerIns = append(outerIns, nonSeq...)

	fg, err := NewFunctionGraph(innerIns, outs, nil)
	if err != nil {
		panic(&Error{Op: "scan", Msg: "step function: " + err.Error()})
	}
	if rfg, err := Rewrite(fg); err == nil {
		fg = rfg
	}
	info := &scanInfo{
		fg: fg, nSeq: len(a.Sequences), carried: carried, nNonSeq: len(nonSeq), nOut: len(outs),
		nSteps: a.NSteps, reverse: a.Reverse,
		lastOnly: make([]bool, len(outs)), padSeq: make([]int, len(outs)), outDType: make([]DType, len(outs)),
	}
	for i := range info.padSeq {
		info.padSeq[i] = -1
		info.outDType[i] = outs[i].DType()
	}
	copy(info.lastOnly, lastOnly)
	copy(info.padSeq, padSeq)
	for _, n := range fg.Nodes {
		if isStateful(n.Op) {
			info.stateful = true
		}
	}
	for _, i := range carried {
		init := a.OutputsInfo[i]
		o := fg.Outputs[i]
		if o.NDim() != init.NDim() {
			panic(errorf("scan", "output %d has shape %s but its initial value (OutputsInfo[%d], %s) has shape %s",
				i, ShapeString(o.Shape()), i, init.label(), ShapeString(init.Shape())))
		}
		for k := range o.Shape() {
			if dimsMismatch(o.Shape()[k], init.Shape()[k]) {
				panic(errorf("scan", "output %d has shape %s but its initial value (OutputsInfo[%d], %s) has shape %s",
					i, ShapeString(o.Shape()), i, init.label(), ShapeString(init.Shape())))
			}
		}
		switch {
		case o.DType() == init.DType():
		case init.DType() == Float64:
			info.outDType[i] = Float64 // integer steps stored in a float state
		default:
			panic(errorf("scan", "output %d has dtype %s but its initial value (OutputsInfo[%d], %s) has dtype %s; cast one of them",
				i, o.DType(), i, init.label(), init.DType()))
		}
	}
	for i, l := range info.lastOnly {
		if l && !info.isCarried(i) {
			panic(errorf("scan", "internal: last-only output %d is not fed back", i))
		}
	}
	return ApplyOp(ScanOp{info}, outerIns...)[:len(outs)]
}

// scanName names an inner variable after the outer tensor it stands for.
func scanName(t *Tensor, suffix string) string {
	if t.name != "" {
		return t.name + suffix
	}
	return ""
}

// isCarried reports whether output i is fed back.
func (s *scanInfo) isCarried(i int) bool { return s.carriedIndex(i) >= 0 }

// carriedIndex is the fed-back input of output i, or -1.
func (s *scanInfo) carriedIndex(i int) int {
	for j, o := range s.carried {
		if o == i {
			return j
		}
	}
	return -1
}

// scanLift finds the tensors the body's outputs read from outside the body: those that do not
// depend on the body's arguments and are neither constants nor shared variables. Random draws
// stay inside, so that every step draws anew. It returns them with a fresh variable for each.
func scanLift(outs []*Tensor, isArg map[*Tensor]bool) ([]*Tensor, []*Tensor) {
	memo := map[*Tensor]bool{}
	var inner func(t *Tensor) bool
	inner = func(t *Tensor) bool {
		if isArg[t] {
			return true
		}
		if t.owner == nil {
			return false
		}
		if v, ok := memo[t]; ok {
			return v
		}
		r := isStateful(t.owner.Op)
		for _, in := range t.owner.Inputs {
			if inner(in) {
				r = true
			}
		}
		memo[t] = r
		return r
	}
	var lifted, vars []*Tensor
	seen := map[*Tensor]bool{}
	var visit func(t *Tensor)
	visit = func(t *Tensor) {
		if seen[t] || isArg[t] || t.value != nil || t.shared != nil {
			return
		}
		seen[t] = true
		if !inner(t) {
			lifted = append(lifted, t)
			vars = append(vars, NewVar(t.name, t.DType(), t.Shape()...))
			return
		}
		for _, in := range t.owner.Inputs {
			visit(in)
		}
	}
	for _, o := range outs {
		visit(o)
	}
	return lifted, vars
}

// scanClone rebuilds the graph computing outs with the tensors in repl replaced; nodes that read
// nothing replaced are kept.
func scanClone(outs []*Tensor, repl map[*Tensor]*Tensor) []*Tensor {
	m := map[*Tensor]*Tensor{}
	for k, v := range repl {
		m[k] = v
	}
	get := func(t *Tensor) *Tensor {
		if r, ok := m[t]; ok {
			return r
		}
		return t
	}
	for _, n := range Toposort(outs...) {
		if _, done := m[n.Outputs[0]]; done && len(n.Outputs) == 1 {
			continue
		}
		ins := make([]*Tensor, len(n.Inputs))
		changed := false
		for i, x := range n.Inputs {
			ins[i] = get(x)
			if ins[i] != x {
				changed = true
			}
		}
		if !changed {
			continue
		}
		no := ApplyOp(n.Op, ins...)
		for i, o := range n.Outputs {
			if _, ok := m[o]; !ok {
				m[o] = no[i]
			}
		}
	}
	res := make([]*Tensor, len(outs))
	for i, o := range outs {
		res[i] = get(o)
	}
	return res
}

// innerTypes infers the types of the inner graph's outputs for the given input types; with
// concrete inputs it uses the shared variables' current values.
func (s *scanInfo) innerTypes(in []Type) ([]Type, error) {
	types := make(map[*Tensor]Type, len(s.fg.Nodes)+len(in))
	for i, x := range s.fg.Inputs {
		types[x] = in[i]
	}
	concrete := true
	for _, t := range in {
		if !t.Known() {
			concrete = false
		}
	}
	get := func(t *Tensor) Type {
		if ty, ok := types[t]; ok {
			return ty
		}
		if t.shared != nil && concrete {
			return t.shared.value.Type()
		}
		return t.typ
	}
	for _, n := range s.fg.Nodes {
		ins := make([]Type, len(n.Inputs))
		for i, x := range n.Inputs {
			ins[i] = get(x)
		}
		outs, err := n.Op.Infer(ins)
		if err != nil {
			return nil, err
		}
		for i, o := range n.Outputs {
			types[o] = outs[i]
		}
	}
	res := make([]Type, len(s.fg.Outputs))
	for i, o := range s.fg.Outputs {
		res[i] = get(o)
	}
	return res, nil
}

// steps is the number of steps for the given (outer) input types, Unknown if not known yet.
func (s *scanInfo) steps(in []Type) (int, error) {
	if s.nSteps > 0 {
		for k := 0; k < s.nSeq; k++ {
			if d := in[k].Shape[0]; d >= 0 && d < s.nSteps {
				return 0, errorf("scan", "sequence %d has %d rows, fewer than NSteps = %d", k, d, s.nSteps)
			}
		}
		return s.nSteps, nil
	}
	n := -1
	for k := 0; k < s.nSeq; k++ {
		d := in[k].Shape[0]
		if d < 0 {
			return Unknown, nil
		}
		if n < 0 || d < n {
			n = d
		}
	}
	return n, nil
}

// innerInputTypes maps the outer input types to the inner graph's input types.
func (s *scanInfo) innerInputTypes(in []Type) []Type {
	res := make([]Type, len(in))
	for i, t := range in {
		if i < s.nSeq {
			res[i] = Type{DType: t.DType, Shape: t.Shape[1:]}
		} else {
			res[i] = t
		}
	}
	return res
}

// Infer implements Op.
func (o ScanOp) Infer(in []Type) ([]Type, error) {
	s := o.info
	if len(in) != len(s.fg.Inputs) {
		return nil, errorf("scan", "takes %d inputs, got %d", len(s.fg.Inputs), len(in))
	}
	for k := 0; k < s.nSeq; k++ {
		if len(in[k].Shape) == 0 {
			return nil, errorf("scan", "sequence %d is a scalar", k)
		}
	}
	n, err := s.steps(in)
	if err != nil {
		return nil, err
	}
	inner, err := s.innerTypes(s.innerInputTypes(in))
	if err != nil {
		return nil, &Error{Op: "scan", Msg: "in the step function: " + err.Error()}
	}
	out := make([]Type, s.nOut)
	for i, t := range inner {
		shape := t.Shape
		if j := s.carriedIndex(i); j >= 0 {
			init := in[s.nSeq+j].Shape
			if len(init) != len(shape) {
				return nil, errorf("scan", "output %d has shape %s but its initial value has shape %s", i, ShapeString(shape), ShapeString(init))
			}
			merged := make([]int, len(shape))
			for k := range shape {
				if dimsMismatch(shape[k], init[k]) {
					return nil, errorf("scan", "output %d has shape %s but its initial value has shape %s", i, ShapeString(shape), ShapeString(init))
				}
				merged[k] = shape[k]
				if merged[k] < 0 {
					merged[k] = init[k]
				}
			}
			shape = merged
		}
		if s.lastOnly[i] {
			out[i] = Type{DType: s.outDType[i], Shape: cloneInts(shape)}
			continue
		}
		lead := n
		if p := s.padSeq[i]; p >= 0 {
			lead = in[p].Shape[0]
		}
		out[i] = Type{DType: s.outDType[i], Shape: append([]int{lead}, shape...)}
	}
	return append(out, Type{DType: Float64, Shape: []int{s.tapeSize(in)}}), nil
}

// Kernel implements Op: it compiles the body on the caller's backend and prepares views of the
// sequences' rows and of the previous outputs, so that a call allocates nothing beyond what the
// compiled body allocates.
func (o ScanOp) Kernel(spec KernelSpec) (Kernel, error) {
	s := o.info
	n, err := s.steps(spec.In)
	if err != nil {
		return nil, err
	}
	if m, err := compileScan(s, spec.In, n); err == nil {
		return m.kernel(s), nil
	}
	innerIn := s.innerInputTypes(spec.In)
	rowTypes, err := s.innerTypes(innerIn)
	if err != nil {
		return nil, &Error{Op: "scan", Msg: "in the step function: " + err.Error()}
	}
	var prog Program
	if spec.Compile != nil {
		prog, err = spec.Compile(s.fg)
	} else {
		prog, err = newRefProgram(s.fg)
	}
	if err != nil {
		return nil, err
	}
	nc := len(s.carried)
	args := make([]*Array, len(innerIn))
	seqSize := make([]int, s.nSeq)
	for k := 0; k < s.nSeq; k++ {
		args[k] = &Array{DType: s.fg.Inputs[k].DType(), Shape: cloneInts(innerIn[k].Shape)}
		seqSize[k] = shapeSize(innerIn[k].Shape)
	}
	for j := 0; j < nc; j++ {
		args[s.nSeq+j] = &Array{DType: s.fg.Inputs[s.nSeq+j].DType(), Shape: cloneInts(innerIn[s.nSeq+j].Shape)}
	}
	rowSize := make([]int, s.nOut)
	state := make([][]float64, s.nOut)
	for i, t := range rowTypes {
		rowSize[i] = shapeSize(t.Shape)
		if s.lastOnly[i] {
			state[i] = make([]float64, rowSize[i])
		}
	}
	// Sizes must agree with the initial values: the step's outputs are copied into buffers
	// shaped by them.
	for j, i := range s.carried {
		if sz := shapeSize(innerIn[s.nSeq+j].Shape); sz != rowSize[i] {
			return nil, errorf("scan", "output %d has shape %s at run time but its initial value has shape %s",
				i, ShapeString(rowTypes[i].Shape), ShapeString(innerIn[s.nSeq+j].Shape))
		}
	}
	reverse := s.reverse
	fixed := s.nSeq + nc
	return func(out, in []*Array) error {
		for k := fixed; k < len(in); k++ {
			args[k] = in[k]
		}
		for i, p := range s.padSeq {
			if p >= 0 {
				d := out[i].Data
				for x := n * rowSize[i]; x < len(d); x++ {
					d[x] = 0
				}
			}
		}
		for step := 0; step < n; step++ {
			t := step
			prev := t - 1
			if reverse {
				t = n - 1 - step
				prev = t + 1
			}
			for k := 0; k < s.nSeq; k++ {
				args[k].Data = in[k].Data[t*seqSize[k] : (t+1)*seqSize[k]]
			}
			for j, i := range s.carried {
				a := args[s.nSeq+j]
				switch {
				case step == 0:
					a.Data = in[s.nSeq+j].Data
				case s.lastOnly[i]:
					a.Data = state[i]
				default:
					r := rowSize[i]
					a.Data = out[i].Data[prev*r : (prev+1)*r]
				}
			}
			res, err := prog.Run(args)
			if err != nil {
				return &Error{Op: "scan", Msg: fmt.Sprintf("step %d: %v", t, err)}
			}
			for i, r := range res {
				if len(r.Data) != rowSize[i] {
					return errorf("scan", "output %d of step %d has shape %s, but the loop was prepared for shape %s",
						i, t, ShapeString(r.Shape), ShapeString(rowTypes[i].Shape))
				}
				if s.lastOnly[i] {
					copy(state[i], r.Data)
				} else {
					copy(out[i].Data[t*rowSize[i]:(t+1)*rowSize[i]], r.Data)
				}
			}
		}
		for i, l := range s.lastOnly {
			if !l {
				continue
			}
			if n == 0 {
				copy(out[i].Data, in[s.nSeq+s.carriedIndex(i)].Data)
			} else {
				copy(out[i].Data, state[i])
			}
		}
		return nil
	}, nil
}

// Grad implements Op: backpropagation through time, as a scan running the other way. Its body
// recomputes each step's outputs from the step's inputs (the sequences' rows and the previous
// outputs, taken from the forward results) and pushes the outputs' gradients back through
// them with Grad; gradients of the fed-back values are carried from step to step, and those of
// the non-sequences are accumulated.
//
// A body the loop compiler handles gets its gradient as one op instead (see scanGradOp): the
// loop forward, then one reverse sweep, with no graph per step.
func (o ScanOp) Grad(in, out, gout []*Tensor) []*Tensor {
	n := o.info.nOut
	if g := o.info.fastGrad(in, out[:n], gout[:n], out[n]); g != nil {
		return g
	}
	return o.info.graphGrad(in, out[:n], gout[:n])
}

// graphGrad is backpropagation through time as a graph: a reverse scan (see ScanOp.Grad).
func (s *scanInfo) graphGrad(in, out, gout []*Tensor) []*Tensor {
	if s.stateful {
		panic(errorf("scan", "gradients through a scan whose step function draws random numbers are not supported"))
	}
	nc := len(s.carried)
	seqs := in[:s.nSeq]
	inits := in[s.nSeq : s.nSeq+nc]
	ws := in[s.nSeq+nc:]

	// The stacked forward values of the fed-back outputs; recomputed in full if the forward
	// loop kept only the final ones.
	full := out
	for _, l := range s.lastOnly {
		if l {
			info2 := *s
			info2.lastOnly = make([]bool, s.nOut)
			full = ApplyOp(ScanOp{&info2}, in...)
			break
		}
	}
	prevs := make([]*Tensor, nc)
	for j, i := range s.carried {
		prevs[j] = Apply1(scanPrevOp{Reverse: s.reverse}, inits[j], full[i])
	}

	// Which gradients flow: cotangent sequences of stacked outputs, adjoints of the float fed-back
	// values, accumulators of the float non-sequences, gradients of the float sequences.
	var cotOut []int // outputs with a cotangent sequence
	var cots []*Tensor
	for i := 0; i < s.nOut; i++ {
		if !s.lastOnly[i] && gout[i] != nil && s.outDType[i].IsFloat() {
			cotOut = append(cotOut, i)
			cots = append(cots, gout[i])
		}
	}
	var adjIdx []int // carried inputs j with an adjoint
	var adjInit []*Tensor
	for j, i := range s.carried {
		if !inits[j].DType().IsFloat() {
			continue
		}
		adjIdx = append(adjIdx, j)
		if s.lastOnly[i] && gout[i] != nil {
			adjInit = append(adjInit, gout[i])
		} else {
			adjInit = append(adjInit, zeros(inits[j]))
		}
	}
	var accIdx []int
	var accInit []*Tensor
	for k, w := range ws {
		if w.DType().IsFloat() {
			accIdx = append(accIdx, k)
			accInit = append(accInit, zeros(w))
		}
	}
	var gxIdx []int
	for k, x := range seqs {
		if x.DType().IsFloat() {
			gxIdx = append(gxIdx, k)
		}
	}

	body := func(args []*Tensor) []*Tensor {
		p := 0
		take := func(n int) []*Tensor { r := args[p : p+n]; p += n; return r }
		xs := take(s.nSeq)
		cs := take(len(cotOut))
		ps := take(nc)
		as := take(len(adjIdx))
		accs := take(len(accIdx))
		wv := take(len(ws))
		repl := map[*Tensor]*Tensor{}
		for k := 0; k < s.nSeq; k++ {
			repl[s.fg.Inputs[k]] = xs[k]
		}
		for j := 0; j < nc; j++ {
			repl[s.fg.Inputs[s.nSeq+j]] = ps[j]
		}
		for k := range ws {
			repl[s.fg.Inputs[s.nSeq+nc+k]] = wv[k]
		}
		ys := scanClone(s.fg.Outputs, repl)
		tot := make([]*Tensor, s.nOut)
		for c, i := range cotOut {
			tot[i] = cs[c]
		}
		for a, j := range adjIdx {
			i := s.carried[j]
			if tot[i] == nil {
				tot[i] = as[a]
			} else {
				tot[i] = Add(tot[i], as[a])
			}
		}
		cost := vjpCost(ys, tot)
		if cost == nil {
			cost = ConstOf(Float64, 0)
		}
		var wrt []*Tensor
		for _, k := range gxIdx {
			wrt = append(wrt, xs[k])
		}
		for _, j := range adjIdx {
			wrt = append(wrt, ps[j])
		}
		for _, k := range accIdx {
			wrt = append(wrt, wv[k])
		}
		gs := Grad(cost, wrt...)
		res := append([]*Tensor(nil), gs[:len(gxIdx)+len(adjIdx)]...)
		for a := range accIdx {
			res = append(res, Add(accs[a], gs[len(gxIdx)+len(adjIdx)+a]))
		}
		return res
	}
	var gseqs []*Tensor
	gseqs = append(gseqs, seqs...)
	gseqs = append(gseqs, cots...)
	gseqs = append(gseqs, prevs...)
	info := make([]*Tensor, len(gxIdx))
	info = append(info, adjInit...)
	info = append(info, accInit...)
	lastOnly := make([]bool, len(info))
	padSeq := make([]int, len(info))
	for i := range padSeq {
		padSeq[i] = -1
		if i < len(gxIdx) {
			padSeq[i] = gxIdx[i]
		} else {
			lastOnly[i] = true
		}
	}
	if len(info) == 0 {
		return make([]*Tensor, len(in))
	}
	res := buildScan(body, ScanArgs{
		Sequences: gseqs, OutputsInfo: info, NonSequences: ws, NSteps: s.nSteps, Reverse: !s.reverse,
	}, lastOnly, padSeq)
	grads := make([]*Tensor, len(in))
	for g, k := range gxIdx {
		grads[k] = res[g]
	}
	for a, j := range adjIdx {
		grads[s.nSeq+j] = res[len(gxIdx)+a]
	}
	for a, k := range accIdx {
		grads[s.nSeq+nc+k] = res[len(gxIdx)+len(adjIdx)+a]
	}
	return grads
}

// scanPrevOp shifts a stacked output by one step to give each step's previous value: for a
// forward loop [init, y_0, ..., y_{n-2}], for a reverse one [y_1, ..., y_{n-1}, init]. Inputs:
// init, then the stacked values.
type scanPrevOp struct{ Reverse bool }

func (o scanPrevOp) String() string {
	if o.Reverse {
		return "scan_next"
	}
	return "scan_prev"
}

func (o scanPrevOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 || len(in[1].Shape) != len(in[0].Shape)+1 {
		return nil, errorf(o.String(), "takes an initial value and a stack of values one dimension larger")
	}
	return []Type{{DType: in[1].DType, Shape: cloneInts(in[1].Shape)}}, nil
}

func (o scanPrevOp) Kernel(spec KernelSpec) (Kernel, error) {
	r := shapeSize(spec.In[0].Shape)
	if shapeSize(spec.In[1].Shape[1:]) != r {
		return nil, errorf(o.String(), "initial value of shape %s does not match values of shape %s",
			ShapeString(spec.In[0].Shape), ShapeString(spec.In[1].Shape))
	}
	n := spec.In[1].Shape[0]
	rev := o.Reverse
	return func(out, in []*Array) error {
		if n == 0 {
			return nil
		}
		d, init, y := out[0].Data, in[0].Data, in[1].Data
		if rev {
			copy(d[:(n-1)*r], y[r:n*r])
			copy(d[(n-1)*r:], init)
		} else {
			copy(d[:r], init)
			copy(d[r:], y[:(n-1)*r])
		}
		return nil
	}, nil
}

func (o scanPrevOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := ApplyOp(scanPrevTOp(o), gout[0], in[0])
	return []*Tensor{floatGrad(in[0], g[0]), floatGrad(in[1], g[1])}
}

// scanPrevTOp is the adjoint of scanPrevOp: from the gradient G of the shifted stack it gives the
// gradients of init and of the stack. Inputs: G, and init (for its shape only).
type scanPrevTOp struct{ Reverse bool }

func (o scanPrevTOp) String() string { return scanPrevOp(o).String() + "_grad" }

func (o scanPrevTOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 || len(in[0].Shape) != len(in[1].Shape)+1 {
		return nil, errorf(o.String(), "takes a stack of gradients and the initial value")
	}
	return []Type{{DType: in[0].DType, Shape: cloneInts(in[1].Shape)}, {DType: in[0].DType, Shape: cloneInts(in[0].Shape)}}, nil
}

func (o scanPrevTOp) Kernel(spec KernelSpec) (Kernel, error) {
	r := shapeSize(spec.In[1].Shape)
	n := spec.In[0].Shape[0]
	rev := o.Reverse
	return func(out, in []*Array) error {
		gi, gy, g := out[0].Data, out[1].Data, in[0].Data
		if n == 0 {
			for k := range gi {
				gi[k] = 0
			}
			return nil
		}
		if rev {
			copy(gi, g[(n-1)*r:n*r])
			copy(gy[r:], g[:(n-1)*r])
			for k := 0; k < r; k++ {
				gy[k] = 0
			}
		} else {
			copy(gi, g[:r])
			copy(gy[:(n-1)*r], g[r:n*r])
			for k := (n - 1) * r; k < n*r; k++ {
				gy[k] = 0
			}
		}
		return nil
	}, nil
}

func (o scanPrevTOp) Grad(in, out, gout []*Tensor) []*Tensor {
	ga, gb := gout[0], gout[1]
	if ga == nil {
		ga = zeros(in[1])
	}
	if gb == nil {
		gb = zeros(in[0])
	}
	return []*Tensor{floatGrad(in[0], Apply1(scanPrevOp(o), ga, gb)), nil}
}
