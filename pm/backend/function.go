package backend

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// In describes a function input with optional default value and name (Theano's In). Inputs
// without a Value are required; those with one may be omitted in a call, or passed by Name.
type In struct {
	Var   *tensor.Tensor
	Value any    // default value; nil means required
	Name  string // name for keyword calls; defaults to the variable's name
}

// Kw passes inputs by name in a call: f.Call(1.0, backend.Kw{"w": 2.0}).
type Kw map[string]any

// Option configures Compile.
type Option func(*options)

type options struct {
	backend string
	updates []tensor.Update
}

// Use compiles on the named backend ("vm", "debug", ...), overriding PM_BACKEND and the config.
func Use(name string) Option { return func(o *options) { o.backend = name } }

// Updates gives shared-variable updates applied after each call, as pairs: variable, new value,
// variable, new value... New values may be tensors or Go values.
func Updates(pairs ...any) Option {
	return func(o *options) {
		if len(pairs)%2 != 0 {
			panic(&tensor.Error{Op: "updates", Msg: fmt.Sprintf("updates come in pairs (shared variable, new value); got %d values", len(pairs))})
		}
		for i := 0; i < len(pairs); i += 2 {
			v, ok := pairs[i].(*tensor.Tensor)
			if !ok {
				panic(&tensor.Error{Op: "updates", Msg: fmt.Sprintf("update %d: %T is not a shared variable", i/2, pairs[i])})
			}
			o.updates = append(o.updates, tensor.Update{Var: v, Value: tensor.As(pairs[i+1])})
		}
	}
}

// Function is a compiled function: call it with values for its inputs to get its outputs and to
// apply its updates. It is not safe for concurrent use; Clone one per goroutine.
type Function struct {
	prog     tensor.Program
	ins      []In
	defaults []*tensor.Array
	backend  string
	fg       *tensor.FunctionGraph
	args     []*tensor.Array
}

// Compile builds a Function from inputs (each a *tensor.Tensor or an In), outputs (one
// *tensor.Tensor or a []*tensor.Tensor) and options. Mistakes in the graph are errors naming the
// variable; construction panics from option values are returned as errors too.
func Compile(inputs []any, outputs any, opts ...Option) (f *Function, err error) {
	defer catch(&f, &err)
	f, vars, o, err := prepare(inputs, opts)
	if err != nil {
		return nil, err
	}
	var outs []*tensor.Tensor
	switch v := outputs.(type) {
	case *tensor.Tensor:
		outs = []*tensor.Tensor{v}
	case []*tensor.Tensor:
		outs = v
	case nil:
	default:
		return nil, fmt.Errorf("pm/backend: outputs have type %T; want *tensor.Tensor or []*tensor.Tensor", outputs)
	}
	b, name, err := Select(o.backend)
	if err != nil {
		return nil, err
	}
	return f.finish(vars, outs, o, name, b.Compile)
}

// Differentiator is a backend with its own automatic differentiation, which CompileGradient
// uses instead of the gradient graph tensor.Grad builds.
type Differentiator interface {
	Backend
	// CompileGrad compiles fg, whose one output is a scalar cost, into a program whose outputs
	// are the cost and its gradient with respect to each of wrt (inputs of fg), in order.
	CompileGrad(fg *tensor.FunctionGraph, wrt []*tensor.Tensor) (tensor.Program, error)
}

// CompileGradient builds a Function whose outputs are cost and its gradient with respect to
// each of wrt (floating-point inputs among inputs). On a Differentiator backend the gradient is
// the backend's own; on others it is Compile(inputs, [cost, tensor.Grad(cost, wrt...)...]).
func CompileGradient(inputs []any, cost *tensor.Tensor, wrt []*tensor.Tensor, opts ...Option) (f *Function, err error) {
	defer catch(&f, &err)
	f, vars, o, err := prepare(inputs, opts)
	if err != nil {
		return nil, err
	}
	b, name, err := Select(o.backend)
	if err != nil {
		return nil, err
	}
	if d, ok := b.(Differentiator); ok {
		return f.finish(vars, []*tensor.Tensor{cost}, o, name, func(fg *tensor.FunctionGraph) (tensor.Program, error) {
			return d.CompileGrad(fg, wrt)
		})
	}
	return f.finish(vars, append([]*tensor.Tensor{cost}, tensor.Grad(cost, wrt...)...), o, name, b.Compile)
}

// catch turns a graph builder's *tensor.Error panic into the returned error.
func catch(f **Function, err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(*tensor.Error); ok {
			*f, *err = nil, e
			return
		}
		panic(r)
	}
}

// prepare reads the options and inputs of Compile.
func prepare(inputs []any, opts []Option) (*Function, []*tensor.Tensor, options, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	f := &Function{}
	var vars []*tensor.Tensor
	for i, x := range inputs {
		var in In
		switch v := x.(type) {
		case *tensor.Tensor:
			in = In{Var: v}
		case In:
			in = v
		case *In:
			in = *v
		default:
			return nil, nil, o, fmt.Errorf("pm/backend: input %d has type %T; want *tensor.Tensor or backend.In", i, x)
		}
		if in.Var == nil {
			return nil, nil, o, fmt.Errorf("pm/backend: input %d has no variable", i)
		}
		if in.Name == "" {
			in.Name = in.Var.Name()
		}
		var def *tensor.Array
		if in.Value != nil {
			a, err := tensor.AsArray(in.Value)
			if err != nil {
				return nil, nil, o, fmt.Errorf("pm/backend: default value of input %q: %w", in.Name, err)
			}
			if err := tensor.CheckType(in.Name, in.Var.Type(), a); err != nil {
				return nil, nil, o, fmt.Errorf("pm/backend: default value: %w", err)
			}
			def = a.Clone()
			def.DType = in.Var.DType()
		}
		f.ins = append(f.ins, in)
		f.defaults = append(f.defaults, def)
		vars = append(vars, in.Var)
	}
	return f, vars, o, nil
}

// finish checks and rewrites the graph and compiles it with compile.
func (f *Function) finish(vars, outs []*tensor.Tensor, o options, name string, compile func(*tensor.FunctionGraph) (tensor.Program, error)) (*Function, error) {
	fg, err := tensor.NewFunctionGraph(vars, outs, o.updates)
	if err != nil {
		return nil, err
	}
	rfg, err := tensor.Rewrite(fg)
	if err != nil {
		return nil, err
	}
	prog, err := compile(rfg)
	if err != nil {
		return nil, err
	}
	f.prog, f.backend, f.fg = prog, name, rfg
	f.args = make([]*tensor.Array, len(f.ins))
	return f, nil
}

// Prefix compiles the first n outputs of f as a new Function of f's inputs, from f's rewritten
// graph (tensor.Prune) rather than by rewriting the outputs again: they are computed by the same
// nodes, so bit for bit as f computes them, at a fraction of the cost of Compile. The new
// function applies no updates. On a backend with its own differentiation (whose gradient
// outputs are not in the graph) only the graph's own outputs can be kept.
func (f *Function) Prefix(n int) (*Function, error) {
	sub, err := tensor.Prune(f.fg, n)
	if err != nil {
		return nil, err
	}
	b, name, err := Select(f.backend)
	if err != nil {
		return nil, err
	}
	prog, err := b.Compile(sub)
	if err != nil {
		return nil, err
	}
	g := &Function{prog: prog, ins: f.ins, defaults: f.defaults, backend: name, fg: sub}
	g.args = make([]*tensor.Array, len(f.ins))
	return g, nil
}

// Backend names the backend the function was compiled on.
func (f *Function) Backend() string { return f.backend }

// Graph is the rewritten function graph the backend compiled.
func (f *Function) Graph() *tensor.FunctionGraph { return f.fg }

// Call evaluates the function. Arguments bind the inputs in order; a trailing Kw binds inputs by
// name; omitted inputs take their defaults. It returns fresh copies of the outputs.
func (f *Function) Call(args ...any) ([]*tensor.Array, error) {
	var kw Kw
	if len(args) > 0 {
		if k, ok := args[len(args)-1].(Kw); ok {
			kw, args = k, args[:len(args)-1]
		}
	}
	if len(args) > len(f.ins) {
		return nil, fmt.Errorf("pm/backend: function takes %d inputs, got %d arguments", len(f.ins), len(args))
	}
	bound := make([]*tensor.Array, len(f.ins))
	for i, a := range args {
		arr, err := f.convert(i, a)
		if err != nil {
			return nil, err
		}
		bound[i] = arr
	}
	for name, v := range kw {
		i := f.index(name)
		if i < 0 {
			return nil, fmt.Errorf("pm/backend: no input named %q", name)
		}
		if bound[i] != nil {
			return nil, fmt.Errorf("pm/backend: input %q given twice", name)
		}
		arr, err := f.convert(i, v)
		if err != nil {
			return nil, err
		}
		bound[i] = arr
	}
	for i := range bound {
		if bound[i] == nil {
			if f.defaults[i] == nil {
				return nil, fmt.Errorf("pm/backend: missing value for input %s (position %d)", f.label(i), i)
			}
			bound[i] = f.defaults[i]
		}
	}
	outs, err := f.prog.Run(bound)
	if err != nil {
		return nil, err
	}
	res := make([]*tensor.Array, len(outs))
	for i, o := range outs {
		res[i] = o.Clone()
	}
	return res, nil
}

// Run evaluates the function on arrays, one per input in order, without copying: the outputs
// belong to the function and are overwritten by the next call. With arrays of unchanged shapes
// it allocates nothing; it is the path for hot loops.
func (f *Function) Run(args ...*tensor.Array) ([]*tensor.Array, error) {
	return f.prog.Run(args)
}

// Clone returns an independent copy for use on another goroutine (shared variables stay shared).
func (f *Function) Clone() *Function {
	g := *f
	g.prog = f.prog.Clone()
	g.args = make([]*tensor.Array, len(f.ins))
	return &g
}

func (f *Function) index(name string) int {
	for i, in := range f.ins {
		if in.Name == name {
			return i
		}
	}
	return -1
}

func (f *Function) label(i int) string {
	if f.ins[i].Name != "" {
		return fmt.Sprintf("%q", f.ins[i].Name)
	}
	return fmt.Sprint(i)
}

func (f *Function) convert(i int, v any) (*tensor.Array, error) {
	a, err := tensor.AsArray(v)
	if err != nil {
		return nil, fmt.Errorf("pm/backend: input %s: %w", f.label(i), err)
	}
	t := f.ins[i].Var.Type()
	if err := tensor.CheckType(f.label(i), t, a); err != nil {
		return nil, err
	}
	if a.DType != t.DType {
		a = a.Clone()
		a.DType = t.DType
	}
	return a, nil
}
