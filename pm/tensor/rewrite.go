package tensor

import (
	"fmt"
	"math"
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
		var changed bool
		if out, changed, err = rewriteOnce(out); err != nil {
			return nil, err
		}
		// A pass that replaced, merged and folded nothing left the graph as it was: another
		// would too.
		if !changed || len(out.Nodes) == before && pass > 0 {
			break
		}
	}
	res, _ := fuseLikelihoodSums(out)
	if res, err = vectorizeScalars(res); err != nil {
		return nil, err
	}
	if res, err = sumChains(res); err != nil {
		return nil, err
	}
	res, _ = fuseLikelihoodSums(res) // the sums sumChains made
	if res, err = foldPartials(res); err != nil {
		return nil, err
	}
	return skipUnreadPartials(res)
}

// Prune returns the part of a rewritten graph fg that computes its first n outputs, without its
// updates: the nodes those outputs read, with the partial derivatives that no node reads any
// more left uncomputed. The outputs are computed by the same nodes as in fg, so a function
// compiled from the pruned graph gives them bit for bit as fg's does, and pruning costs a
// fraction of rewriting the outputs again.
func Prune(fg *FunctionGraph, n int) (*FunctionGraph, error) {
	if n < 1 || n > len(fg.Outputs) {
		return nil, fmt.Errorf("tensor: cannot keep %d of the graph's %d outputs", n, len(fg.Outputs))
	}
	sub, err := newFunctionGraph(fg.Inputs, fg.Outputs[:n:n], nil, len(fg.Nodes))
	if err != nil {
		return nil, err
	}
	return skipUnreadPartials(sub)
}

// rewriteOnce is one bottom-up pass of local rules, merging and folding. again reports whether
// another pass could change the graph: only if a rule that fired built new nodes (this pass
// neither merges nor folds them, nor offers their inner nodes to the rules), or if a node was
// merged into one that was then folded. Otherwise the pass (whose rules at most returned
// tensors the graph already had: x·1 → x, the gradient's seeds) offered every node it kept to
// the rules, the merging and the folding with its final inputs, so a second pass would see
// each node as this one left it and change nothing.
func rewriteOnce(fg *FunctionGraph) (out *FunctionGraph, again bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	m := newIDTable[*Tensor](len(fg.Nodes))
	get := func(t *Tensor) *Tensor {
		if r := m.get(t.idOf()); r != nil {
			return r
		}
		return t
	}
	seen := newNodeSet(len(fg.Nodes))
	var folded map[*Apply]bool // the nodes in seen that were folded
	rules := localRules()
	buf := make([]*Tensor, 0, 8)
	for _, n := range fg.Nodes {
		// The inputs, remapped, in buf: rules, ApplyOp and copyNode copy them.
		ins := buf[:0]
		moved := false // an input was replaced
		for _, x := range n.Inputs {
			r := get(x)
			ins = append(ins, r)
			if r != x {
				moved = true
			}
		}
		buf = ins[:0] // grown for a node of many inputs
		stateful := isStateful(n.Op)
		if len(n.Outputs) == 1 && !stateful {
			// A replacement computed by a node with an id handed out while the rules
			// fired is one they built (or, at worst, an old node given its id late: a
			// pass more). Nodes they built and dropped (fill(x, 1)·y → 1·y → y) do not
			// count.
			ids := lastID.Load()
			var rep *Tensor
			for _, r := range rules {
				if rep = r(n.Op, ins); rep != nil {
					break
				}
			}
			if rep != nil {
				rep = rewriteNew(rep, rules)
				m.set(n.Outputs[0].idOf(), rep)
				again = again || rep.owner != nil && rep.owner.idOf() > ids
				continue
			}
		}
		node := n
		if moved {
			node = copyNode(n, ins)
		}
		merging := !stateful && len(ins) <= 4 && reflect.TypeOf(n.Op).Comparable()
		if merging {
			if prev := seen.find(n.Op, ins, node); prev != nil {
				for i, o := range n.Outputs {
					m.set(o.idOf(), prev.Outputs[i])
				}
				// A copy of a node folded below reads the node, not its constant: the
				// next pass folds it.
				again = again || folded[prev]
				continue
			}
		}
		if !stateful && allConstant(ins) && len(ins) > 0 {
			if vals, ok := foldConstant(node); ok {
				for i, o := range n.Outputs {
					c := constArray(vals[i])
					c.name = o.name
					m.set(o.idOf(), c)
				}
				if merging {
					if folded == nil {
						folded = map[*Apply]bool{}
					}
					folded[node] = true
				}
				continue
			}
		}
		for i, o := range n.Outputs {
			if node.Outputs[i] != o {
				m.set(o.idOf(), node.Outputs[i])
			}
		}
	}
	out, err = fg.remap(get)
	return out, again, err
}

// rewriteNew applies the rules to the nodes a rule just built (bottom up), so that rewrites
// compose, e.g. a rule's output feeding another rule's pattern.
func rewriteNew(t *Tensor, rules []rule) *Tensor {
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

// Element-by-element models. A model written one scalar at a time (k scalar variables with the
// same prior, or k observations of v.At(i)) makes k copies of each node where a vector model
// has one; run as such, each costs a kernel call and a slot. vectorizeScalars runs every group
// of at least vectorMin scalar nodes of one elementwise op at the same depth as one vector
// node, packing their inputs (a vector already in order, a constant vector, or a PackOp) and
// reading each result back with At, which the next group packs again for free; sumChains turns
// a left fold of additions over a vector's elements into Sum or SumFromOp. Each vector kernel
// computes every element with the same scalar function and every sum adds in the same order,
// so only the number of kernel calls changes.

// vectorMin is the smallest group vectorizeScalars turns into a vector node: below it the
// fused scalar programs of the vm backend are as fast.
const vectorMin = 16

// PackOp is the vector of its one-element inputs, in order (the inverse of At on each element).
// Rewrite builds it to run many scalar nodes as one vector node.
type PackOp struct{}

// String implements Op.
func (PackOp) String() string { return "pack" }

// Infer implements Op.
func (PackOp) Infer(in []Type) ([]Type, error) {
	for i, t := range in {
		if len(t.Shape) != 0 {
			return nil, errorf("pack", "input %d has shape %s; pack takes scalars", i, ShapeString(t.Shape))
		}
	}
	return []Type{{DType: Float64, Shape: []int{len(in)}}}, nil
}

// Kernel implements Op.
func (PackOp) Kernel(spec KernelSpec) (Kernel, error) {
	return func(out, in []*Array) error {
		d := out[0].Data
		for i, a := range in {
			d[i] = a.Data[0]
		}
		return nil
	}, nil
}

// Grad implements Op: each input's gradient is its element of the output gradient.
func (PackOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := make([]*Tensor, len(in))
	for i, x := range in {
		if x.DType().IsFloat() {
			g[i] = At(gout[0], i)
		}
	}
	return g
}

// SumFromOp is its first input (a scalar) plus every element of its second, added one at a time
// in order: the left fold a + v[0] + v[1] + ... that a loop of additions builds, as one node.
type SumFromOp struct{}

// String implements Op.
func (SumFromOp) String() string { return "sum_from" }

// Infer implements Op.
func (SumFromOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf("sum_from", "takes 2 inputs, got %d", len(in))
	}
	if len(in[0].Shape) != 0 {
		return nil, errorf("sum_from", "the start has shape %s; it must be a scalar", ShapeString(in[0].Shape))
	}
	return []Type{{DType: Float64, Shape: []int{}}}, nil
}

// Kernel implements Op.
func (SumFromOp) Kernel(spec KernelSpec) (Kernel, error) {
	return func(out, in []*Array) error {
		s := in[0].Data[0]
		for _, v := range in[1].Data {
			s += v
		}
		out[0].Data[0] = s
		return nil
	}, nil
}

// Grad implements Op.
func (SumFromOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{gout[0], Apply1(Elemwise{opFill}, in[1], gout[0])}
}

// rebuild walks nodes (an order in which every node comes after the nodes it reads) with their
// inputs remapped by m; visit returns replacements for a node's outputs, or nil to keep the
// node, rebuilt if its inputs changed. It returns the graph with the outputs remapped.
func (fg *FunctionGraph) rebuild(nodes []*Apply, m map[*Tensor]*Tensor, visit func(n *Apply, ins []*Tensor) []*Tensor) (out *FunctionGraph, err error) {
	return fg.rebuildLazy(nodes, func(t *Tensor) *Tensor { return m[t] }, nil, func(t, r *Tensor) { m[t] = r }, nil, visit)
}

// rebuildIDs is rebuild with the remapping in a table indexed by id.
func (fg *FunctionGraph) rebuildIDs(nodes []*Apply, m *idTable[*Tensor], visit func(n *Apply, ins []*Tensor) []*Tensor) (out *FunctionGraph, err error) {
	return fg.rebuildLazy(nodes, func(t *Tensor) *Tensor { return m.get(t.idOf()) }, nil, func(t, r *Tensor) { m.set(t.idOf(), r) }, nil, visit)
}

// rebuildLazy is rebuild with the remapping read by look (nil if t is not remapped) and
// written by set, for a remapping that may build some replacements when first looked up: has
// reports whether t is remapped without building its replacement (nil: look(t) != nil), and
// early, if not nil, may replace a node's outputs before its inputs are looked up (nil to go
// on).
func (fg *FunctionGraph) rebuildLazy(nodes []*Apply, look func(*Tensor) *Tensor, has func(*Tensor) bool, set func(t, r *Tensor), early func(n *Apply) []*Tensor, visit func(n *Apply, ins []*Tensor) []*Tensor) (out *FunctionGraph, err error) {
	if has == nil {
		has = func(t *Tensor) bool { return look(t) != nil }
	}
	get := func(t *Tensor) *Tensor {
		if r := look(t); r != nil {
			return r
		}
		return t
	}
	if cerr := Catch(func() {
		// The remapped inputs of each node, cut from one slab: each node gets its own, which
		// a visit is free to keep (copyNode copies them), but not its own allocation.
		var slab []*Tensor
		for _, n := range nodes {
			if has(n.Outputs[0]) {
				continue
			}
			if early != nil {
				if rep := early(n); rep != nil {
					for i, o := range n.Outputs {
						set(o, rep[i])
					}
					continue
				}
			}
			if len(slab) < len(n.Inputs) {
				slab = make([]*Tensor, max(len(n.Inputs), 256))
			}
			ins := slab[:len(n.Inputs):len(n.Inputs)]
			slab = slab[len(n.Inputs):]
			changed := false
			for i, x := range n.Inputs {
				ins[i] = get(x)
				changed = changed || ins[i] != x
			}
			if rep := visit(n, ins); rep != nil {
				for i, o := range n.Outputs {
					set(o, rep[i])
				}
			} else if changed {
				node := copyNode(n, ins)
				for i, o := range n.Outputs {
					set(o, node.Outputs[i])
				}
			}
		}
	}); cerr != nil {
		return nil, cerr
	}
	return fg.remap(get)
}

// renode rebuilds n on new inputs and records its new outputs in m.
func renode(n *Apply, ins []*Tensor, m map[*Tensor]*Tensor) {
	node := copyNode(n, ins)
	for i, o := range n.Outputs {
		m[o] = node.Outputs[i]
	}
}

// copyNode is n's op on a copy of ins, its outputs of n's types and names.
func copyNode(n *Apply, ins []*Tensor) *Apply {
	if len(n.Outputs) == 1 {
		o := n.Outputs[0]
		return newApply1(n.Op, ins, o.typ, o.name)
	}
	node := newApplyN(n.Op, ins, len(n.Outputs))
	for i, o := range n.Outputs {
		node.Outputs[i].typ, node.Outputs[i].name = o.typ, o.name
	}
	return node
}

// isScalarFloat reports whether t is a float64 scalar (shape ()).
func isScalarFloat(t *Tensor) bool { return len(t.typ.Shape) == 0 && t.typ.DType == Float64 }

// vectorizable reports whether n is a scalar node that vectorizeScalars may group: an
// elementwise op or a fused likelihood, float64 scalars in and out.
func vectorizable(n *Apply) bool {
	switch n.Op.(type) {
	case Elemwise, LikelihoodOp:
	default:
		return false
	}
	for _, x := range n.Inputs {
		if !isScalarFloat(x) {
			return false
		}
	}
	for _, o := range n.Outputs {
		if !isScalarFloat(o) {
			return false
		}
	}
	return true
}

// atElement returns v and i when t is v[i] of a float64 vector v of static length (i >= 0).
func atElement(t *Tensor) (*Tensor, int, bool) {
	if t.owner == nil {
		return nil, 0, false
	}
	o, ok := t.owner.Op.(AtOp)
	if !ok {
		return nil, 0, false
	}
	v := t.owner.Inputs[0]
	if len(v.typ.Shape) != 1 || v.typ.Shape[0] < 0 || v.typ.DType != Float64 {
		return nil, 0, false
	}
	i, ok := o.Idx.single()
	if !ok {
		return nil, 0, false
	}
	if i < 0 {
		i += v.typ.Shape[0]
	}
	return v, i, true
}

// pack is the vector of the scalars xs (a scalar if they are all the same tensor, which
// broadcasts): a vector they are the elements of in order, a constant, a gather from one
// vector, or a PackOp.
func pack(xs []*Tensor) *Tensor {
	same, consts := true, true
	for _, x := range xs {
		same = same && x == xs[0]
		consts = consts && x.value != nil
	}
	if !same && consts {
		// Equal constants (every Normal(0, 1) has its own 0 and 1) broadcast as one.
		same = true
		for _, x := range xs {
			same = same && math.Float64bits(x.value.Data[0]) == math.Float64bits(xs[0].value.Data[0])
		}
	}
	if same {
		return xs[0]
	}
	if consts {
		a := NewArray(Float64, len(xs))
		for i, x := range xs {
			a.Data[i] = x.value.Data[0]
		}
		return constArray(a)
	}
	if g := gatherFrom(xs); g != nil {
		return g
	}
	// Runs of elements of one vector (a group mixing the forward and backward pass reads two
	// vectors), of constants, and of other scalars, joined.
	var parts []any
	for i := 0; i < len(xs); {
		j := i + 1
		v, _, isAt := atElement(xs[i])
		for j < len(xs) {
			w, _, ok := atElement(xs[j])
			if isAt != ok || (isAt && w != v) || (!isAt && (xs[i].value != nil) != (xs[j].value != nil)) {
				break
			}
			j++
		}
		seg := xs[i:j]
		switch {
		case isAt:
			parts = append(parts, gatherFrom(seg))
		case seg[0].value != nil:
			a := NewArray(Float64, len(seg))
			for k, x := range seg {
				a.Data[k] = x.value.Data[0]
			}
			parts = append(parts, constArray(a))
		default:
			parts = append(parts, Apply1(PackOp{}, seg...))
		}
		i = j
	}
	return Concatenate(0, parts...)
}

// gatherFrom is the vector of the scalars xs when each is an element of one vector v: v itself
// (all its elements in order), a slice of v (a range in order) or a take from v; nil if they
// are not all elements of one vector.
func gatherFrom(xs []*Tensor) *Tensor {
	v, _, ok := atElement(xs[0])
	if !ok {
		return nil
	}
	pos := make([]int, len(xs))
	contiguous := true
	for i, x := range xs {
		w, j, ok := atElement(x)
		if !ok || w != v {
			return nil
		}
		pos[i] = j
		contiguous = contiguous && j == pos[0]+i
	}
	switch {
	case contiguous && pos[0] == 0 && len(xs) == v.typ.Shape[0]:
		return v
	case contiguous:
		return Slice(v, 0, pos[0], pos[0]+len(xs), 1)
	}
	return Take(v, Const(pos), 0)
}

// vectorizeScalars is the pass described above.
func vectorizeScalars(fg *FunctionGraph) (*FunctionGraph, error) {
	type key struct {
		op    Op
		level int
	}
	// level[i] is the depth of fg.Nodes[i]; nodeLevel the same by node id.
	level := make([]int32, len(fg.Nodes))
	nodeLevel := newIDTable[int32](len(fg.Nodes))
	groups := map[key][]*Apply{}
	var maxLevel int32
	for i, n := range fg.Nodes {
		var l int32
		for _, x := range n.Inputs {
			if x.owner != nil {
				l = max(l, nodeLevel.get(x.owner.idOf())+1)
			}
		}
		level[i] = l
		nodeLevel.set(n.idOf(), l)
		maxLevel = max(maxLevel, l)
		if vectorizable(n) && !isStateful(n.Op) {
			k := key{n.Op, int(l)}
			groups[k] = append(groups[k], n)
		}
	}
	group := newIDTable[[]*Apply](len(fg.Nodes))
	grouped := false
	for _, g := range groups {
		if len(g) >= vectorMin {
			grouped = true
			for _, n := range g {
				group.set(n.idOf(), g)
			}
		}
	}
	if !grouped {
		return fg, nil
	}
	// Level order: every node after the nodes it reads, and a group's inputs all remapped
	// before its first member is visited.
	count := make([]int, maxLevel+2)
	for _, l := range level {
		count[l+1]++
	}
	for l := 1; l < len(count); l++ {
		count[l] += count[l-1]
	}
	order := make([]*Apply, len(fg.Nodes))
	for i, n := range fg.Nodes {
		order[count[level[i]]] = n
		count[level[i]]++
	}
	// A group member's outputs become elements of the group's vector outputs, made when first
	// read: an output nothing reads (an unused partial derivative) gets none.
	type element struct {
		v   *Tensor
		i   int
		out *Tensor // the member's output it stands for (named as it)
	}
	// The chains of additions of vectorMin terms or more are folded at their last addition
	// (as sumChains does), where the terms are elements of the group vectors: their inner
	// additions are not rebuilt on those elements only to be folded away afterwards.
	inner := addChains(fg)
	for _, n := range fg.Nodes {
		if isScalarAdd(n) && !inner.get(n.idOf()) && (group.get(n.idOf()) != nil || len(chainTerms(n, inner)) < vectorMin) {
			for t := n.Inputs[0]; t.owner != nil && inner.get(t.owner.idOf()); t = t.owner.Inputs[0] {
				inner.set(t.owner.idOf(), false)
			}
		}
	}
	m := newIDTable[*Tensor](len(fg.Nodes))
	lazy := newIDTable[element](len(fg.Nodes))
	look := func(t *Tensor) *Tensor {
		id := t.idOf()
		if r := m.get(id); r != nil {
			return r
		}
		if e := lazy.get(id); e.v != nil {
			r := At(e.v, e.i)
			r.name = e.out.name
			m.set(id, r)
			return r
		}
		return nil
	}
	get := func(t *Tensor) *Tensor {
		if r := look(t); r != nil {
			return r
		}
		return t
	}
	has := func(t *Tensor) bool {
		id := t.idOf()
		return m.get(id) != nil || lazy.get(id).v != nil
	}
	// elementOf is atElement of t remapped, without building the At of a group's element:
	// the elements that are only packed again or summed (a group's input, a chain of
	// additions, the gradient's pack) are read as the vector they are part of.
	elementOf := func(t *Tensor) (*Tensor, int, bool) {
		id := t.idOf()
		if r := m.get(id); r != nil {
			return atElement(r)
		}
		if e := lazy.get(id); e.v != nil {
			if len(e.v.typ.Shape) != 1 || e.v.typ.Shape[0] < 0 || e.v.typ.DType != Float64 {
				return nil, 0, false
			}
			return e.v, e.i, true
		}
		return atElement(t)
	}
	// whole returns v when xs (not remapped) are v[0], v[1], ..., every element of v in
	// order: what gatherFrom and foldRuns would make of them once remapped.
	whole := func(xs []*Tensor) *Tensor {
		v, _, ok := elementOf(xs[0])
		if !ok || len(xs) != v.typ.Shape[0] {
			return nil
		}
		for i, x := range xs {
			if w, j, ok := elementOf(x); !ok || w != v || j != i {
				return nil
			}
		}
		return v
	}
	set := func(t, r *Tensor) { m.set(t.idOf(), r) }
	early := func(n *Apply) []*Tensor {
		// The pack of every element of one vector in order (the gradient of many scalars),
		// which sumChains would otherwise turn back into the vector.
		if _, ok := n.Op.(PackOp); ok && len(n.Inputs) >= vectorMin {
			if v := whole(n.Inputs); v != nil && v.typ.DType == n.Outputs[0].typ.DType && sameShape(v.typ.Shape, n.Outputs[0].typ.Shape) {
				return []*Tensor{v}
			}
		}
		return nil
	}
	return fg.rebuildLazy(order, look, has, set, early, func(n *Apply, ins []*Tensor) []*Tensor {
		g := group.get(n.idOf())
		if g == nil {
			if !isScalarAdd(n) {
				return nil
			}
			if inner.get(n.idOf()) {
				return n.Outputs // left for the chain's last addition to fold
			}
			terms := chainTerms(n, inner)
			if len(terms) < vectorMin {
				return nil
			}
			if v := whole(terms); v != nil {
				return []*Tensor{Sum(v)} // foldRuns of its elements
			}
			for i := range terms {
				terms[i] = get(terms[i])
			}
			res := foldRuns(terms)
			if res == nil {
				res = terms[0]
				for _, t := range terms[1:] {
					res = Add(res, t)
				}
			}
			return []*Tensor{res}
		}
		packed := make([]*Tensor, len(n.Inputs))
		vector := false
		for p := range n.Inputs {
			xs := make([]*Tensor, len(g))
			for i, mb := range g {
				xs[i] = mb.Inputs[p]
			}
			if packed[p] = whole(xs); packed[p] != nil {
				vector = true
				continue
			}
			for i := range xs {
				xs[i] = get(xs[i])
			}
			packed[p] = pack(xs)
			vector = vector || len(packed[p].typ.Shape) == 1
		}
		if !vector {
			// Identical nodes: left to the merging of common subexpressions.
			for _, mb := range g {
				group.set(mb.idOf(), nil)
			}
			return nil
		}
		outs := ApplyOp(n.Op, packed...)
		for i, mb := range g {
			for k, o := range mb.Outputs {
				lazy.set(o.idOf(), element{outs[k], i, o})
			}
		}
		rep := make([]*Tensor, len(n.Outputs))
		for i, o := range n.Outputs {
			rep[i] = look(o)
		}
		return rep
	})
}

// isScalarAdd reports whether n adds two float64 scalars.
func isScalarAdd(n *Apply) bool {
	e, ok := n.Op.(Elemwise)
	return ok && e.s == opAdd && len(n.Inputs) == 2 && isScalarFloat(n.Inputs[0]) && isScalarFloat(n.Inputs[1]) && isScalarFloat(n.Outputs[0])
}

// sumChains turns each left fold of scalar additions (((a + b) + c) + ...) in which every
// element of a vector appears in order into Sum or SumFromOp over that vector; it also turns
// a scatter-add that puts every element of a vector back at its own index into that vector,
// and a concatenation or a pack of the elements of a vector in order into the vector. It runs after
// vectorizeScalars, whose At nodes these are.
func sumChains(fg *FunctionGraph) (*FunctionGraph, error) {
	inner := addChains(fg)
	m := newIDTable[*Tensor](len(fg.Nodes))
	get := func(t *Tensor) *Tensor {
		if r := m.get(t.idOf()); r != nil {
			return r
		}
		return t
	}
	return fg.rebuildIDs(fg.Nodes, m, func(n *Apply, ins []*Tensor) []*Tensor {
		switch op := n.Op.(type) {
		case Elemwise:
			if !isScalarAdd(n) || inner.get(n.idOf()) {
				return nil
			}
			terms := chainTerms(n, inner)
			if len(terms) < vectorMin {
				return nil
			}
			for i := range terms {
				terms[i] = get(terms[i])
			}
			if res := foldRuns(terms); res != nil {
				return []*Tensor{res}
			}
		case IncAtsOp:
			if w := scatterOf(op, ins); w != nil {
				return []*Tensor{w}
			}
		case ConcatOp:
			if w := concatElements(op, ins); w != nil {
				return []*Tensor{w}
			}
		case PackOp:
			// The elements of a vector packed again (a gradient of many scalars).
			if len(ins) >= vectorMin {
				if w := gatherFrom(ins); w != nil {
					return []*Tensor{w}
				}
			}
		}
		return nil
	})
}

// addChains marks the inner additions of fg's chains of scalar additions: those whose one
// reader is an addition taking them as its left operand, so that they are part of a longer
// chain.
func addChains(fg *FunctionGraph) *idTable[bool] {
	readers := fg.readerCounts()
	inner := newIDTable[bool](len(fg.Nodes))
	for _, n := range fg.Nodes {
		if isScalarAdd(n) {
			if l := n.Inputs[0]; l.owner != nil && isScalarAdd(l.owner) && readers.get(l.idOf()) == 1 {
				inner.set(l.owner.idOf(), true)
			}
		}
	}
	return inner
}

// chainTerms is the terms the chain of additions ending at head adds, in order.
func chainTerms(head *Apply, inner *idTable[bool]) []*Tensor {
	var terms []*Tensor
	t := head.Outputs[0]
	for t.owner != nil && isScalarAdd(t.owner) && (t == head.Outputs[0] || inner.get(t.owner.idOf())) {
		terms = append(terms, t.owner.Inputs[1])
		t = t.owner.Inputs[0]
	}
	terms = append(terms, t)
	for i, j := 0, len(terms)-1; i < j; i, j = i+1, j-1 {
		terms[i], terms[j] = terms[j], terms[i]
	}
	return terms
}

// foldRuns is terms[0] + terms[1] + ... added left to right, with each run of at least
// vectorMin terms that are consecutive elements of one vector added by one Sum or SumFromOp.
// It returns nil if there is no such run.
func foldRuns(terms []*Tensor) *Tensor {
	var acc *Tensor
	found := false
	for i := 0; i < len(terms); {
		n := 1
		if v, j, ok := atElement(terms[i]); ok {
			for i+n < len(terms) {
				w, k, ok := atElement(terms[i+n])
				if !ok || w != v || k != j+n {
					break
				}
				n++
			}
		}
		if n >= vectorMin {
			v := gatherFrom(terms[i : i+n])
			if acc == nil {
				acc = Sum(v)
			} else {
				acc = Apply1(SumFromOp{}, acc, v)
			}
			found = true
			i += n
			continue
		}
		for _, t := range terms[i : i+n] {
			if acc == nil {
				acc = t
			} else {
				acc = Add(acc, t)
			}
		}
		i += n
	}
	if !found {
		return nil
	}
	return acc
}

// scatterOf rewrites a scatter-add of scalars that are elements of vectors (the gradients
// vectorizeScalars packed): their pack (pieces of those vectors) put in index order when every
// index is written once, else scattered by IncTake (which adds in the same order). nil if it
// does not apply.
func scatterOf(op IncAtsOp, ins []*Tensor) *Tensor {
	if op.Depth != 1 || len(ins[0].typ.Shape) != 1 || len(ins) <= vectorMin {
		return nil
	}
	n := ins[0].typ.Shape[0]
	vals := ins[1:]
	if n < 0 {
		return nil
	}
	if _, _, ok := atElement(vals[0]); !ok {
		return nil
	}
	e := op.Entries()
	pos := make([]int, len(e))
	at := make([]*Tensor, n)
	perm := len(e) == n
	for j, idx := range e {
		p := idx[0]
		if p < 0 {
			p += n
		}
		pos[j] = p
		if perm && at[p] != nil {
			perm = false
		}
		if perm {
			at[p] = vals[j]
		}
	}
	if perm {
		return pack(at)
	}
	return IncTake(zeros(ins[0]), Const(pos), pack(vals), 0)
}

// concatElements returns w when a concatenation joins w[0], w[1], ... each reshaped to one
// element, in order.
func concatElements(op ConcatOp, ins []*Tensor) *Tensor {
	if op.Axis != 0 || len(ins) < vectorMin {
		return nil
	}
	xs := make([]*Tensor, len(ins))
	for i, x := range ins {
		if !sameShape(x.typ.Shape, []int{1}) || x.owner == nil || len(x.owner.Inputs) != 1 {
			return nil
		}
		switch x.owner.Op.(type) {
		case ReshapeOp, ExpandOp:
		default:
			return nil
		}
		xs[i] = x.owner.Inputs[0]
		if len(xs[i].typ.Shape) != 0 {
			return nil
		}
	}
	if w := pack(xs); len(w.typ.Shape) == 1 {
		return w
	}
	return nil
}
