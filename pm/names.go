package pm

import (
	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// None marks an open bound of Slice, as Python's None does: pm.Slice(x, 0, 2, pm.None, 1) is
// x[2:], and pm.Slice(x, 0, pm.None, pm.None, -1) reverses a vector. It is tensor.None.
const None = tensor.None

// Backends lists the backends a model can run on (the names Backend, SampleBackend and
// PM_BACKEND accept), sorted.
func Backends() []string { return backend.Names() }
