package tensor

import (
	"fmt"
	"reflect"
)

// Stateful is implemented by ops whose result is not a function of their inputs alone (random
// draws): rewrites never merge or fold them.
type Stateful interface {
	Stateful() bool
}

func isStateful(op Op) bool {
	s, ok := op.(Stateful)
	return ok && s.Stateful()
}

// rule rewrites a node, given its op and its (already rewritten) inputs, into an equivalent
// tensor, or returns nil to leave it alone.
type rule func(op Op, in []*Tensor) *Tensor

// Rewrite returns an equivalent function graph, simplified: local rules replace expressions by
// numerically stable forms (log(1+x) → log1p(x) and the others listed in rules.go), common
// subexpressions are merged, and nodes whose inputs are all constants are computed once. Both
// backends run the rewritten graph, so rewrites never make them differ.
func Rewrite(fg *FunctionGraph) (out *FunctionGraph, err error) {
	// Rules build new nodes (a fill becomes a constant, an operand goes away) that can enable
	// folding or other rules upstream; a few passes reach the fixed point on real graphs.
	out = fg
	for pass := 0; pass < 4; pass++ {
		before := len(out.Nodes)
		if out, err = rewriteOnce(out); err != nil {
			return nil, err
		}
		if len(out.Nodes) == before && pass > 0 {
			break
		}
	}
	res, _ := fuseLikelihoodSums(out)
	return res, nil
}

// rewriteOnce is one bottom-up pass of local rules, merging and folding.
func rewriteOnce(fg *FunctionGraph) (out *FunctionGraph, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	m := map[*Tensor]*Tensor{}
	get := func(t *Tensor) *Tensor {
		if r, ok := m[t]; ok {
			return r
		}
		return t
	}
	type key struct {
		op Op
		a  [4]*Tensor
		n  int
	}
	seen := map[key]*Apply{}
	rules := localRules()
	for _, n := range fg.Nodes {
		ins := make([]*Tensor, len(n.Inputs))
		changed := false
		for i, x := range n.Inputs {
			ins[i] = get(x)
			if ins[i] != x {
				changed = true
			}
		}
		stateful := isStateful(n.Op)
		if len(n.Outputs) == 1 && !stateful {
			var rep *Tensor
			for _, r := range rules {
				if rep = r(n.Op, ins); rep != nil {
					break
				}
			}
			if rep != nil {
				rep = rewriteNew(rep, m, rules)
				m[n.Outputs[0]] = rep
				continue
			}
		}
		node := n
		if changed {
			node = &Apply{Op: n.Op, Inputs: ins}
			node.Outputs = make([]*Tensor, len(n.Outputs))
			for i, o := range n.Outputs {
				node.Outputs[i] = &Tensor{typ: o.typ, name: o.name, owner: node, index: i}
			}
		}
		if !stateful && len(ins) <= 4 && reflect.TypeOf(n.Op).Comparable() {
			k := key{op: n.Op, n: len(ins)}
			copy(k.a[:], ins)
			if prev, ok := seen[k]; ok {
				for i, o := range n.Outputs {
					m[o] = prev.Outputs[i]
				}
				continue
			}
			seen[k] = node
		}
		if !stateful && allConstant(ins) && len(ins) > 0 {
			if vals, ok := foldConstant(node); ok {
				for i, o := range n.Outputs {
					c := constArray(vals[i])
					c.name = o.name
					m[o] = c
				}
				continue
			}
		}
		for i, o := range n.Outputs {
			if node.Outputs[i] != o {
				m[o] = node.Outputs[i]
			}
		}
	}
	return fg.remap(get)
}

// rewriteNew applies the rules to the nodes a rule just built (bottom up), so that rewrites
// compose, e.g. a rule's output feeding another rule's pattern.
func rewriteNew(t *Tensor, m map[*Tensor]*Tensor, rules []rule) *Tensor {
	for depth := 0; depth < 8 && t.owner != nil && len(t.owner.Outputs) == 1 && !isStateful(t.owner.Op); depth++ {
		var rep *Tensor
		for _, r := range rules {
			if rep = r(t.owner.Op, t.owner.Inputs); rep != nil {
				break
			}
		}
		if rep == nil {
			break
		}
		t = rep
	}
	return t
}

func allConstant(ts []*Tensor) bool {
	for _, t := range ts {
		if t.value == nil {
			return false
		}
	}
	return true
}

// foldConstant evaluates a node whose inputs are constants.
func foldConstant(n *Apply) ([]*Array, bool) {
	ins := make([]Type, len(n.Inputs))
	arrs := make([]*Array, len(n.Inputs))
	for i, x := range n.Inputs {
		ins[i] = x.value.Type()
		arrs[i] = x.value
	}
	outs, err := n.Op.Infer(ins)
	if err != nil {
		return nil, false
	}
	k, err := n.Op.Kernel(KernelSpec{Node: n, In: ins, Out: outs, Compile: func(*FunctionGraph) (Program, error) {
		return nil, fmt.Errorf("no backend while folding constants")
	}})
	if err != nil {
		return nil, false
	}
	res := make([]*Array, len(outs))
	for i, t := range outs {
		res[i] = NewArray(t.DType, t.Shape...)
	}
	if err := k(res, arrs); err != nil {
		return nil, false
	}
	return res, true
}
