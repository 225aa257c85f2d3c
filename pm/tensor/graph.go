package tensor

import (
	"fmt"
	"sync/atomic"
)

// Tensor is a symbolic value in a graph: an input variable, a constant, a shared variable, or the
// output of an operation. Tensors are immutable once built; operations on them build new nodes.
type Tensor struct {
	typ    Type
	name   string
	owner  *Apply // the operation that computes this tensor; nil for leaves
	index  int    // which output of owner
	value  *Array // a constant's value
	shared *sharedState
	id     uint64 // see idOf
}

// Apply is one operation applied to its inputs, producing its outputs (Theano's Apply node).
type Apply struct {
	Op      Op
	Inputs  []*Tensor
	Outputs []*Tensor
	id      uint64 // see idOf
}

// Op is an operation: it checks and infers types, prepares a kernel for concrete shapes, and builds
// the gradient graph. Ops are values compared with == for common-subexpression elimination, so an
// op's fields must be comparable and describe it completely.
type Op interface {
	// String names the op with its parameters, e.g. "add" or "sum{axes=[0]}".
	String() string
	// Infer checks the input types and returns the output types. It is called on static types
	// (dimensions may be Unknown) when the graph is built, and on concrete types when a compiled
	// function runs with new shapes.
	Infer(in []Type) ([]Type, error)
	// Kernel prepares the computation for concrete types. It may allocate scratch space; the
	// returned kernel must not allocate.
	Kernel(spec KernelSpec) (Kernel, error)
	// Grad returns, for each input, the gradient of the cost with respect to it given the
	// gradients gout of the outputs (an entry is nil when that output does not reach the cost).
	// A nil result entry means the input has no gradient (integer inputs, indices).
	Grad(in, out, gout []*Tensor) []*Tensor
}

// KernelSpec is what an op needs to prepare its kernel.
type KernelSpec struct {
	Node *Apply // the node being compiled (its static types and inputs)
	In   []Type // concrete input types
	Out  []Type // concrete output types
	// Compile compiles an inner graph (the body of Scan) on the same backend.
	Compile func(fg *FunctionGraph) (Program, error)
}

// Kernel computes an op's outputs from its inputs. The arrays are preallocated with the concrete
// shapes the kernel was prepared for; a kernel returns an error only for run-time failures that
// no type check can catch (an index out of range, a matrix that is not positive definite).
type Kernel func(out, in []*Array) error

// Program is a compiled function graph, produced by a backend. Run binds the explicit inputs in
// order and returns the outputs, which belong to the program and stay valid until the next Run.
// A Program is not safe for concurrent use; Clone gives an independent copy for another goroutine.
type Program interface {
	Run(in []*Array) ([]*Array, error)
	Clone() Program
}

// Type is the tensor's static type.
func (t *Tensor) Type() Type { return t.typ }

// DType is the tensor's dtype.
func (t *Tensor) DType() DType { return t.typ.DType }

// Shape is the tensor's static shape (Unknown marks a dimension known only at run time). The
// returned slice must not be modified.
func (t *Tensor) Shape() []int { return t.typ.Shape }

// NDim is the number of dimensions.
func (t *Tensor) NDim() int { return len(t.typ.Shape) }

// Name is the tensor's name ("" if unnamed).
func (t *Tensor) Name() string { return t.name }

// Owner is the node computing this tensor, nil for inputs, constants and shared variables.
func (t *Tensor) Owner() *Apply { return t.owner }

// Named sets the tensor's name and returns it, for printing: x.Mul(y).Named("xy").
func (t *Tensor) Named(name string) *Tensor { t.name = name; return t }

// IsConstant reports whether t is a constant.
func (t *Tensor) IsConstant() bool { return t.value != nil }

// Value returns a constant's value (nil for other tensors). It must not be modified.
func (t *Tensor) Value() *Array { return t.value }

// IsInput reports whether t is a free input variable (not a constant, shared or computed).
func (t *Tensor) IsInput() bool { return t.owner == nil && t.value == nil && t.shared == nil }

// IsShared reports whether t is a shared variable.
func (t *Tensor) IsShared() bool { return t.shared != nil }

// label is how a tensor is named in error messages.
func (t *Tensor) label() string {
	if t.name != "" {
		return fmt.Sprintf("%q", t.name)
	}
	return PP(t)
}

// NewVar makes an input variable of the given dtype and shape; Unknown dimensions are bound when a
// compiled function runs.
func NewVar(name string, dt DType, shape ...int) *Tensor {
	for _, d := range shape {
		if d < Unknown {
			panic(errorf("var", "variable %q: dimension %d is invalid (use tensor.Unknown for a length known at run time)", name, d))
		}
	}
	return &Tensor{typ: Type{DType: dt, Shape: cloneInts(shape)}, name: name, id: newIDs(1)}
}

// Scalar makes a float64 scalar variable (Theano's dscalar).
func Scalar(name string) *Tensor { return NewVar(name, Float64) }

// Vector makes a float64 vector variable of unknown length (dvector).
func Vector(name string) *Tensor { return NewVar(name, Float64, Unknown) }

// Matrix makes a float64 matrix variable of unknown shape (dmatrix).
func Matrix(name string) *Tensor { return NewVar(name, Float64, Unknown, Unknown) }

// Tensor3 makes a float64 3-d variable of unknown shape (dtensor3).
func Tensor3(name string) *Tensor { return NewVar(name, Float64, Unknown, Unknown, Unknown) }

// IScalar makes an int64 scalar variable (lscalar/iscalar).
func IScalar(name string) *Tensor { return NewVar(name, Int64) }

// IVector makes an int64 vector variable (lvector/ivector).
func IVector(name string) *Tensor { return NewVar(name, Int64, Unknown) }

// IMatrix makes an int64 matrix variable (lmatrix/imatrix).
func IMatrix(name string) *Tensor { return NewVar(name, Int64, Unknown, Unknown) }

// BScalar makes a bool scalar variable.
func BScalar(name string) *Tensor { return NewVar(name, Bool) }

// BVector makes a bool vector variable.
func BVector(name string) *Tensor { return NewVar(name, Bool, Unknown) }

// Const makes a constant from a Go value (see AsArray for what converts).
func Const(v any) *Tensor {
	// The scalars of a model's parameters (Normal(0, 1)), one allocation each.
	switch x := v.(type) {
	case float64:
		return scalarConst(Float64, x)
	case int:
		return scalarConst(Int64, float64(x))
	}
	a, err := AsArray(v)
	if err != nil {
		panic(&Error{Op: "const", Msg: err.Error()})
	}
	return constArray(a)
}

// scalarConst is the constant scalar v of dtype dt (as AsArray converts it) with its array and
// its element in one allocation.
func scalarConst(dt DType, v float64) *Tensor {
	c := &struct {
		t Tensor
		a Array
		d [1]float64
	}{}
	c.d[0] = v
	c.a = Array{DType: dt, Shape: []int{}, Data: c.d[:]}
	c.t = Tensor{typ: Type{DType: dt, Shape: []int{}}, value: &c.a, id: newIDs(1)}
	return &c.t
}

func constArray(a *Array) *Tensor {
	return &Tensor{typ: Type{DType: a.DType, Shape: cloneInts(a.Shape)}, value: a, id: newIDs(1)}
}

// ConstOf makes a constant of the given dtype from a float64 value (e.g. an int64 zero).
func ConstOf(dt DType, v float64) *Tensor {
	return constArray(&Array{DType: dt, Shape: []int{}, Data: []float64{v}})
}

// As converts a Go value or *Tensor to a *Tensor: tensors are returned as they are and Go values
// become constants. It panics with *Error for values it cannot convert.
func As(v any) *Tensor {
	if t, ok := v.(*Tensor); ok {
		if t == nil {
			panic(errorf("as", "nil *Tensor"))
		}
		return t
	}
	return Const(v)
}

// Apply builds a node applying op to inputs and returns its outputs. It panics with *Error,
// naming the op, the inputs and their types, when op rejects them. Op implementers use it; users
// call the functions and methods that wrap ops.
func ApplyOp(op Op, inputs ...*Tensor) []*Tensor {
	in := make([]Type, len(inputs))
	for i, x := range inputs {
		if x == nil {
			panic(errorf(op.String(), "input %d is nil", i))
		}
		in[i] = x.typ
	}
	outT, err := op.Infer(in)
	if err != nil {
		if e, ok := err.(*Error); ok {
			if e.Expr == "" {
				e.Expr = describeInputs(inputs)
			}
			panic(e)
		}
		panic(&Error{Op: op.String(), Msg: err.Error(), Expr: describeInputs(inputs)})
	}
	if len(outT) == 1 {
		t := outT[0]
		return newApply1(op, inputs, Type{DType: t.DType, Shape: cloneInts(t.Shape)}, "").Outputs
	}
	node := newApplyN(op, inputs, len(outT))
	for i, t := range outT {
		node.Outputs[i].typ = Type{DType: t.DType, Shape: cloneInts(t.Shape)}
	}
	return node.Outputs
}

// newApplyN is the node of op on a copy of inputs with nout outputs, untyped and unnamed. A
// node of three outputs (a normal likelihood's value and partials, one per variable of a
// model of scalars) and six tensors in all is one allocation, holding its slices and outputs;
// another three (the node, its input and output slices in one, its outputs in one). The
// outputs live and die with their node.
func newApplyN(op Op, inputs []*Tensor, nout int) *Apply {
	var node *Apply
	var ptrs []*Tensor
	var outs []Tensor
	if n := len(inputs) + nout; nout == 3 && n <= 6 {
		b := &struct {
			node Apply
			ptrs [6]*Tensor
			outs [3]Tensor
		}{}
		node, ptrs, outs = &b.node, b.ptrs[:n], b.outs[:]
	} else {
		node, ptrs, outs = &Apply{}, make([]*Tensor, n), make([]Tensor, nout)
	}
	*node = Apply{Op: op, id: newIDs(1 + nout)}
	copy(ptrs, inputs)
	node.Inputs = ptrs[:len(inputs):len(inputs)]
	node.Outputs = ptrs[len(inputs):len(ptrs):len(ptrs)]
	for i := range outs {
		outs[i] = Tensor{owner: node, index: i, id: node.id + 1 + uint64(i)}
		node.Outputs[i] = &outs[i]
	}
	return node
}

// apply1 is a node of one output and at most three inputs with its slices' storage: one
// allocation instead of four. Graphs of many scalars are mostly such nodes (a binary op, a
// likelihood of a value and two parameters); the three inputs keep it in the 192-byte size
// class that two would.
type apply1 struct {
	node Apply
	out  Tensor
	outs [1]*Tensor
	ins  [3]*Tensor
}

// newApply1 is the node of op on a copy of inputs with one output of type t named name.
func newApply1(op Op, inputs []*Tensor, t Type, name string) *Apply {
	id := newIDs(2)
	b := &apply1{}
	ins := b.ins[:]
	if len(inputs) > len(b.ins) {
		ins = make([]*Tensor, len(inputs))
	}
	n := copy(ins, inputs)
	b.node = Apply{Op: op, Inputs: ins[:n:n], Outputs: b.outs[:], id: id}
	b.out = Tensor{typ: t, name: name, owner: &b.node, id: id + 1}
	b.outs[0] = &b.out
	return &b.node
}

// Apply1 is ApplyOp for single-output ops.
func Apply1(op Op, inputs ...*Tensor) *Tensor { return ApplyOp(op, inputs...)[0] }

func describeInputs(in []*Tensor) string {
	s := ""
	for i, x := range in {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %s", shortLabel(x), x.typ)
	}
	return s
}

func shortLabel(t *Tensor) string {
	s := t.label()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// Node ids. Every node and tensor gets a number when it is made, from one counter: the nodes of
// a graph, made one after another, have nearly consecutive ids, so the passes over large graphs
// keep their per-node tables in pages indexed by id (idTable) instead of maps keyed by
// pointers, whose lookups miss the cache once a graph has some hundred thousand nodes.

// lastID is the last id handed out.
var lastID atomic.Uint64

// newIDs reserves n consecutive ids and returns the first.
func newIDs(n int) uint64 { return lastID.Add(uint64(n)) - uint64(n) + 1 }

// lazyID returns *p, first setting it to a new id if it is 0 (a node or tensor made with a
// composite literal outside this file).
func lazyID(p *uint64) uint64 {
	if id := atomic.LoadUint64(p); id != 0 {
		return id
	}
	atomic.CompareAndSwapUint64(p, 0, newIDs(1))
	return atomic.LoadUint64(p)
}

// idOf is the tensor's id.
func (t *Tensor) idOf() uint64 { return lazyID(&t.id) }

// idOf is the node's id.
func (n *Apply) idOf() uint64 { return lazyID(&n.id) }

// idPageBits sets the size of an idTable's pages: 256 entries.
const idPageBits = 8

// idSmall is the number of entries an idTable holds in a map before it moves them to pages.
// A small table is a map, whose allocations depend only on what it holds: pages would add one
// when a graph's ids happen to straddle a page boundary, and a small function compiled twice
// would not allocate the same.
const idSmall = 1024

// idTable maps ids to values of V, the zero value standing for "absent". A large table stores
// pages of consecutive ids, found through a small map (a graph of n nodes spans about n/128
// pages) with the last page used kept at hand, since a pass reads nodes mostly in the order
// they were made.
type idTable[V any] struct {
	small    map[uint64]V // nil once the entries are in pages
	pages    map[uint64]*[1 << idPageBits]V
	lastPage uint64
	last     *[1 << idPageBits]V
}

// newIDTable is an empty table for about n ids.
func newIDTable[V any](n int) *idTable[V] {
	if n <= idSmall {
		return &idTable[V]{small: make(map[uint64]V, n)}
	}
	return &idTable[V]{pages: make(map[uint64]*[1 << idPageBits]V, n>>(idPageBits-1)+1)}
}

// page returns the page holding id, creating it if create is set (else nil if it is absent).
func (t *idTable[V]) page(id uint64, create bool) *[1 << idPageBits]V {
	k := id >> idPageBits
	if t.last != nil && k == t.lastPage {
		return t.last
	}
	p := t.pages[k]
	if p == nil {
		if !create {
			return nil
		}
		p = new([1 << idPageBits]V)
		t.pages[k] = p
	}
	t.lastPage, t.last = k, p
	return p
}

// get is the value stored for id, or the zero value.
func (t *idTable[V]) get(id uint64) V {
	if t.small != nil {
		return t.small[id]
	}
	if p := t.page(id, false); p != nil {
		return p[id&(1<<idPageBits-1)]
	}
	var zero V
	return zero
}

// set stores v for id.
func (t *idTable[V]) set(id uint64, v V) {
	if t.small != nil {
		t.small[id] = v
		if len(t.small) <= idSmall {
			return
		}
		t.pages = make(map[uint64]*[1 << idPageBits]V, 2*idSmall>>idPageBits)
		for k, x := range t.small {
			t.page(k, true)[k&(1<<idPageBits-1)] = x
		}
		t.small = nil
		return
	}
	t.page(id, true)[id&(1<<idPageBits-1)] = v
}
