package tensor

import (
	"fmt"
	"strconv"
	"strings"
)

// Scalar fusion: chains of elementwise ops on one-element tensors (the hyperparameters, priors
// and their gradients of every model) are each a few nanoseconds of arithmetic behind a kernel
// call, an input refresh and a loop. FuseScalars runs each tree of such nodes whose inner
// results have a single reader as one ScalarProgram: a register machine over float64s, with
// the same scalar functions in the same order, so the bits do not change.

type scalarInstr struct {
	s       *scalarOp
	a, b, c int // operand registers; inputs occupy registers 0..nIn-1
	dst     int
}

// ScalarProgram is a fused tree of scalar elementwise ops (see FuseScalars).
type ScalarProgram struct{ p *scalarProg }

type scalarProg struct {
	nIn, nRegs int
	code       []scalarInstr
	out        Type
}

// maxProgramNames is how many instruction names String shows; a program fused from a model of
// thousands of scalars would otherwise be named by a string as long as the model.
const maxProgramNames = 16

// names lists the program's instructions, built when asked for (error messages, printing),
// never while fusing.
func (p *scalarProg) names() string {
	var b strings.Builder
	for k, c := range p.code {
		if k == maxProgramNames {
			b.WriteString(",…+")
			b.WriteString(strconv.Itoa(len(p.code) - k))
			break
		}
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.s.name)
	}
	return b.String()
}

// Stateful implements Stateful: fused programs exist only after rewriting.
func (o ScalarProgram) Stateful() bool { return true }

// String implements Op.
func (o ScalarProgram) String() string { return "scalar_program{" + o.p.names() + "}" }

// Infer implements Op.
func (o ScalarProgram) Infer(in []Type) ([]Type, error) {
	if len(in) != o.p.nIn {
		return nil, errorf(o.String(), "takes %d inputs, got %d", o.p.nIn, len(in))
	}
	return []Type{o.p.out}, nil
}

// Grad implements Op; fused programs are built after differentiation.
func (o ScalarProgram) Grad(in, out, gout []*Tensor) []*Tensor {
	panic(errorf(o.String(), "fused programs are not differentiable; differentiate before compiling"))
}

// Kernel implements Op.
func (o ScalarProgram) Kernel(spec KernelSpec) (Kernel, error) {
	for i, t := range spec.In {
		if t.Size() != 1 {
			return nil, errorf(o.String(), "input %d has shape %s at run time; scalar programs take one-element inputs", i, ShapeString(t.Shape))
		}
	}
	p := o.p
	regs := make([]float64, p.nRegs)
	code := p.code
	last := len(code) - 1
	return func(out, in []*Array) error {
		for i, a := range in {
			regs[i] = a.Data[0]
		}
		for k := range code {
			c := &code[k]
			var v float64
			switch c.s {
			case opAdd:
				v = regs[c.a] + regs[c.b]
			case opSub:
				v = regs[c.a] - regs[c.b]
			case opMul:
				v = regs[c.a] * regs[c.b]
			case opDiv:
				v = regs[c.a] / regs[c.b]
			case opNeg:
				v = -regs[c.a]
			default:
				switch c.s.arity {
				case 1:
					v = c.s.f1(regs[c.a])
				case 2:
					v = c.s.f2(regs[c.a], regs[c.b])
				default:
					v = c.s.f3(regs[c.a], regs[c.b], regs[c.c])
				}
			}
			if k == last {
				out[0].Data[0] = v
			} else {
				regs[c.dst] = v
			}
		}
		return nil
	}, nil
}

// isScalarElem reports whether n is an elementwise node whose inputs and output have one
// element statically.
func isScalarElem(n *Apply) bool {
	if _, ok := n.Op.(Elemwise); !ok || len(n.Outputs) != 1 || n.Outputs[0].typ.Size() != 1 {
		return false
	}
	for _, in := range n.Inputs {
		if in.typ.Size() != 1 {
			return false
		}
	}
	return true
}

// FuseScalars replaces trees of scalar elementwise nodes by ScalarPrograms (see above).
// Backends call it after Rewrite; it never changes results.
func FuseScalars(fg *FunctionGraph) (*FunctionGraph, error) {
	readers := fg.readerCounts()
	absorbed := map[*Apply]bool{}
	groups := map[*Apply][]*Apply{}
	for i := len(fg.Nodes) - 1; i >= 0; i-- {
		root := fg.Nodes[i]
		if absorbed[root] || !isScalarElem(root) {
			continue
		}
		var members []*Apply
		var collect func(n *Apply)
		collect = func(n *Apply) {
			for _, in := range n.Inputs {
				if in.owner != nil && !absorbed[in.owner] && readers.get(in.idOf()) == 1 && isScalarElem(in.owner) &&
					sameShape(in.typ.Shape, in.owner.Outputs[0].typ.Shape) {
					absorbed[in.owner] = true
					collect(in.owner)
				}
			}
			members = append(members, n)
		}
		collect(root)
		if len(members) >= 2 {
			groups[root] = members
		}
	}
	if len(groups) == 0 {
		return fg, nil
	}
	m := map[*Tensor]*Tensor{}
	get := func(t *Tensor) *Tensor {
		if r, ok := m[t]; ok {
			return r
		}
		return t
	}
	for _, n := range fg.Nodes {
		if members, ok := groups[n]; ok {
			// Inputs first (registers 0..nIn-1), then one register per inner result.
			var ext []*Tensor
			extReg := map[*Tensor]int{}
			inner := make(map[*Apply]bool, len(members))
			for _, mb := range members {
				inner[mb] = true
			}
			for _, mb := range members {
				for _, in := range mb.Inputs {
					if in.owner != nil && inner[in.owner] {
						continue
					}
					x := get(in)
					if _, ok := extReg[x]; !ok {
						extReg[x] = len(ext)
						ext = append(ext, x)
					}
				}
			}
			p := &scalarProg{nIn: len(ext), out: n.Outputs[0].typ}
			reg := map[*Tensor]int{}
			next := len(ext)
			for _, mb := range members {
				ins := scalarInstr{s: mb.Op.(Elemwise).s}
				var ops [3]int
				for j, in := range mb.Inputs {
					if r, ok := reg[in]; ok {
						ops[j] = r
					} else {
						ops[j] = extReg[get(in)]
					}
				}
				ins.a, ins.b, ins.c = ops[0], ops[1], ops[2]
				ins.dst = next
				reg[mb.Outputs[0]] = next
				next++
				p.code = append(p.code, ins)
			}
			p.nRegs = next
			out := Apply1(ScalarProgram{p}, ext...)
			out.name = n.Outputs[0].name
			m[n.Outputs[0]] = out
			continue
		}
		if absorbed[n] {
			continue
		}
		changed := false
		ins := make([]*Tensor, len(n.Inputs))
		for i, x := range n.Inputs {
			ins[i] = get(x)
			changed = changed || ins[i] != x
		}
		if changed {
			renode(n, ins, m)
		}
	}
	res, err := fg.remap(get)
	if err != nil {
		return nil, fmt.Errorf("tensor: fusing scalars: %w", err)
	}
	return res, nil
}
