package tensor

import (
	"errors"
	"math"
	"sort"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// The loop compiler. A scan body whose values are small (a few scalars, short vectors, small
// matrices) and whose ops are elementwise functions, sums, log-sum-exps, fused Normal densities
// and pure data movement is compiled, for its concrete shapes, into a flat list of scalar
// instructions over float64 registers. Registers are of two kinds: static ones hold the
// non-sequences, the constants and everything computed from them alone (computed once per call,
// not once per step), and per-step ones hold one value per step, stored as a column of n values.
// The instructions are split in four phases:
//
//	static  operands all static: run once per call
//	pre     per-step, independent of the fed-back state: run column by column over all steps
//	core    on the path from the previous state to the next: run step by step
//	post    read the state but feed nothing back: run column by column after the loop
//
// so only the core, usually a handful of instructions, pays the cost of interpretation per step;
// the rest runs as tight loops over the steps. The columns are the forward tape: the gradient
// runs the same phases in reverse (post, core step by step from the last step, pre, static),
// accumulating one adjoint per register, the adjoints of static registers summed over the steps.
// Chains of affine column instructions are fused into one (scan_fuse.go), a core that is affine
// in the state runs as a linear recurrence, and the transcendental functions run through
// pm/internal/fastmath (a two-term log-sum-exp with one exponential, its weights kept on the
// tape for the reverse sweep).

// scanCompileEnabled switches the compiled loops on (tests switch them off to compare).
var scanCompileEnabled = true

// errScanUnsupported marks a body the loop compiler does not handle; the scan then runs its body
// as a compiled graph per step.
var errScanUnsupported = errors.New("scan body not supported by the loop compiler")

// scanMaxRegs bounds the number of scalar registers of a compiled body: bodies over large arrays
// run better as graphs of vectorised kernels.
const scanMaxRegs = 4096

// Instruction codes.
const (
	smAdd uint8 = iota
	smSub
	smMul
	smDiv
	smNeg
	smUnary   // s.f1
	smBinary  // s.f2
	smTernary // s.f3
	smSumN    // sum of args
	smLseN    // log-sum-exp of args
	smConst   // a constant (static registers only, set when the kernel is built)
	smLin     // Σ ±coef·x over lt (see scan_fuse.go)
)

// smInstr is one instruction during compilation: registers are SSA ids.
type smInstr struct {
	code    uint8
	s       *scalarOp
	dst     int
	a, b, c int
	args    []int
	w       []int // log-sum-exp: the registers receiving the weights exp(x_i − result)
}

// opnd addresses a register: buf[off + s*st] at step s (st is 0 for static registers).
type opnd struct{ off, st int }

func (o opnd) at(s int) int { return o.off + s*o.st }

// smExec is an instruction ready to run.
type smExec struct {
	code    uint8
	s       *scalarOp
	f1      func(float64) float64 // smUnary: the function (fastUnary(s))
	d       opnd
	a, b, c opnd
	args    []opnd
	w       []opnd
	lt      []smTerm // smLin
	// The reverse sweep may skip the adjoint of an operand that leads to no wanted gradient.
	skipA, skipB bool
}

// scanMachine is a compiled loop body for fixed concrete shapes and number of steps.
type scanMachine struct {
	n                       int // steps
	reverse                 bool
	static, pre, core, post []smExec
	size                    int // registers: n values per column, then the static slots
	constOff                []int
	constVal                []float64
	seqCols                 [][]int // per sequence, per element: the column's offset
	seqSize                 []int
	initCols                [][]int  // per fed-back input, per element: the carried-in column
	carryOut                [][]opnd // per fed-back input, per element: the register fed back
	nonSeqOff               [][]int  // per non-sequence, per element: the static slot
	shared                  []*Tensor
	sharedOff               [][]int
	outs                    [][]opnd // per output, per element
	staticBase              int
	lin                     *linRec // the core as a linear recurrence, or nil
}

// smBuild is the state of the scalarisation.
type smBuild struct {
	instrs []smInstr
	nreg   int
	regs   map[*Tensor][]int
	types  map[*Tensor]Type
	consts map[int]float64
	// per register: 0 static, 1 per step
	step []bool
	// per register: depends on the fed-back state
	carry []bool
}

func (b *smBuild) newReg(step, carry bool) int {
	b.nreg++
	b.step = append(b.step, step)
	b.carry = append(b.carry, carry)
	return b.nreg - 1
}

func (b *smBuild) constReg(v float64) int {
	r := b.newReg(false, false)
	b.consts[r] = v
	return r
}

func (b *smBuild) emit(code uint8, s *scalarOp, ops ...int) int {
	step, carry := false, false
	for _, o := range ops {
		step = step || b.step[o]
		carry = carry || b.carry[o]
	}
	d := b.newReg(step, carry)
	in := smInstr{code: code, s: s, dst: d, a: -1, b: -1, c: -1}
	if code == smSumN || code == smLseN {
		in.args = append([]int(nil), ops...)
	} else {
		if len(ops) > 0 {
			in.a = ops[0]
		}
		if len(ops) > 1 {
			in.b = ops[1]
		}
		if len(ops) > 2 {
			in.c = ops[2]
		}
	}
	b.instrs = append(b.instrs, in)
	return d
}

// smDeriv lists the elementwise functions the compiler differentiates itself.
var smSupported map[*scalarOp]bool

func init() {
	smSupported = map[*scalarOp]bool{}
	for _, s := range []*scalarOp{opAdd, opSub, opMul, opDiv, opNeg, opPow, opMaximum, opMinimum,
		opLt, opGt, opLe, opGe, opEq, opNeq, opAnd, opOr, opXor, opNot, opSwitch, opClip, opFill,
		opCastFloat, opCastInt, opAbs, opSign, opFloor, opCeil, opRound, opSquare, opSqrt, opExp,
		opExpm1, opLog, opLog1p, opSigmoid, opSoftplus, opLogSigmoid, opLogit, opTanh, opSin, opCos,
		opErf, opErfc, opLgamma, opLog1mexp} {
		smSupported[s] = true
	}
}

// scanMovement reports whether op only moves data: its output elements are copies of its
// (first) input's elements, so that its kernel run on register numbers maps the registers.
func scanMovement(op Op) bool {
	switch op.(type) {
	case ReshapeOp, TransposeOp, SqueezeOp, ExpandOp, BroadcastToOp, AtOp, SliceOp, ConcatOp,
		matTransposeOp, RepeatOp:
		return true
	}
	return false
}

// compileScan compiles the body of s for the concrete outer input types in; it returns
// errScanUnsupported (or another error) if the body cannot be compiled.
func compileScan(s *scanInfo, in []Type, n int) (*scanMachine, error) {
	if !scanCompileEnabled || s.stateful {
		return nil, errScanUnsupported
	}
	innerIn := s.innerInputTypes(in)
	b := &smBuild{regs: map[*Tensor][]int{}, types: map[*Tensor]Type{}, consts: map[int]float64{}}
	nc := len(s.carried)
	total := 0
	for i, x := range s.fg.Inputs {
		t := innerIn[i]
		if !t.Known() {
			return nil, errScanUnsupported
		}
		total += t.Size()
		if total > scanMaxRegs {
			return nil, errScanUnsupported
		}
		b.types[x] = t
		regs := make([]int, t.Size())
		for e := range regs {
			switch {
			case i < s.nSeq:
				regs[e] = b.newReg(true, false)
			case i < s.nSeq+nc:
				regs[e] = b.newReg(true, true)
			default:
				regs[e] = b.newReg(false, false)
			}
		}
		b.regs[x] = regs
	}
	var shared []*Tensor
	var sharedRegs [][]int
	leaf := func(t *Tensor) ([]int, error) {
		if r, ok := b.regs[t]; ok {
			return r, nil
		}
		var val *Array
		switch {
		case t.value != nil:
			val = t.value
		case t.shared != nil:
			val = t.shared.value
		default:
			return nil, errScanUnsupported
		}
		if val.Size() > scanMaxRegs {
			return nil, errScanUnsupported
		}
		regs := make([]int, val.Size())
		for e := range regs {
			if t.value != nil {
				regs[e] = b.constReg(val.Data[e])
			} else {
				regs[e] = b.newReg(false, false)
			}
		}
		if t.shared != nil {
			shared = append(shared, t)
			sharedRegs = append(sharedRegs, regs)
		}
		b.regs[t] = regs
		b.types[t] = val.Type()
		return regs, nil
	}
	for _, nd := range s.fg.Nodes {
		ins := make([][]int, len(nd.Inputs))
		inTypes := make([]Type, len(nd.Inputs))
		for k, x := range nd.Inputs {
			r, err := leaf(x)
			if err != nil {
				return nil, err
			}
			ins[k] = r
			inTypes[k] = b.types[x]
		}
		outTypes, err := nd.Op.Infer(inTypes)
		if err != nil {
			return nil, err
		}
		for _, t := range outTypes {
			if !t.Known() || t.Size() > scanMaxRegs {
				return nil, errScanUnsupported
			}
		}
		outs, err := b.node(nd, ins, inTypes, outTypes)
		if err != nil {
			return nil, err
		}
		for k, o := range nd.Outputs {
			b.regs[o] = outs[k]
			b.types[o] = outTypes[k]
		}
		if b.nreg > 4*scanMaxRegs {
			return nil, errScanUnsupported
		}
	}
	outRegs := make([][]int, s.nOut)
	for i, o := range s.fg.Outputs {
		r, err := leaf(o)
		if err != nil {
			return nil, err
		}
		outRegs[i] = r
	}
	for j, i := range s.carried {
		if len(outRegs[i]) != len(b.regs[s.fg.Inputs[s.nSeq+j]]) {
			return nil, errorf("scan", "output %d has %d elements at run time but its initial value has %d", i, len(outRegs[i]), len(b.regs[s.fg.Inputs[s.nSeq+j]]))
		}
	}
	return b.assemble(s, in, n, outRegs, shared, sharedRegs)
}

// node scalarises one node.
func (b *smBuild) node(nd *Apply, ins [][]int, inT, outT []Type) ([][]int, error) {
	switch op := nd.Op.(type) {
	case Elemwise:
		if !smSupported[op.s] {
			return nil, errScanUnsupported
		}
		return [][]int{b.elemwise(op.s, ins, inT, outT[0].Shape)}, nil
	case LikelihoodOp:
		if op.kind != likeNormal {
			return nil, errScanUnsupported
		}
		return b.foldRegs(b.normal(ins, inT, outT[0].Shape), outT[0].Shape, op.Folded), nil
	case LikelihoodSumOp:
		// The summed likelihood (Rewrite fuses one of 16 or more elements): the elementwise
		// values, then their sum, added to the start when there is one.
		if op.kind != likeNormal {
			return nil, errScanUnsupported
		}
		lins, linT := ins, inT
		if op.from {
			lins, linT = ins[1:], inT[1:]
		}
		ts, err := LikelihoodOp{kind: likeNormal}.Infer(linT)
		if err != nil {
			return nil, err
		}
		shape := ts[0].Shape
		regs := b.foldRegs(b.normal(lins, linT, shape), shape, op.Folded)
		total := b.reduce(smSumN, regs[0], shape, allAxes(len(shape)))[0]
		if op.from {
			total = b.scalar(opAdd, ins[0][0], total)
		}
		regs[0] = []int{total}
		return regs, nil
	case SumOp:
		return [][]int{b.reduce(smSumN, ins[0], inT[0].Shape, op.axes(len(inT[0].Shape)))}, nil
	case ReduceOp:
		if op.Kind != ReduceLogSumExp {
			return nil, errScanUnsupported
		}
		return [][]int{b.reduce(smLseN, ins[0], inT[0].Shape, op.axes(len(inT[0].Shape)))}, nil
	}
	if !scanMovement(nd.Op) || len(nd.Outputs) != 1 {
		return nil, errScanUnsupported
	}
	// Run the op's own kernel on register numbers.
	arrs := make([]*Array, len(ins))
	for k, r := range ins {
		d := make([]float64, len(r))
		for e, v := range r {
			d[e] = float64(v)
		}
		arrs[k] = &Array{DType: Float64, Shape: inT[k].Shape, Data: d}
	}
	out := &Array{DType: Float64, Shape: outT[0].Shape, Data: make([]float64, outT[0].Size())}
	k, err := nd.Op.Kernel(KernelSpec{Node: nd, In: inT, Out: outT})
	if err != nil {
		return nil, err
	}
	if err := k([]*Array{out}, arrs); err != nil {
		return nil, err
	}
	regs := make([]int, len(out.Data))
	for e, v := range out.Data {
		regs[e] = int(v)
	}
	return [][]int{regs}, nil
}

// bcast maps each element of the output shape to the register of input k.
func bcastRegs(in []int, inShape, out []int) []int {
	n := shapeSize(out)
	res := make([]int, n)
	switch {
	case len(in) == 1:
		for i := range res {
			res[i] = in[0]
		}
	case sameShape(inShape, out):
		copy(res, in)
	default:
		for i, j := range broadcastIndex(inShape, out) {
			res[i] = in[j]
		}
	}
	return res
}

func (b *smBuild) elemwise(s *scalarOp, ins [][]int, inT []Type, out []int) []int {
	bs := make([][]int, len(ins))
	for k := range ins {
		bs[k] = bcastRegs(ins[k], inT[k].Shape, out)
	}
	res := make([]int, shapeSize(out))
	for i := range res {
		ops := make([]int, len(ins))
		for k := range ins {
			ops[k] = bs[k][i]
		}
		res[i] = b.scalar(s, ops...)
	}
	return res
}

// scalar emits one elementwise function on registers.
func (b *smBuild) scalar(s *scalarOp, ops ...int) int {
	switch s {
	case opAdd:
		return b.emit(smAdd, s, ops...)
	case opSub:
		return b.emit(smSub, s, ops...)
	case opMul:
		return b.emit(smMul, s, ops...)
	case opDiv:
		return b.emit(smDiv, s, ops...)
	case opNeg:
		return b.emit(smNeg, s, ops...)
	case opCastFloat:
		return ops[0]
	case opSoftplus:
		if b.carry[ops[0]] {
			// On the state's path softplus(x) = log(e^0 + e^x) is a two-term log-sum-exp,
			// whose weight on x, sigmoid(x), is kept on the tape: the reverse sweep then
			// needs no second exponential.
			return b.lse([]int{b.constReg(0), ops[0]})
		}
	}
	switch s.arity {
	case 1:
		return b.emit(smUnary, s, ops...)
	case 2:
		return b.emit(smBinary, s, ops...)
	}
	return b.emit(smTernary, s, ops...)
}

// normal expands the fused Normal density (and its partials) into scalar instructions.
func (b *smBuild) normal(ins [][]int, inT []Type, out []int) [][]int {
	x := bcastRegs(ins[0], inT[0].Shape, out)
	mu := bcastRegs(ins[1], inT[1].Shape, out)
	sg := bcastRegs(ins[2], inT[2].Shape, out)
	n := shapeSize(out)
	lp, dmu, dsg := make([]int, n), make([]int, n), make([]int, n)
	half, c := b.constReg(-0.5), b.constReg(0.5*math.Log(2*math.Pi))
	one := b.constReg(1)
	for i := 0; i < n; i++ {
		z := b.scalar(opDiv, b.scalar(opSub, x[i], mu[i]), sg[i])
		z2 := b.scalar(opSquare, z)
		lp[i] = b.scalar(opSub, b.scalar(opSub, b.scalar(opMul, half, z2), b.scalar(opLog, sg[i])), c)
		dmu[i] = b.scalar(opDiv, z, sg[i])
		dsg[i] = b.scalar(opDiv, b.scalar(opSub, z2, one), sg[i])
	}
	return [][]int{lp, dmu, dsg}
}

// foldRegs applies a likelihood op's folded partials (see LikelihoodOp.Folded) to the
// registers of its unfolded outputs, whose elements have the given shape.
func (b *smBuild) foldRegs(regs [][]int, shape []int, folded func(int) (bool, bool)) [][]int {
	for k := 1; k < len(regs); k++ {
		switch sum, neg := folded(k); {
		case sum:
			regs[k] = []int{b.reduce(smSumN, regs[k], shape, allAxes(len(shape)))[0]}
		case neg:
			for i, r := range regs[k] {
				regs[k][i] = b.scalar(opNeg, r)
			}
		}
	}
	return regs
}

// reduce emits one n-ary sum or log-sum-exp per output element.
func (b *smBuild) reduce(code uint8, in []int, shape []int, axes AxisSet) []int {
	var outShape, redShape []int
	for k, d := range shape {
		if axes.Has(k) {
			redShape = append(redShape, d)
		} else {
			outShape = append(outShape, d)
		}
	}
	st := ixStrides(shape)
	var outSt, redSt []int
	for k := range shape {
		if axes.Has(k) {
			redSt = append(redSt, st[k])
		} else {
			outSt = append(outSt, st[k])
		}
	}
	outOff := ixEnum(outShape, outSt)
	redOff := ixEnum(redShape, redSt)
	res := make([]int, len(outOff))
	for i, o := range outOff {
		ops := make([]int, len(redOff))
		for j, r := range redOff {
			ops[j] = in[int(o)+int(r)]
		}
		switch {
		case len(ops) == 1 && code == smSumN:
			res[i] = ops[0]
		case len(ops) == 0 && code == smSumN:
			res[i] = b.constReg(0)
		case len(ops) == 0:
			res[i] = b.constReg(math.Inf(-1))
		case code == smLseN:
			res[i] = b.lse(ops)
		default:
			res[i] = b.emit(code, nil, ops...)
		}
	}
	return res
}

// lse emits a log-sum-exp of ops. Its weights exp(x_i − result) are kept on the tape: the
// gradient then needs no exponential.
func (b *smBuild) lse(ops []int) int {
	d := b.emit(smLseN, nil, ops...)
	in := &b.instrs[len(b.instrs)-1]
	for range ops {
		in.w = append(in.w, b.newReg(b.step[d], b.carry[d]))
	}
	return d
}

// assemble removes dead instructions, splits the rest in phases and lays out the registers.
func (b *smBuild) assemble(s *scanInfo, in []Type, n int, outRegs [][]int, shared []*Tensor, sharedRegs [][]int) (*scanMachine, error) {
	nc := len(s.carried)
	def := make([]int, b.nreg)
	for r := range def {
		def[r] = -1
	}
	for k, in := range b.instrs {
		def[in.dst] = k
	}
	operands := func(in *smInstr) []int {
		if in.args != nil {
			return in.args
		}
		var l []int
		for _, o := range []int{in.a, in.b, in.c} {
			if o >= 0 {
				l = append(l, o)
			}
		}
		return l
	}
	// Live registers: those the outputs read.
	live := make([]bool, b.nreg)
	var mark func(r int)
	var alias []int
	mark = func(r int) {
		if live[r] {
			return
		}
		live[r] = true
		if k := def[r]; k >= 0 {
			for _, o := range operands(&b.instrs[k]) {
				if alias != nil {
					o = alias[o]
				}
				mark(o)
			}
		}
	}
	for _, l := range outRegs {
		for _, r := range l {
			mark(r)
		}
	}
	// Core: state-dependent registers on the path to a fed-back output.
	core := make([]bool, b.nreg)
	var markCore func(r int)
	markCore = func(r int) {
		if core[r] || !b.carry[r] || def[r] < 0 {
			return
		}
		core[r] = true
		for _, o := range operands(&b.instrs[def[r]]) {
			markCore(o)
		}
	}
	for _, i := range s.carried {
		for _, r := range outRegs[i] {
			markCore(r)
		}
	}
	// Registers no instruction computes (inputs, constants, log-sum-exp weights) always get
	// storage.
	given := make([]bool, b.nreg)
	for r := range given {
		given[r] = def[r] < 0
	}
	// A core that is affine in the state runs as a linear recurrence instead.
	nOrig := len(b.instrs)
	alias = make([]int, b.nreg)
	for r := range alias {
		alias[r] = r
	}
	lin, mat := b.affine(s, outRegs, core, def, live, alias)
	if lin != nil {
		alias = append(alias, make([]int, b.nreg-len(alias))...)
		for r := len(def); r < b.nreg; r++ {
			alias[r] = r
		}
		def = append(def, make([]int, b.nreg-len(def))...)
		for r := range def {
			def[r] = -1
		}
		for k, in := range b.instrs {
			if k < nOrig && core[in.dst] {
				continue // not executed
			}
			def[in.dst] = k
		}
		live = make([]bool, b.nreg)
		for _, l := range outRegs {
			for _, r := range l {
				mark(alias[r])
			}
		}
		for _, r := range lin.regs {
			mark(r)
		}
		core = append(core, make([]bool, b.nreg-len(core))...)
	}
	// Layout: one column per live per-step register (the inputs always), then static slots.
	stride := n
	if stride < 1 {
		stride = 1
	}
	where := make([]opnd, b.nreg)
	ncol := 0
	for r := 0; r < b.nreg; r++ {
		if b.step[r] && (live[r] || r < len(given) && given[r]) {
			where[r] = opnd{1 + ncol*stride, 1} // offset 0 is no register: opnd{} marks no operand
			ncol++
		}
	}
	m := &scanMachine{n: n, reverse: s.reverse, staticBase: 1 + ncol*stride}
	slot := m.staticBase
	for r := 0; r < b.nreg; r++ {
		if !b.step[r] {
			where[r] = opnd{slot, 0}
			slot++
		}
	}
	m.size = slot
	for r, v := range b.consts {
		m.constOff = append(m.constOff, where[r].off)
		m.constVal = append(m.constVal, v)
	}
	var matX []smExec
	for k := range b.instrs {
		in := &b.instrs[k]
		if !live[in.dst] || lin != nil && k < nOrig && core[in.dst] {
			continue
		}
		x := smExec{code: in.code, s: in.s, d: where[in.dst]}
		if in.code == smUnary {
			x.f1 = fastUnary(in.s)
		}
		if in.a >= 0 {
			x.a = where[alias[in.a]]
		}
		if in.b >= 0 {
			x.b = where[alias[in.b]]
		}
		if in.c >= 0 {
			x.c = where[alias[in.c]]
		}
		for _, o := range in.args {
			x.args = append(x.args, where[alias[o]])
		}
		for _, o := range in.w {
			x.w = append(x.w, where[o])
		}
		switch {
		case mat[in.dst]:
			matX = append(matX, x)
		case !b.step[in.dst]:
			m.static = append(m.static, x)
		case core[in.dst]:
			m.core = append(m.core, x)
		case b.carry[in.dst]:
			m.post = append(m.post, x)
		default:
			m.pre = append(m.pre, x)
		}
	}
	m.post = append(matX, m.post...)
	if lin != nil {
		m.lin = lin.place(where)
	}
	offs := func(t *Tensor) []int {
		l := make([]int, len(b.regs[t]))
		for e, r := range b.regs[t] {
			l[e] = where[r].off
		}
		return l
	}
	for k := 0; k < s.nSeq; k++ {
		m.seqCols = append(m.seqCols, offs(s.fg.Inputs[k]))
		m.seqSize = append(m.seqSize, len(b.regs[s.fg.Inputs[k]]))
	}
	for j := 0; j < nc; j++ {
		m.initCols = append(m.initCols, offs(s.fg.Inputs[s.nSeq+j]))
		co := make([]opnd, len(outRegs[s.carried[j]]))
		for e, r := range outRegs[s.carried[j]] {
			co[e] = where[alias[r]]
		}
		m.carryOut = append(m.carryOut, co)
	}
	for _, x := range s.fg.Inputs[s.nSeq+nc:] {
		m.nonSeqOff = append(m.nonSeqOff, offs(x))
	}
	m.shared = shared
	for _, l := range sharedRegs {
		o := make([]int, len(l))
		for e, r := range l {
			o[e] = where[r].off
		}
		m.sharedOff = append(m.sharedOff, o)
	}
	for _, l := range outRegs {
		o := make([]opnd, len(l))
		for e, r := range l {
			o[e] = where[alias[r]]
		}
		m.outs = append(m.outs, o)
	}
	m.fuseAffine()
	return m, nil
}

// setConsts writes the constants into their registers.
func (m *scanMachine) setConsts(buf []float64) {
	for i, o := range m.constOff {
		buf[o] = m.constVal[i]
	}
}

// row is the sequence row (and output row) read at step s.
func (m *scanMachine) row(s int) int {
	if m.reverse {
		return m.n - 1 - s
	}
	return s
}

// forward runs the loop on the outer inputs (sequences, initial values, non-sequences).
func (m *scanMachine) forward(buf, scratch []float64, in []*Array) error {
	n := m.n
	if err := m.load(buf, in); err != nil {
		return err
	}
	for i := range m.static {
		m.static[i].run(buf, 0, 1)
	}
	for i := range m.pre {
		m.pre[i].run(buf, 0, n)
	}
	if m.lin != nil {
		m.lin.forward(buf, scratch, n)
		for i := range m.post {
			m.post[i].run(buf, 0, n)
		}
		return nil
	}
	core := m.core
	for s := 0; s < n; s++ {
		if s > 0 {
			for j, cols := range m.initCols {
				co := m.carryOut[j]
				for e, c := range cols {
					buf[c+s] = buf[co[e].off+(s-1)*co[e].st]
				}
			}
		}
		stepCore(core, buf, s)
	}
	for i := range m.post {
		m.post[i].run(buf, 0, n)
	}
	return nil
}

// load copies the inputs into their registers.
func (m *scanMachine) load(buf []float64, in []*Array) error {
	n := m.n
	for i, t := range m.shared {
		v := t.shared.value.Data
		if len(v) != len(m.sharedOff[i]) {
			return errorf("scan", "shared variable %s changed size", t.label())
		}
		for e, o := range m.sharedOff[i] {
			buf[o] = v[e]
		}
	}
	k := 0
	for q, cols := range m.seqCols {
		d, sz := in[k].Data, m.seqSize[q]
		for e, c := range cols {
			if m.reverse {
				for s := 0; s < n; s++ {
					buf[c+s] = d[(n-1-s)*sz+e]
				}
			} else if sz == 1 {
				copy(buf[c:c+n], d[:n])
			} else {
				for s := 0; s < n; s++ {
					buf[c+s] = d[s*sz+e]
				}
			}
		}
		k++
	}
	for _, cols := range m.initCols {
		d := in[k].Data
		for e, c := range cols {
			buf[c] = d[e]
		}
		k++
	}
	for _, offs := range m.nonSeqOff {
		d := in[k].Data
		for e, o := range offs {
			buf[o] = d[e]
		}
		k++
	}
	return nil
}

// run evaluates the instruction at steps s0..s1-1.
func (x *smExec) run(buf []float64, s0, s1 int) {
	if s1-s0 > 1 && x.runVec(buf, s0, s1) {
		return
	}
	d, a, b := x.d, x.a, x.b
	switch x.code {
	case smLin:
		x.runLin(buf, s0, s1)
	case smAdd:
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = buf[a.off+s*a.st] + buf[b.off+s*b.st]
		}
	case smSub:
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = buf[a.off+s*a.st] - buf[b.off+s*b.st]
		}
	case smMul:
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = buf[a.off+s*a.st] * buf[b.off+s*b.st]
		}
	case smDiv:
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = buf[a.off+s*a.st] / buf[b.off+s*b.st]
		}
	case smNeg:
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = -buf[a.off+s*a.st]
		}
	case smUnary:
		f := x.f1
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = f(buf[a.off+s*a.st])
		}
	case smBinary:
		f := x.s.f2
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = f(buf[a.off+s*a.st], buf[b.off+s*b.st])
		}
	case smTernary:
		f, c := x.s.f3, x.c
		for s := s0; s < s1; s++ {
			buf[d.off+s*d.st] = f(buf[a.off+s*a.st], buf[b.off+s*b.st], buf[c.off+s*c.st])
		}
	case smSumN:
		for s := s0; s < s1; s++ {
			v := 0.0
			for _, o := range x.args {
				v += buf[o.off+s*o.st]
			}
			buf[d.off+s*d.st] = v
		}
	case smLseN:
		for s := s0; s < s1; s++ {
			if len(x.args) == 2 {
				a, b := x.args[0], x.args[1]
				wa, wb := x.w[0], x.w[1]
				buf[d.off+s*d.st], buf[wa.off+s*wa.st], buf[wb.off+s*wb.st] = fastmath.LogAddExpW(buf[a.off+s*a.st], buf[b.off+s*b.st])
				continue
			}
			lseN(buf, x, s)
		}
	}
}

// lseN is the log-sum-exp of x's arguments at step s, with the weights. The largest argument's
// exponential is 1: the others' sum v gives the result max + log1p(v), one exponential fewer
// than the terms.
func lseN(buf []float64, x *smExec, s int) {
	mx, km := math.Inf(-1), 0
	for k, o := range x.args {
		if v := buf[o.off+s*o.st]; v > mx || v != v {
			mx, km = v, k
		}
	}
	d := x.d.off + s*x.d.st
	if math.IsInf(mx, 0) || mx != mx {
		buf[d] = mx
		for k, o := range x.args {
			buf[x.w[k].off+s*x.w[k].st] = math.Exp(buf[o.off+s*o.st] - mx)
		}
		return
	}
	v := 0.0
	for k, o := range x.args {
		if k == km {
			continue
		}
		e := fastmath.Exp(buf[o.off+s*o.st] - mx)
		buf[x.w[k].off+s*x.w[k].st] = e
		v += e
	}
	buf[d] = mx + fastmath.Log1p(v)
	r := 1 / (1 + v)
	for k, o := range x.w {
		if k == km {
			buf[o.off+s*o.st] = r
		} else {
			buf[o.off+s*o.st] *= r
		}
	}
}

// fastUnary is the function a compiled loop runs for s: fastmath's where it has one (within an
// ulp or two of the math package's, and several times faster), else s's own.
func fastUnary(s *scalarOp) func(float64) float64 {
	switch s {
	case opExp:
		return fastmath.Exp
	case opExpm1:
		return fastmath.Expm1
	case opLog:
		return fastmath.Log
	case opLog1p:
		return fastmath.Log1p
	case opSigmoid:
		return fastmath.Sigmoid
	case opSoftplus:
		return fastmath.Softplus
	case opLogSigmoid:
		return fastmath.LogSigmoid
	}
	return s.f1
}

// fastUnaryTo is fastmath's slice kernel for s (the bits of fastUnary(s)), or nil.
func fastUnaryTo(s *scalarOp) func(dst, x []float64) {
	switch s {
	case opExp:
		return fastmath.ExpTo
	case opLog:
		return fastmath.LogTo
	case opLog1p:
		return fastmath.Log1pTo
	case opSigmoid:
		return fastmath.SigmoidTo
	case opSoftplus:
		return fastmath.SoftplusTo
	case opLogSigmoid:
		return fastmath.LogSigmoidTo
	}
	return nil
}

// back propagates the adjoint of the instruction's result to its operands at steps s0..s1-1.
func (x *smExec) back(buf, adj []float64, s0, s1 int) {
	if s1-s0 > 1 && x.backVec(buf, adj, s0, s1) {
		return
	}
	d, a, b := x.d, x.a, x.b
	switch x.code {
	case smLin:
		x.backLin(buf, adj, s0, s1)
	case smAdd:
		for s := s0; s < s1; s++ {
			g := adj[d.off+s*d.st]
			adj[a.off+s*a.st] += g
			adj[b.off+s*b.st] += g
		}
	case smSub:
		for s := s0; s < s1; s++ {
			g := adj[d.off+s*d.st]
			adj[a.off+s*a.st] += g
			adj[b.off+s*b.st] -= g
		}
	case smMul:
		for s := s0; s < s1; s++ {
			g := adj[d.off+s*d.st]
			ia, ib := a.off+s*a.st, b.off+s*b.st
			va, vb := buf[ia], buf[ib]
			adj[ia] += g * vb
			adj[ib] += g * va
		}
	case smDiv:
		for s := s0; s < s1; s++ {
			g := adj[d.off+s*d.st]
			ib := b.off + s*b.st
			q := g / buf[ib]
			adj[a.off+s*a.st] += q
			adj[ib] -= q * buf[d.off+s*d.st]
		}
	case smNeg:
		for s := s0; s < s1; s++ {
			adj[a.off+s*a.st] -= adj[d.off+s*d.st]
		}
	case smUnary:
		sc := x.s
		for s := s0; s < s1; s++ {
			ia := a.off + s*a.st
			id := d.off + s*d.st
			adj[ia] += adj[id] * deriv1(sc, buf[ia], buf[id])
		}
	case smBinary:
		sc := x.s
		for s := s0; s < s1; s++ {
			ia, ib, id := a.off+s*a.st, b.off+s*b.st, d.off+s*d.st
			g := adj[id]
			da, db := deriv2(sc, buf[ia], buf[ib], buf[id])
			adj[ia] += g * da
			adj[ib] += g * db
		}
	case smTernary:
		c := x.c
		for s := s0; s < s1; s++ {
			ia, ib, ic := a.off+s*a.st, b.off+s*b.st, c.off+s*c.st
			g := adj[d.off+s*d.st]
			va, vb, vc := buf[ia], buf[ib], buf[ic]
			switch x.s {
			case opSwitch:
				if va != 0 {
					adj[ib] += g
				} else {
					adj[ic] += g
				}
			case opClip:
				if va >= vb && va <= vc {
					adj[ia] += g
				}
				if va < vb {
					adj[ib] += g
				}
				if va > vc {
					adj[ic] += g
				}
			}
		}
	case smSumN:
		for s := s0; s < s1; s++ {
			g := adj[d.off+s*d.st]
			for _, o := range x.args {
				adj[o.off+s*o.st] += g
			}
		}
	case smLseN:
		for s := s0; s < s1; s++ {
			g := adj[d.off+s*d.st]
			for k, o := range x.args {
				adj[o.off+s*o.st] += g * buf[x.w[k].off+s*x.w[k].st]
			}
		}
	}
}

// deriv1 is the derivative of a unary function at x, where it takes the value y.
func deriv1(s *scalarOp, x, y float64) float64 {
	switch s {
	case opExp:
		return y
	case opLog:
		return 1 / x
	case opLog1p:
		return 1 / (x + 1)
	case opExpm1:
		return y + 1
	case opSqrt:
		return 0.5 / y
	case opSquare:
		return 2 * x
	case opTanh:
		return 1 - y*y
	case opSigmoid:
		return y * (1 - y)
	case opSoftplus:
		return fastmath.Sigmoid(x)
	case opLogSigmoid:
		return fastmath.Sigmoid(-x)
	case opLogit:
		return 1 / (x * (1 - x))
	case opAbs:
		return opSign.f1(x)
	case opSin:
		return math.Cos(x)
	case opCos:
		return -math.Sin(x)
	case opErf:
		return 2 / math.SqrtPi * math.Exp(-x*x)
	case opErfc:
		return -2 / math.SqrtPi * math.Exp(-x*x)
	case opLgamma:
		return opDigamma.f1(x)
	case opLog1mexp:
		return -1 / math.Expm1(-x)
	case opCastFloat:
		return 1
	}
	return 0 // casts to integers, rounding, sign, logical not
}

// deriv2 is the pair of partial derivatives of a binary function.
func deriv2(s *scalarOp, a, b, y float64) (float64, float64) {
	switch s {
	case opPow:
		db := 0.0
		if a != 0 {
			db = y * math.Log(a)
		}
		return b * math.Pow(a, b-1), db
	case opMaximum:
		if a >= b {
			return 1, 0
		}
		return 0, 1
	case opMinimum:
		if a <= b {
			return 1, 0
		}
		return 0, 1
	case opFill:
		return 0, 1
	}
	return 0, 0 // comparisons and logical ops
}

// writeOut stores the stacked (or final) outputs.
func (m *scanMachine) writeOut(buf []float64, out, in []*Array, s *scanInfo) {
	n := m.n
	for i, regs := range m.outs {
		d := out[i].Data
		r := len(regs)
		if s.lastOnly[i] {
			if n == 0 {
				copy(d, in[s.nSeq+s.carriedIndex(i)].Data)
				continue
			}
			for e, o := range regs {
				d[e] = buf[o.at(n-1)]
			}
			continue
		}
		for e, o := range regs {
			switch {
			case !m.reverse && r == 1 && o.st == 1:
				copy(d[:n], buf[o.off:o.off+n])
			case m.reverse:
				for st := 0; st < n; st++ {
					d[(n-1-st)*r+e] = buf[o.off+st*o.st]
				}
			default:
				for st := 0; st < n; st++ {
					d[st*r+e] = buf[o.off+st*o.st]
				}
			}
		}
		for x := n * r; x < len(d); x++ {
			d[x] = 0
		}
	}
}

// kernel is the scan's compiled forward kernel. The registers live in the scan's last output,
// the tape, which the gradient reads.
func (m *scanMachine) kernel(s *scanInfo) Kernel {
	scratch := make([]float64, len(m.initCols)+16)
	if m.lin != nil {
		scratch = make([]float64, len(m.lin.cin))
	}
	return func(out, in []*Array) error {
		buf := out[s.nOut].Data
		if len(buf) != m.size {
			return errorf("scan", "internal: tape of %d registers, want %d", len(buf), m.size)
		}
		m.setConsts(buf)
		if err := m.forward(buf, scratch, in); err != nil {
			return err
		}
		m.writeOut(buf, out, in, s)
		return nil
	}
}

// tapeSize is the length of the tape for concrete input types: the registers of the compiled
// body, or 0 if the body runs as a graph.
func (s *scanInfo) tapeSize(in []Type) int {
	for _, t := range in {
		if !t.Known() {
			return Unknown
		}
	}
	n, err := s.steps(in)
	if err != nil || n < 0 {
		return Unknown
	}
	m, err := compileScan(s, in, n)
	if err != nil {
		return 0
	}
	return m.size
}

// step runs the core instructions at step s; the common ones are inlined here, so that a step
// costs a switch per instruction and no call.
func stepCore(core []smExec, buf []float64, s int) {
	for i := range core {
		x := &core[i]
		d, a, b := x.d.off+s*x.d.st, x.a.off+s*x.a.st, x.b.off+s*x.b.st
		switch x.code {
		case smAdd:
			buf[d] = buf[a] + buf[b]
		case smSub:
			buf[d] = buf[a] - buf[b]
		case smMul:
			buf[d] = buf[a] * buf[b]
		case smDiv:
			buf[d] = buf[a] / buf[b]
		case smNeg:
			buf[d] = -buf[a]
		case smUnary:
			buf[d] = x.f1(buf[a])
		case smLseN:
			if len(x.args) != 2 {
				lseN(buf, x, s)
				continue
			}
			// The two-term log-sum-exp of an HMM's forward step: one exponential.
			u, v := buf[x.args[0].off+s*x.args[0].st], buf[x.args[1].off+s*x.args[1].st]
			w0, w1 := x.w[0].off+s*x.w[0].st, x.w[1].off+s*x.w[1].st
			buf[d], buf[w0], buf[w1] = fastmath.LogAddExpW(u, v)
		default:
			x.run(buf, s, s+1)
		}
	}
}

// stepCoreBack is the reverse of stepCore.
func stepCoreBack(core []smExec, buf, adj []float64, s int) {
	for i := len(core) - 1; i >= 0; i-- {
		x := &core[i]
		d, a, b := x.d.off+s*x.d.st, x.a.off+s*x.a.st, x.b.off+s*x.b.st
		g := adj[d]
		switch x.code {
		case smAdd:
			adj[a] += g
			adj[b] += g
		case smSub:
			adj[a] += g
			adj[b] -= g
		case smMul:
			va, vb := buf[a], buf[b]
			adj[a] += g * vb
			adj[b] += g * va
		case smNeg:
			adj[a] -= g
		case smLseN:
			for k, o := range x.args {
				adj[o.off+s*o.st] += g * buf[x.w[k].off+s*x.w[k].st]
			}
		default:
			x.back(buf, adj, s, s+1)
		}
	}
}

// The affine core. When every core instruction is an addition, subtraction or negation of
// state-dependent values, or their product or quotient by a state-free value, the next state is
// off[s] + A[s]·state, with off and A computed from state-free registers; the core then runs as
// that linear recurrence (a tight loop, as Recurrence does) and its adjoint as the transposed
// recurrence run backward.

// aff is a register as an affine function of the state: off + Σ_q co[q]·state[q] (−1: zero).
type aff struct {
	off int
	co  []int
}

func (f *aff) pure() bool {
	for _, c := range f.co {
		if c >= 0 {
			return false
		}
	}
	return true
}

// linPlan is the recurrence over registers; linRec over register offsets.
type linPlan struct {
	cin, cout []int
	off       []int
	terms     [][3]int // i, j, coefficient register
	regs      []int    // registers the recurrence reads or writes
}

type linTerm struct {
	i, j int
	c    opnd
}

type linRec struct {
	cin    []int
	cout   []opnd
	off    []opnd
	hasOff []bool
	terms  []linTerm
	// offLin computes the offset of a scalar recurrence (see fuseLinOffset), or nil; cinOnly
	// says that only the recurrence reads the carried-in column, whose adjoint is then zero.
	offLin  *smExec
	cinOnly bool
	zeros   []float64 // n zeros, with offLin
}

func (p *linPlan) place(where []opnd) *linRec {
	l := &linRec{}
	for q := range p.cin {
		l.cin = append(l.cin, where[p.cin[q]].off)
		l.cout = append(l.cout, where[p.cout[q]])
		if p.off[q] >= 0 {
			l.off = append(l.off, where[p.off[q]])
			l.hasOff = append(l.hasOff, true)
		} else {
			l.off = append(l.off, opnd{})
			l.hasOff = append(l.hasOff, false)
		}
	}
	for _, t := range p.terms {
		l.terms = append(l.terms, linTerm{t[0], t[1], where[t[2]]})
	}
	return l
}

// affine tries to express the core as a linear recurrence. It emits the instructions computing
// offsets and coefficients (state-free: pre or static), and those recomputing core registers
// that later phases read (mat, run after the recurrence); alias maps such a core register to its
// recomputed value. It returns nil (and emits nothing) if the core is not affine.
func (b *smBuild) affine(s *scanInfo, outRegs [][]int, core []bool, def []int, live []bool, alias []int) (*linPlan, map[int]bool) {
	var cin, cout []int
	for j, i := range s.carried {
		cin = append(cin, b.regs[s.fg.Inputs[s.nSeq+j]]...)
		cout = append(cout, outRegs[i]...)
	}
	K := len(cin)
	if K == 0 || K > 16 {
		return nil, nil
	}
	qOf := map[int]int{}
	for q, r := range cin {
		qOf[r] = q
	}
	seenOut := map[int]bool{}
	for _, r := range cout {
		if r >= len(core) || !core[r] || seenOut[r] {
			return nil, nil
		}
		seenOut[r] = true
	}
	// Undo everything emitted if the core turns out not to be affine.
	nInstr, nReg := len(b.instrs), b.nreg
	fail := func() (*linPlan, map[int]bool) {
		for r := nReg; r < b.nreg; r++ {
			delete(b.consts, r)
		}
		b.instrs, b.nreg = b.instrs[:nInstr], nReg
		b.step, b.carry = b.step[:nReg], b.carry[:nReg]
		return nil, nil
	}
	zero := func() []int {
		co := make([]int, K)
		for q := range co {
			co[q] = -1
		}
		return co
	}
	one := -1
	forms := map[int]*aff{}
	get := func(r int) *aff {
		if f, ok := forms[r]; ok {
			return f
		}
		co := zero()
		if q, ok := qOf[r]; ok {
			if one < 0 {
				one = b.constReg(1)
			}
			co[q] = one
			return &aff{off: -1, co: co}
		}
		return &aff{off: r, co: co}
	}
	comb := func(code uint8, x, y int) int {
		switch {
		case y < 0:
			return x
		case x < 0 && code == smAdd:
			return y
		case x < 0:
			return b.emit(smNeg, opNeg, y)
		case code == smAdd:
			return b.emit(smAdd, opAdd, x, y)
		}
		return b.emit(smSub, opSub, x, y)
	}
	scale := func(code uint8, x, p int) int {
		if x < 0 {
			return -1
		}
		if code == smMul {
			return b.emit(smMul, opMul, x, p)
		}
		return b.emit(smDiv, opDiv, x, p)
	}
	for k := 0; k < nInstr; k++ {
		in := b.instrs[k]
		if !core[in.dst] {
			continue
		}
		f := &aff{co: zero()}
		switch in.code {
		case smAdd, smSub:
			fa, fb := get(in.a), get(in.b)
			f.off = comb(in.code, fa.off, fb.off)
			for q := range f.co {
				f.co[q] = comb(in.code, fa.co[q], fb.co[q])
			}
		case smNeg:
			fa := get(in.a)
			f.off = comb(smSub, -1, fa.off)
			for q := range f.co {
				f.co[q] = comb(smSub, -1, fa.co[q])
			}
		case smMul, smDiv:
			fa, fb := get(in.a), get(in.b)
			if in.code == smMul && fa.pure() {
				fa, fb = fb, fa
			}
			if !fb.pure() {
				return fail()
			}
			f.off = scale(in.code, fa.off, fb.off)
			for q := range f.co {
				f.co[q] = scale(in.code, fa.co[q], fb.off)
			}
		default:
			return fail()
		}
		forms[in.dst] = f
	}
	p := &linPlan{cin: cin, cout: cout}
	for q, r := range cout {
		f := forms[r]
		p.off = append(p.off, f.off)
		if f.off >= 0 {
			p.regs = append(p.regs, f.off)
		}
		for j, c := range f.co {
			if c >= 0 {
				p.terms = append(p.terms, [3]int{q, j, c})
				p.regs = append(p.regs, c)
			}
		}
	}
	p.regs = append(p.regs, cout...)
	// Core registers read outside the core are recomputed after the recurrence.
	mat := map[int]bool{}
	need := map[int]bool{}
	for k := 0; k < nInstr; k++ {
		in := &b.instrs[k]
		if core[in.dst] || !live[in.dst] {
			continue
		}
		for _, o := range append([]int{in.a, in.b, in.c}, in.args...) {
			if o >= 0 && o < len(core) && core[o] && !seenOut[o] {
				need[o] = true
			}
		}
	}
	for _, l := range outRegs {
		for _, r := range l {
			if r < len(core) && core[r] && !seenOut[r] {
				need[r] = true
			}
		}
	}
	order := make([]int, 0, len(need))
	for r := range need {
		order = append(order, r)
	}
	sort.Ints(order)
	for _, r := range order {
		f := forms[r]
		acc := f.off
		for q, c := range f.co {
			if c < 0 {
				continue
			}
			t := b.emit(smMul, opMul, c, cin[q])
			mat[t] = true
			if acc < 0 {
				acc = t
			} else {
				acc = b.emit(smAdd, opAdd, acc, t)
				mat[acc] = true
			}
		}
		if acc < 0 {
			acc = b.constReg(0)
		}
		alias[r] = acc
	}
	return p, mat
}

// forward runs the recurrence over the steps; the carried-in columns hold the initial state at
// step 0 and receive the previous state at every later step.
func (l *linRec) forward(buf, st []float64, n int) {
	if l.offLin != nil {
		l.offLin.runLin(buf, 0, n)
	}
	if len(l.cin) == 1 && len(l.terms) == 1 && l.terms[0].c.st == 0 && l.cout[0].st == 1 && l.hasOff[0] && l.off[0].st == 1 && n > 0 {
		ci, co, off, av := l.cin[0], l.cout[0].off, l.off[0].off, buf[l.terms[0].c.off]
		cin, cout, offs := buf[ci:ci+n], buf[co:co+n], buf[off:off+n]
		linForward1(cin, cout, offs, av, cin[0])
		return
	}
	if len(l.cin) == 1 && len(l.terms) <= 1 {
		ci, co, off := l.cin[0], l.cout[0], l.off[0]
		x := buf[ci]
		hasOff := l.hasOff[0]
		if len(l.terms) == 1 {
			a := l.terms[0].c
			for s := 0; s < n; s++ {
				buf[ci+s] = x
				y := a2(buf, a, s) * x
				if hasOff {
					y += buf[off.off+s*off.st]
				}
				buf[co.off+s*co.st] = y
				x = y
			}
			return
		}
	}
	for s := 0; s < n; s++ {
		if s > 0 {
			for q, c := range l.cin {
				buf[c+s] = buf[l.cout[q].off+(s-1)*l.cout[q].st]
			}
		}
		for q := range st {
			if l.hasOff[q] {
				st[q] = buf[l.off[q].off+s*l.off[q].st]
			} else {
				st[q] = 0
			}
		}
		for _, t := range l.terms {
			st[t.i] += buf[t.c.off+s*t.c.st] * buf[l.cin[t.j]+s]
		}
		for q, v := range st {
			buf[l.cout[q].off+s*l.cout[q].st] = v
		}
	}
}

func a2(buf []float64, a opnd, s int) float64 { return buf[a.off+s*a.st] }

// back runs the adjoint recurrence from the last step to the first.
// offLin is the backward plan's copy of l.offLin (with its skip flags).
func (l *linRec) back(buf, adj []float64, n int, offLin *smExec) {
	if l.offLin != nil {
		if offLin != nil && l.backFused(buf, adj, n, offLin) {
			return
		}
		// The columns the gradient kernel left for the recurrence to clear.
		off := l.off[0].off
		clear(adj[off : off+n])
		if l.cinOnly {
			clear(adj[l.cin[0] : l.cin[0]+n])
		}
		if offLin != nil {
			defer offLin.backLin(buf, adj, 0, n)
		}
	}
	if len(l.cin) == 1 && len(l.terms) == 1 && l.terms[0].c.st == 0 && l.cout[0].st == 1 && (!l.hasOff[0] || l.off[0].st == 1) {
		// A scalar state with a constant coefficient (ARMA, GARCH): the coefficient's adjoint
		// is summed in a local, and the fed-back register's adjoint, read by no one after this,
		// is not stored.
		ci, co, off, a := l.cin[0], l.cout[0].off, l.off[0].off, l.terms[0].c.off
		av, ga := buf[a], 0.0
		next := 0.0
		if l.hasOff[0] {
			ga, next = linBack1(adj[co:co+n], adj[ci:ci+n], adj[off:off+n], buf[ci:ci+n], av)
		} else {
			for s := n - 1; s >= 0; s-- {
				c := adj[co+s]
				g := c + next
				ga += g * buf[ci+s]
				next = (adj[ci+s] + c*av) + next*av
			}
		}
		adj[a] += ga
		if n > 0 {
			adj[ci] = next
		}
		return
	}
	if len(l.cin) == 1 && len(l.terms) == 1 {
		ci, co, off, a := l.cin[0], l.cout[0], l.off[0], l.terms[0].c
		hasOff := l.hasOff[0]
		next := 0.0 // adjoint of the state carried into step s+1
		for s := n - 1; s >= 0; s-- {
			g := adj[co.off+s*co.st] + next
			adj[co.off+s*co.st] = g
			if hasOff {
				adj[off.off+s*off.st] += g
			}
			ia := a.off + s*a.st
			adj[ia] += g * buf[ci+s]
			next = adj[ci+s] + g*buf[ia]
			adj[ci+s] = next
		}
		return
	}
	for s := n - 1; s >= 0; s-- {
		if s+1 < n {
			for q, c := range l.cin {
				adj[l.cout[q].off+s*l.cout[q].st] += adj[c+s+1]
			}
		}
		for q := range l.cin {
			if l.hasOff[q] {
				adj[l.off[q].off+s*l.off[q].st] += adj[l.cout[q].off+s*l.cout[q].st]
			}
		}
		for _, t := range l.terms {
			g := adj[l.cout[t.i].off+s*l.cout[t.i].st]
			ic := t.c.off + s*t.c.st
			adj[ic] += g * buf[l.cin[t.j]+s]
			adj[l.cin[t.j]+s] += g * buf[ic]
		}
	}
}

// Column kernels: the common instructions over a range of steps, on slices, so that the phases
// that run column by column are plain loops. An operand is a column (st = 1) or a static
// register (st = 0).

// runVec runs x over steps s0..s1-1 if it has a column kernel, and reports whether it did.
func (x *smExec) runVec(buf []float64, s0, s1 int) bool {
	if x.d.st != 1 {
		return false
	}
	n := s1 - s0
	d := buf[x.d.off+s0 : x.d.off+s1]
	col := func(o opnd) []float64 { return buf[o.off+s0 : o.off+s0+n] }
	switch x.code {
	case smAdd, smSub, smMul, smDiv:
		a, b := x.a, x.b
		switch {
		case a.st == 1 && b.st == 1:
			va, vb := col(a), col(b)
			switch x.code {
			case smAdd:
				for i := range d {
					d[i] = va[i] + vb[i]
				}
			case smSub:
				for i := range d {
					d[i] = va[i] - vb[i]
				}
			case smMul:
				for i := range d {
					d[i] = va[i] * vb[i]
				}
			default:
				for i := range d {
					d[i] = va[i] / vb[i]
				}
			}
		case a.st == 1:
			va, k := col(a), buf[b.off]
			switch x.code {
			case smAdd:
				for i := range d {
					d[i] = va[i] + k
				}
			case smSub:
				for i := range d {
					d[i] = va[i] - k
				}
			case smMul:
				for i := range d {
					d[i] = va[i] * k
				}
			default:
				for i := range d {
					d[i] = va[i] / k
				}
			}
		default:
			k, vb := buf[a.off], col(b)
			switch x.code {
			case smAdd:
				for i := range d {
					d[i] = k + vb[i]
				}
			case smSub:
				for i := range d {
					d[i] = k - vb[i]
				}
			case smMul:
				for i := range d {
					d[i] = k * vb[i]
				}
			default:
				for i := range d {
					d[i] = k / vb[i]
				}
			}
		}
		return true
	case smNeg, smUnary:
		if x.a.st != 1 {
			return false
		}
		va := col(x.a)
		switch {
		case x.code == smNeg:
			for i := range d {
				d[i] = -va[i]
			}
			return true
		case x.s == opSquare:
			for i := range d {
				d[i] = va[i] * va[i]
			}
			return true
		}
		if k := fastUnaryTo(x.s); k != nil {
			k(d, va)
			return true
		}
		f := x.f1
		for i := range d {
			d[i] = f(va[i])
		}
		return true
	}
	return false
}

// backVec is the column kernel of back; it reports whether it handled x.
func (x *smExec) backVec(buf, adj []float64, s0, s1 int) bool {
	if x.d.st != 1 {
		return false
	}
	n := s1 - s0
	g := adj[x.d.off+s0 : x.d.off+s1]
	col := func(v []float64, o opnd) []float64 { return v[o.off+s0 : o.off+s0+n] }
	// acc adds w[i]·g[i] (w nil: g[i]) into operand o's adjoint, times sign.
	acc := func(o opnd, w []float64, k float64, skip bool) {
		if skip {
			return
		}
		if o.st == 1 {
			ga := col(adj, o)
			if w == nil {
				for i := range ga {
					ga[i] += k * g[i]
				}
			} else {
				for i := range ga {
					ga[i] += k * g[i] * w[i]
				}
			}
			return
		}
		t := 0.0
		if w == nil {
			for _, v := range g {
				t += v
			}
		} else {
			for i, v := range g {
				t += v * w[i]
			}
		}
		adj[o.off] += k * t
	}
	sa, sb := x.skipA, x.skipB
	switch x.code {
	case smAdd:
		acc(x.a, nil, 1, sa)
		acc(x.b, nil, 1, sb)
	case smSub:
		acc(x.a, nil, 1, sa)
		acc(x.b, nil, -1, sb)
	case smNeg:
		acc(x.a, nil, -1, sa)
	case smMul:
		a, b := x.a, x.b
		switch {
		case a.st == 1 && b.st == 1:
			acc(a, col(buf, b), 1, sa)
			acc(b, col(buf, a), 1, sb)
		case a.st == 1:
			acc(a, nil, buf[b.off], sa)
			acc(b, col(buf, a), 1, sb)
		default:
			acc(a, col(buf, b), 1, sa)
			acc(b, nil, buf[a.off], sb)
		}
	case smUnary:
		if sa {
			return true // no wanted gradient behind the operand
		}
		if x.a.st != 1 {
			return false
		}
		ga, va, vy := col(adj, x.a), col(buf, x.a), col(buf, x.d)
		switch x.s {
		case opSquare:
			for i := range ga {
				ga[i] += 2 * g[i] * va[i]
			}
		case opExp:
			for i := range ga {
				ga[i] += g[i] * vy[i]
			}
		case opLog:
			for i := range ga {
				ga[i] += g[i] / va[i]
			}
		case opSqrt:
			for i := range ga {
				ga[i] += 0.5 * g[i] / vy[i]
			}
		default:
			s := x.s
			for i := range ga {
				ga[i] += g[i] * deriv1(s, va[i], vy[i])
			}
		}
	default:
		return false
	}
	return true
}

// linForward1 runs x_s = off_s + a·x_{s−1} from x_{−1} = x, storing x_{s−1} in cin and x_s in
// cout. Four steps at a time: each of the four is computed from the state before the block, so
// the chain from block to block is one multiplication and one addition, not four of each.
func linForward1(cin, cout, off []float64, a, x float64) {
	n := len(cout)
	a2 := a * a
	a3, a4 := a2*a, a2*a2
	s := 0
	for ; s+4 <= n; s += 4 {
		o := off[s : s+4 : s+4]
		q1 := o[1] + a*o[0]
		q2 := o[2] + a*q1
		q3 := o[3] + a*q2
		x0, x1, x2, x3 := o[0]+a*x, q1+a2*x, q2+a3*x, q3+a4*x
		c := cin[s : s+4 : s+4]
		c[0], c[1], c[2], c[3] = x, x0, x1, x2
		d := cout[s : s+4 : s+4]
		d[0], d[1], d[2], d[3] = x0, x1, x2, x3
		x = x3
	}
	for ; s < n; s++ {
		cin[s] = x
		x = off[s] + a*x
		cout[s] = x
	}
}

// linBack1 is the adjoint of linForward1: given the adjoints gout of the outputs and gin of the
// previous states (from later phases), it adds the offsets' adjoints into goff and returns the
// coefficient's adjoint and the initial state's. With N_s the adjoint carried from step s+1,
// g_s = gout_s + N_s and N_{s−1} = gin_s + a·g_s = u_s + a·N_s, u_s = gin_s + a·gout_s; blocked
// by four steps as the forward loop is.
func linBack1(gout, gin, goff, cin []float64, a float64) (ga, next float64) {
	n := len(gout)
	a2 := a * a
	a3, a4 := a2*a, a2*a2
	s := n - 1
	for ; s >= 3; s -= 4 {
		lo := s - 3
		c := gout[lo : lo+4 : lo+4]
		gi := gin[lo : lo+4 : lo+4]
		w1 := gi[3] + a*c[3]
		w2 := gi[2] + a*c[2] + a*w1
		w3 := gi[1] + a*c[1] + a*w2
		w4 := gi[0] + a*c[0] + a*w3
		g3 := c[3] + next
		g2 := c[2] + (w1 + a*next)
		g1 := c[1] + (w2 + a2*next)
		g0 := c[0] + (w3 + a3*next)
		next = w4 + a4*next
		f := goff[lo : lo+4 : lo+4]
		f[0] += g0
		f[1] += g1
		f[2] += g2
		f[3] += g3
		x := cin[lo : lo+4 : lo+4]
		ga += g0*x[0] + g1*x[1] + g2*x[2] + g3*x[3]
	}
	for ; s >= 0; s-- {
		c := gout[s]
		g := c + next
		goff[s] += g
		ga += g * cin[s]
		next = (gin[s] + c*a) + next*a
	}
	return ga, next
}
