package tensor

import (
	"fmt"
	"sync"
)

// Update replaces a shared variable's value with Value after each call of a compiled function.
type Update struct {
	Var   *Tensor // a shared variable
	Value *Tensor // its new value, computed from the old values
}

// FunctionGraph is a checked graph ready for a backend: explicit inputs, outputs, updates of
// shared variables, and the nodes that compute them in order. Leaves that are not inputs are
// constants or shared variables.
type FunctionGraph struct {
	Inputs  []*Tensor
	Outputs []*Tensor
	Updates []Update
	Nodes   []*Apply
}

// NewFunctionGraph checks a function's inputs, outputs and updates: inputs are distinct input
// variables, every leaf the outputs need is an input, a constant or a shared variable, and each
// update's value has its variable's type. The error names the variable at fault.
func NewFunctionGraph(inputs, outputs []*Tensor, updates []Update) (*FunctionGraph, error) {
	return newFunctionGraph(inputs, outputs, updates, 0)
}

// newFunctionGraph is NewFunctionGraph for a graph of about hint nodes (0 if unknown): a pass
// that rebuilt a graph knows its size, and presized tables save their growth.
func newFunctionGraph(inputs, outputs []*Tensor, updates []Update, hint int) (*FunctionGraph, error) {
	seen := make(map[*Tensor]bool, len(inputs))
	for i, x := range inputs {
		if x == nil {
			return nil, fmt.Errorf("tensor: function input %d is nil", i)
		}
		if !x.IsInput() {
			kind := "a computed expression"
			if x.IsConstant() {
				kind = "a constant"
			} else if x.IsShared() {
				kind = "a shared variable (it is read implicitly; do not list it as an input)"
			}
			return nil, fmt.Errorf("tensor: function input %d (%s) is %s, not an input variable", i, x.label(), kind)
		}
		if seen[x] {
			return nil, fmt.Errorf("tensor: function input %s is listed twice", x.label())
		}
		seen[x] = true
	}
	for i, o := range outputs {
		if o == nil {
			return nil, fmt.Errorf("tensor: function output %d is nil", i)
		}
	}
	all := append([]*Tensor(nil), outputs...)
	for i, u := range updates {
		if u.Var == nil || u.Value == nil {
			return nil, fmt.Errorf("tensor: update %d has a nil variable or value", i)
		}
		if !u.Var.IsShared() {
			return nil, fmt.Errorf("tensor: update %d: %s is not a shared variable", i, u.Var.label())
		}
		if err := assignable(u.Var.typ, u.Value.typ); err != nil {
			return nil, fmt.Errorf("tensor: update of shared variable %s: %v", u.Var.label(), err)
		}
		for _, v := range updates[:i] {
			if v.Var == u.Var {
				return nil, fmt.Errorf("tensor: shared variable %s is updated twice", u.Var.label())
			}
		}
		all = append(all, u.Value)
	}
	nodes := toposortSized(hint, all)
	check := func(t *Tensor) error {
		if t.IsInput() && !seen[t] {
			return fmt.Errorf("tensor: the outputs depend on input variable %s, which is not among the function's inputs", t.label())
		}
		return nil
	}
	for _, o := range all {
		if o.owner == nil {
			if err := check(o); err != nil {
				return nil, err
			}
		}
	}
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if in.owner == nil {
				if err := check(in); err != nil {
					return nil, err
				}
			}
		}
	}
	return &FunctionGraph{Inputs: inputs, Outputs: outputs, Updates: updates, Nodes: nodes}, nil
}

// assignable reports whether a value of type v can replace a variable of type t.
func assignable(t, v Type) error {
	if len(t.Shape) != len(v.Shape) {
		return fmt.Errorf("the new value has type %s but the variable has type %s", v, t)
	}
	for i := range t.Shape {
		if t.Shape[i] >= 0 && v.Shape[i] >= 0 && t.Shape[i] != v.Shape[i] {
			return fmt.Errorf("the new value has shape %s but the variable has shape %s", ShapeString(v.Shape), ShapeString(t.Shape))
		}
	}
	if t.DType != Float64 && v.DType == Float64 {
		return fmt.Errorf("the new value has dtype %s but the variable has dtype %s", v.DType, t.DType)
	}
	return nil
}

// Leaves returns the constants and shared variables the graph reads, in first-use order.
func (fg *FunctionGraph) Leaves() []*Tensor {
	var out []*Tensor
	seen := map[*Tensor]bool{}
	add := func(t *Tensor) {
		if t.owner == nil && !t.IsInput() && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, n := range fg.Nodes {
		for _, in := range n.Inputs {
			add(in)
		}
	}
	for _, o := range fg.Outputs {
		add(o)
	}
	for _, u := range fg.Updates {
		add(u.Value)
		add(u.Var)
	}
	return out
}

// readerCounts counts, for every tensor (by id), the nodes that read it; outputs and update
// values count twice, so that a pass never folds them into a fused node as if they had a
// single reader.
func (fg *FunctionGraph) readerCounts() *idTable[int32] {
	r := newIDTable[int32](len(fg.Nodes))
	add := func(t *Tensor, k int32) {
		id := t.idOf()
		r.set(id, r.get(id)+k)
	}
	for _, n := range fg.Nodes {
		for _, in := range n.Inputs {
			add(in, 1)
		}
	}
	for _, o := range fg.Outputs {
		add(o, 2)
	}
	for _, u := range fg.Updates {
		add(u.Value, 2)
	}
	return r
}

// remap is the graph with every output and update value replaced by get's result: the last
// step of a pass that rebuilt nodes.
func (fg *FunctionGraph) remap(get func(*Tensor) *Tensor) (*FunctionGraph, error) {
	outs := make([]*Tensor, len(fg.Outputs))
	for i, o := range fg.Outputs {
		outs[i] = get(o)
	}
	ups := make([]Update, len(fg.Updates))
	for i, u := range fg.Updates {
		ups[i] = Update{Var: u.Var, Value: get(u.Value)}
	}
	return newFunctionGraph(fg.Inputs, outs, ups, len(fg.Nodes))
}

// topoFrame is a node on toposortSized's depth-first stack and the next input to visit.
type topoFrame struct {
	n *Apply
	i int
}

// toposortStacks keeps toposortSized's deep stacks: a long chain of additions (a model's sum
// of terms) makes the stack as deep as the graph, and growing it again on every sort of a
// graph of some hundred thousand nodes costs as much as the sort. A stack stays out of the
// pool until it holds topoPoolMin frames, so that sorting a small graph allocates the same
// every time (the pool is emptied by the garbage collector).
var toposortStacks = sync.Pool{New: func() any { return new([]topoFrame) }}

// topoPoolMin is the depth from which toposortSized takes its stack from toposortStacks.
const topoPoolMin = 4096

// toposortSized is Toposort with its tables sized for about hint nodes (0 if unknown).
func toposortSized(hint int, outputs []*Tensor) []*Apply {
	order := make([]*Apply, 0, hint)
	state := newIDTable[uint8](hint) // 1 once seen
	var stack []topoFrame
	var pooled *[]topoFrame // once the stack is deep
	deepest := 0
	for _, o := range outputs {
		if o == nil || o.owner == nil {
			continue
		}
		if id := o.owner.idOf(); state.get(id) != 0 {
			continue
		} else {
			state.set(id, 1)
		}
		stack = append(stack[:0], topoFrame{o.owner, 0})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.i < len(top.n.Inputs) {
				in := top.n.Inputs[top.i]
				top.i++
				if in.owner != nil {
					if id := in.owner.idOf(); state.get(id) == 0 {
						state.set(id, 1)
						if len(stack) == cap(stack) && len(stack) >= topoPoolMin && pooled == nil {
							pooled = toposortStacks.Get().(*[]topoFrame)
							if cap(*pooled) > len(stack) {
								stack = append((*pooled)[:0], stack...)
							}
						}
						stack = append(stack, topoFrame{in.owner, 0})
						deepest = max(deepest, len(stack))
					}
				}
				continue
			}
			order = append(order, top.n)
			stack = stack[:len(stack)-1]
		}
	}
	if pooled != nil {
		clear(stack[:deepest]) // the pool must not keep the graph alive
		*pooled = stack[:0]
		toposortStacks.Put(pooled)
	}
	return order
}
