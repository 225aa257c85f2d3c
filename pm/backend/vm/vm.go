// Package vm is gopm's default backend: a compiled graph runs as a flat list of prepared kernels
// over preallocated buffers, intermediate buffers are recycled once their last reader has run,
// and a call with unchanged shapes allocates nothing.
//
// It registers itself as "vm"; users select it through package backend, never by importing it
// directly except for its side effect.
package vm

import (
	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func init() { backend.Register("vm", VM{}) }

// VM is the backend.
type VM struct{}

// Compile implements backend.Backend.
func (v VM) Compile(fg *tensor.FunctionGraph) (tensor.Program, error) {
	fused, err := tensor.FuseScalars(fg)
	if err != nil {
		return nil, err
	}
	return &program{plan: tensor.NewPlan(fused, v.Compile, true), compile: v.Compile}, nil
}

type program struct {
	plan    *tensor.Plan
	compile func(*tensor.FunctionGraph) (tensor.Program, error)
}

// Run implements tensor.Program.
func (p *program) Run(in []*tensor.Array) ([]*tensor.Array, error) {
	if err := p.plan.Bind(in); err != nil {
		return nil, err
	}
	if err := p.plan.Run(); err != nil {
		return nil, err
	}
	return p.plan.Finish(), nil
}

// Clone implements tensor.Program.
func (p *program) Clone() tensor.Program {
	return &program{plan: tensor.NewPlan(p.plan.FG, p.compile, true), compile: p.compile} // FG is already fused
}
