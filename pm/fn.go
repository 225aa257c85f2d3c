package pm

import (
	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// compiledPoint is a compiled function of the free variables' value variables.
type compiledPoint = backend.Function

func compileFn(ins []any, outs []*tensor.Tensor, backendName string) (*backend.Function, error) {
	return backend.Compile(ins, outs, backend.Use(backendName))
}
