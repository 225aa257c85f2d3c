package step

import "math"

// LogDensity is a log-density on R^n. Gradient-free samplers need only this.
//
// Logp may return NaN or -Inf for points outside the support: the samplers
// treat any non-finite value as "reject" (or a divergence in HMC/NUTS) and
// never panic on it.
type LogDensity interface {
	// Dim is the length of the points the density takes.
	Dim() int
	// Logp is the log-density at x (len Dim()), up to a constant.
	Logp(x []float64) float64
}

// GradDensity is a LogDensity that also gives its gradient.
type GradDensity interface {
	LogDensity
	// LogpGrad writes the gradient of Logp at x into grad (len Dim()) and
	// returns Logp(x). It must not keep x or grad.
	LogpGrad(x, grad []float64) float64
}

// Func adapts plain Go functions to LogDensity and GradDensity. It is a
// struct of func fields (like http.HandlerFunc) so that interpreted code can
// build a density without implementing an interface. G may be nil for a
// density without gradient; then LogpGrad fills grad with NaN, which a
// gradient-based sampler reports as divergent draws, and HasGrad is false.
type Func struct {
	// N is the dimension.
	N int
	// F is the log-density.
	F func(x []float64) float64
	// G, if not nil, writes the gradient into grad and returns the log-density.
	G func(x, grad []float64) float64
}

// Dim returns f.N.
func (f Func) Dim() int { return f.N }

// Logp calls f.F, or f.G with a scratch gradient if F is nil.
func (f Func) Logp(x []float64) float64 {
	if f.F == nil {
		if f.G == nil {
			return math.NaN()
		}
		g := make([]float64, len(x))
		return f.G(x, g)
	}
	return f.F(x)
}

// LogpGrad calls f.G; without G it returns Logp and fills grad with NaN.
func (f Func) LogpGrad(x, grad []float64) float64 {
	if f.G == nil {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return f.Logp(x)
	}
	return f.G(x, grad)
}

// HasGrad reports whether f has a gradient function.
func (f Func) HasGrad() bool { return f.G != nil }

// hasGrad reports whether d can give a gradient: it implements GradDensity
// and, if it says so through a HasGrad method, really has one.
func hasGrad(d LogDensity) bool {
	if _, ok := d.(GradDensity); !ok {
		return false
	}
	if h, ok := d.(interface{ HasGrad() bool }); ok {
		return h.HasGrad()
	}
	return true
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// cleanLp maps NaN and +Inf to -Inf, so that every "bad" log-density
// compares as a rejection.
func cleanLp(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 1) {
		return math.Inf(-1)
	}
	return v
}

// isIdentity reports whether block is 0, 1, ..., n-1.
func isIdentity(block []int, n int) bool {
	if len(block) != n {
		return false
	}
	for i, b := range block {
		if b != i {
			return false
		}
	}
	return true
}

// allIndices returns 0..n-1.
func allIndices(n int) []int {
	b := make([]int, n)
	for i := range b {
		b[i] = i
	}
	return b
}

// logpFunc returns d.Logp as a function. For a Func with only a gradient
// function it reuses one scratch gradient buffer, so gradient-free methods
// on such a density do not allocate per evaluation; the buffer makes the
// result unsafe for concurrent use, like the method that owns it.
func logpFunc(d LogDensity) func(x []float64) float64 {
	if f, ok := d.(Func); ok && f.F == nil && f.G != nil {
		g := make([]float64, f.N)
		return func(x []float64) float64 { return f.G(x, g) }
	}
	return d.Logp
}
