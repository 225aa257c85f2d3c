package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// RandomStream is a seeded source of random draws inside graphs (Theano's RandomStreams). Each
// method builds a Stateful op: every call of a compiled function draws new values, and the
// draws follow a sequence fixed by the seed. Each variable the stream creates gets its own
// generator (PCG from math/rand/v2, seeded with the stream's seed and the variable's creation
// index), so a variable's sequence does not depend on the other variables or on the order in
// which a backend runs the ops: the same seed gives identical sequences on every backend.
//
// The generators live in the stream, not in compiled functions: functions compiled from the same
// graph (and their clones) share them, under a mutex, and advance them together. Draws are not
// differentiable: gradients do not flow into the parameters of a draw.
type RandomStream struct {
	mu   sync.Mutex
	seed uint64
	vars []*rngState
}

// rngState is one variable's generator.
type rngState struct {
	mu  sync.Mutex
	pcg *rand.PCG
	rng *rand.Rand
}

// streamKey derives the second PCG seed word of variable k (SplitMix64's finalizer), so that the
// variables of a stream start far apart in PCG's sequence space.
func streamKey(k uint64) uint64 {
	z := k + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// NewRandomStream returns a stream seeded with seed.
func NewRandomStream(seed uint64) *RandomStream { return &RandomStream{seed: seed} }

// Seed reseeds the stream: every variable it created restarts the sequence it would have had if
// the stream had been created with this seed.
func (s *RandomStream) Seed(seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed = seed
	for k, v := range s.vars {
		v.mu.Lock()
		v.pcg.Seed(seed, streamKey(uint64(k)))
		v.mu.Unlock()
	}
}

func (s *RandomStream) newState() *rngState {
	s.mu.Lock()
	defer s.mu.Unlock()
	pcg := rand.NewPCG(s.seed, streamKey(uint64(len(s.vars))))
	st := &rngState{pcg: pcg, rng: rand.New(pcg)}
	s.vars = append(s.vars, st)
	return st
}

// maxRandomDims bounds the rank of a requested shape, which an op stores in a fixed-size array to
// stay comparable.
const maxRandomDims = 8

type shapeKey struct {
	dims [maxRandomDims]int
	nd   int8 // -1: no shape requested
}

func makeShapeKey(op string, shape []int) shapeKey {
	if len(shape) == 0 {
		return shapeKey{nd: -1}
	}
	if len(shape) > maxRandomDims {
		panic(errorf(op, "shape %s has more than %d dimensions", ShapeString(shape), maxRandomDims))
	}
	var k shapeKey
	for i, d := range shape {
		if d < 0 {
			panic(errorf(op, "shape %s has a negative dimension", ShapeString(shape)))
		}
		k.dims[i] = d
	}
	k.nd = int8(len(shape))
	return k
}

func (k shapeKey) shape() []int {
	if k.nd < 0 {
		return nil
	}
	return append([]int{}, k.dims[:k.nd]...)
}

// rvDist is a univariate distribution: its parameters, how it checks them and how it draws.
type rvDist struct {
	name     string
	params   []string
	discrete bool
	// check returns what is wrong with a parameter vector, or "".
	check func(p *[3]float64) string
	draw  func(st *rngState, p *[3]float64) float64
}

func positive(name string, v float64) string {
	if !(v > 0) {
		return fmt.Sprintf("%s = %v must be positive", name, v)
	}
	return ""
}

func nonNegative(name string, v float64) string {
	if !(v >= 0) {
		return fmt.Sprintf("%s = %v must not be negative", name, v)
	}
	return ""
}

func finite(name string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%s = %v must be finite", name, v)
	}
	return ""
}

func probability(name string, v float64) string {
	if !(v >= 0 && v <= 1) {
		return fmt.Sprintf("%s = %v must be in [0, 1]", name, v)
	}
	return ""
}

func firstProblem(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// openUnit is a uniform draw in (0, 1), for inverse-CDF samplers that take logarithms.
func openUnit(r *rand.Rand) float64 {
	for {
		if u := r.Float64(); u > 0 {
			return u
		}
	}
}

// The univariate distributions, by op kind. The parametrisations follow PyMC: Gamma(alpha, beta)
// with rate beta, Exponential(lam) with rate lam, StudentT(nu, mu, sigma), Cauchy(alpha, beta)
// with location alpha and scale beta, Laplace(mu, b), Logistic(mu, s), LogNormal(mu, sigma) of
// the underlying normal, HalfNormal(sigma).
var rvDists = [...]rvDist{
	{name: "uniform", params: []string{"lower", "upper"},
		check: func(p *[3]float64) string {
			if finite("lower", p[0]) != "" || finite("upper", p[1]) != "" || !(p[0] <= p[1]) {
				return fmt.Sprintf("lower = %v and upper = %v must be finite with lower <= upper", p[0], p[1])
			}
			return ""
		},
		draw: func(st *rngState, p *[3]float64) float64 { return p[0] + (p[1]-p[0])*st.rng.Float64() }},
	{name: "normal", params: []string{"mu", "sigma"},
		check: func(p *[3]float64) string { return firstProblem(finite("mu", p[0]), nonNegative("sigma", p[1])) },
		draw:  func(st *rngState, p *[3]float64) float64 { return p[0] + p[1]*st.rng.NormFloat64() }},
	{name: "gamma", params: []string{"alpha", "beta"},
		check: func(p *[3]float64) string { return firstProblem(positive("alpha", p[0]), positive("beta", p[1])) },
		draw: func(st *rngState, p *[3]float64) float64 {
			return distuv.Gamma{Alpha: p[0], Beta: p[1], Src: st.pcg}.Rand()
		}},
	{name: "beta", params: []string{"alpha", "beta"},
		check: func(p *[3]float64) string { return firstProblem(positive("alpha", p[0]), positive("beta", p[1])) },
		draw: func(st *rngState, p *[3]float64) float64 {
			return distuv.Beta{Alpha: p[0], Beta: p[1], Src: st.pcg}.Rand()
		}},
	{name: "exponential", params: []string{"lam"},
		check: func(p *[3]float64) string { return positive("lam", p[0]) },
		draw:  func(st *rngState, p *[3]float64) float64 { return st.rng.ExpFloat64() / p[0] }},
	{name: "poisson", params: []string{"mu"}, discrete: true,
		check: func(p *[3]float64) string { return firstProblem(nonNegative("mu", p[0]), finite("mu", p[0])) },
		draw: func(st *rngState, p *[3]float64) float64 {
			if p[0] == 0 {
				return 0
			}
			return distuv.Poisson{Lambda: p[0], Src: st.pcg}.Rand()
		}},
	{name: "binomial", params: []string{"n", "p"}, discrete: true,
		check: func(p *[3]float64) string {
			if !(p[0] >= 0) || p[0] != math.Trunc(p[0]) {
				return fmt.Sprintf("n = %v must be a non-negative integer", p[0])
			}
			return probability("p", p[1])
		},
		draw: func(st *rngState, p *[3]float64) float64 {
			if p[0] == 0 {
				return 0
			}
			return distuv.Binomial{N: p[0], P: p[1], Src: st.pcg}.Rand()
		}},
	{name: "bernoulli", params: []string{"p"}, discrete: true,
		check: func(p *[3]float64) string { return probability("p", p[0]) },
		draw: func(st *rngState, p *[3]float64) float64 {
			if st.rng.Float64() < p[0] {
				return 1
			}
			return 0
		}},
	{name: "student_t", params: []string{"nu", "mu", "sigma"},
		check: func(p *[3]float64) string {
			return firstProblem(positive("nu", p[0]), finite("mu", p[1]), positive("sigma", p[2]))
		},
		draw: func(st *rngState, p *[3]float64) float64 {
			return distuv.StudentsT{Nu: p[0], Mu: p[1], Sigma: p[2], Src: st.pcg}.Rand()
		}},
	{name: "cauchy", params: []string{"alpha", "beta"},
		check: func(p *[3]float64) string { return firstProblem(finite("alpha", p[0]), positive("beta", p[1])) },
		// Inverse CDF: alpha + beta tan(pi (u - 1/2)).
		draw: func(st *rngState, p *[3]float64) float64 {
			return p[0] + p[1]*math.Tan(math.Pi*(openUnit(st.rng)-0.5))
		}},
	{name: "laplace", params: []string{"mu", "b"},
		check: func(p *[3]float64) string { return firstProblem(finite("mu", p[0]), positive("b", p[1])) },
		// The difference of two exponentials is Laplace.
		draw: func(st *rngState, p *[3]float64) float64 {
			e1 := st.rng.ExpFloat64()
			e2 := st.rng.ExpFloat64()
			return p[0] + p[1]*(e1-e2)
		}},
	{name: "logistic", params: []string{"mu", "s"},
		check: func(p *[3]float64) string { return firstProblem(finite("mu", p[0]), positive("s", p[1])) },
		// Inverse CDF: mu + s log(u / (1 - u)).
		draw: func(st *rngState, p *[3]float64) float64 {
			u := openUnit(st.rng)
			return p[0] + p[1]*(math.Log(u)-math.Log1p(-u))
		}},
	{name: "lognormal", params: []string{"mu", "sigma"},
		check: func(p *[3]float64) string { return firstProblem(finite("mu", p[0]), nonNegative("sigma", p[1])) },
		draw:  func(st *rngState, p *[3]float64) float64 { return math.Exp(p[0] + p[1]*st.rng.NormFloat64()) }},
	{name: "halfnormal", params: []string{"sigma"},
		check: func(p *[3]float64) string { return nonNegative("sigma", p[0]) },
		draw:  func(st *rngState, p *[3]float64) float64 { return math.Abs(p[0] * st.rng.NormFloat64()) }},
}

// The op kinds, indices into rvDists.
const (
	rvUniform uint8 = iota
	rvNormal
	rvGamma
	rvBeta
	rvExponential
	rvPoisson
	rvBinomial
	rvBernoulli
	rvStudentT
	rvCauchy
	rvLaplace
	rvLogistic
	rvLogNormal
	rvHalfNormal
)

// RandomOp draws from a univariate distribution with parameters broadcast against each other
// and, if one was requested, against the output shape. It is Stateful: rewrites never merge or
// fold it.
type RandomOp struct {
	kind  uint8
	st    *rngState
	shape shapeKey
}

// Stateful implements Stateful.
func (o RandomOp) Stateful() bool { return true }

func (o RandomOp) dist() *rvDist { return &rvDists[o.kind] }

// String implements Op.
func (o RandomOp) String() string { return "random_" + o.dist().name }

// Distribution names the distribution ("normal", "gamma", ...).
func (o RandomOp) Distribution() string { return o.dist().name }

// randomShape broadcasts the parameters' shapes and fits them to the requested shape.
func randomShape(op string, params []Type, want shapeKey) ([]int, error) {
	shape, err := broadcastShapes(op, params)
	if err != nil {
		return nil, err
	}
	if want.nd < 0 {
		return shape, nil
	}
	ws := want.shape()
	b, err := broadcastShapes(op, append(append([]Type(nil), params...), Type{Shape: ws}))
	if err != nil || !sameShape(b, ws) {
		return nil, errorf(op, "parameters of shape %s do not broadcast to the requested shape %s", ShapeString(shape), ShapeString(ws))
	}
	return ws, nil
}

// Infer implements Op.
func (o RandomOp) Infer(in []Type) ([]Type, error) {
	d := o.dist()
	if len(in) != len(d.params) {
		return nil, errorf(o.String(), "takes %d parameters (%s), got %d", len(d.params), strings.Join(d.params, ", "), len(in))
	}
	for i, t := range in {
		if t.DType == Bool {
			return nil, errorf(o.String(), "parameter %s has dtype bool", d.params[i])
		}
	}
	shape, err := randomShape(o.String(), in, o.shape)
	if err != nil {
		return nil, err
	}
	dt := Float64
	if d.discrete {
		dt = Int64
	}
	return []Type{{DType: dt, Shape: shape}}, nil
}

// paramIndex maps each output element to the element of a parameter it reads, checking at run
// time that only dimensions of length 1 broadcast.
func paramIndex(op string, name string, in, out []int) ([]int32, error) {
	n := shapeSize(out)
	off := len(out) - len(in)
	if off < 0 {
		return nil, errorf(op, "parameter %s of shape %s has more dimensions than the output %s", name, ShapeString(in), ShapeString(out))
	}
	for k, d := range in {
		if d != 1 && d != out[off+k] {
			return nil, errorf(op, "parameter %s has shape %s at run time, which does not broadcast to %s", name, ShapeString(in), ShapeString(out))
		}
	}
	switch {
	case sameShape(in, out):
		return general(nil, false, n), nil
	case shapeSize(in) == 1:
		return general(nil, true, n), nil
	}
	return broadcastIndex(in, out), nil
}

// Kernel implements Op.
func (o RandomOp) Kernel(spec KernelSpec) (Kernel, error) {
	d := o.dist()
	out := spec.Out[0].Shape
	idx := make([][]int32, len(spec.In))
	for i, t := range spec.In {
		m, err := paramIndex(o.String(), d.params[i], t.Shape, out)
		if err != nil {
			return nil, err
		}
		idx[i] = m
	}
	st := o.st
	name := o.String()
	// The parameter vector is scratch: passed to function values it would escape, and a
	// kernel must not allocate.
	p := new([3]float64)
	return func(outs, in []*Array) error {
		dst := outs[0].Data
		st.mu.Lock()
		defer st.mu.Unlock()
		for e := range dst {
			for k, m := range idx {
				p[k] = in[k].Data[m[e]]
			}
			if msg := d.check(p); msg != "" {
				return errorf(name, "%s (element %d)", msg, e)
			}
			dst[e] = d.draw(st, p)
		}
		return nil
	}, nil
}

// Grad implements Op: draws are not differentiable.
func (o RandomOp) Grad(in, out, gout []*Tensor) []*Tensor { return make([]*Tensor, len(in)) }

func (s *RandomStream) univariate(kind uint8, shape []int, params ...any) *Tensor {
	name := "random_" + rvDists[kind].name
	ts := make([]*Tensor, len(params))
	for i, p := range params {
		ts[i] = As(p)
	}
	return Apply1(RandomOp{kind: kind, st: s.newState(), shape: makeShapeKey(name, shape)}, ts...)
}

// Uniform draws from the uniform distribution on [lo, hi). Parameters broadcast with each other
// and with shape (if given), as in NumPy; so do those of the other draws.
func (s *RandomStream) Uniform(lo, hi any, shape ...int) *Tensor {
	return s.univariate(rvUniform, shape, lo, hi)
}

// Normal draws from the normal distribution with mean mu and standard deviation sigma.
func (s *RandomStream) Normal(mu, sigma any, shape ...int) *Tensor {
	return s.univariate(rvNormal, shape, mu, sigma)
}

// Gamma draws from the gamma distribution with shape alpha and rate beta (mean alpha/beta).
func (s *RandomStream) Gamma(alpha, beta any, shape ...int) *Tensor {
	return s.univariate(rvGamma, shape, alpha, beta)
}

// Beta draws from the beta distribution with parameters a and b.
func (s *RandomStream) Beta(a, b any, shape ...int) *Tensor {
	return s.univariate(rvBeta, shape, a, b)
}

// Exponential draws from the exponential distribution with rate lam (mean 1/lam).
func (s *RandomStream) Exponential(lam any, shape ...int) *Tensor {
	return s.univariate(rvExponential, shape, lam)
}

// Poisson draws int64 counts from the Poisson distribution with mean lam.
func (s *RandomStream) Poisson(lam any, shape ...int) *Tensor {
	return s.univariate(rvPoisson, shape, lam)
}

// Binomial draws int64 counts of successes in n trials of probability p.
func (s *RandomStream) Binomial(n, p any, shape ...int) *Tensor {
	return s.univariate(rvBinomial, shape, n, p)
}

// Bernoulli draws int64 values, 1 with probability p and 0 otherwise.
func (s *RandomStream) Bernoulli(p any, shape ...int) *Tensor {
	return s.univariate(rvBernoulli, shape, p)
}

// StudentT draws from Student's t distribution with nu degrees of freedom, location mu and
// scale sigma.
func (s *RandomStream) StudentT(nu, mu, sigma any, shape ...int) *Tensor {
	return s.univariate(rvStudentT, shape, nu, mu, sigma)
}

// Cauchy draws from the Cauchy distribution with location alpha and scale beta.
func (s *RandomStream) Cauchy(alpha, beta any, shape ...int) *Tensor {
	return s.univariate(rvCauchy, shape, alpha, beta)
}

// Laplace draws from the Laplace distribution with location mu and scale b.
func (s *RandomStream) Laplace(mu, b any, shape ...int) *Tensor {
	return s.univariate(rvLaplace, shape, mu, b)
}

// Logistic draws from the logistic distribution with location mu and scale sc.
func (s *RandomStream) Logistic(mu, sc any, shape ...int) *Tensor {
	return s.univariate(rvLogistic, shape, mu, sc)
}

// LogNormal draws exp(X) for X normal with mean mu and standard deviation sigma.
func (s *RandomStream) LogNormal(mu, sigma any, shape ...int) *Tensor {
	return s.univariate(rvLogNormal, shape, mu, sigma)
}

// HalfNormal draws |X| for X normal with mean 0 and standard deviation sigma.
func (s *RandomStream) HalfNormal(sigma any, shape ...int) *Tensor {
	return s.univariate(rvHalfNormal, shape, sigma)
}

// ---------------------------------------------------------------------------------------------
// Multivariate draws: their parameters end in a vector (or a matrix) dimension that the draws
// share; the leading dimensions batch.

const (
	mvCategorical uint8 = iota
	mvDirichlet
	mvNormal
)

// MvRandomOp draws from a multivariate distribution: Categorical(p) with p of shape [..., K]
// giving int64 indices of shape [...]; Dirichlet(alpha) with alpha [..., K] giving [..., K];
// MvNormal(mu, cov) with mu [K] and cov [K K] giving [..., K]. A requested shape replaces the
// batch dimensions ([...]), which the parameters' own batch dimensions must broadcast to.
type MvRandomOp struct {
	kind  uint8
	st    *rngState
	shape shapeKey
}

// Stateful implements Stateful.
func (o MvRandomOp) Stateful() bool { return true }

// String implements Op.
func (o MvRandomOp) String() string {
	return [...]string{"random_categorical", "random_dirichlet", "random_mvnormal"}[o.kind]
}

// Infer implements Op.
func (o MvRandomOp) Infer(in []Type) ([]Type, error) {
	name := o.String()
	want := 1
	if o.kind == mvNormal {
		want = 2
	}
	if len(in) != want {
		return nil, errorf(name, "takes %d parameters, got %d", want, len(in))
	}
	p := in[0]
	if p.DType == Bool || len(p.Shape) == 0 {
		return nil, errorf(name, "the parameter must be a numeric vector or a batch of vectors, got %s", p)
	}
	k := p.Shape[len(p.Shape)-1]
	batch := p.Shape[:len(p.Shape)-1]
	if o.kind == mvNormal {
		if len(p.Shape) != 1 {
			return nil, errorf(name, "mu must be a vector, got shape %s", ShapeString(p.Shape))
		}
		c := in[1].Shape
		if len(c) != 2 || dimsMismatch(c[0], c[1]) || dimsMismatch(c[0], k) {
			return nil, errorf(name, "cov must be a square matrix matching mu of shape %s, got shape %s", ShapeString(p.Shape), ShapeString(c))
		}
		if k < 0 {
			k = c[0]
		}
	}
	bs, err := randomShape(name, []Type{{Shape: batch}}, o.shape)
	if err != nil {
		return nil, err
	}
	if o.kind == mvCategorical {
		return []Type{{DType: Int64, Shape: bs}}, nil
	}
	return []Type{{DType: Float64, Shape: append(cloneInts(bs), k)}}, nil
}

// Kernel implements Op.
func (o MvRandomOp) Kernel(spec KernelSpec) (Kernel, error) {
	name := o.String()
	ps := spec.In[0].Shape
	k := ps[len(ps)-1]
	outBatch := spec.Out[0].Shape
	if o.kind != mvCategorical {
		outBatch = outBatch[:len(outBatch)-1]
	}
	rows, err := paramIndex(name, "p", ps[:len(ps)-1], outBatch)
	if err != nil {
		return nil, err
	}
	st := o.st
	switch o.kind {
	case mvCategorical:
		if k == 0 {
			return nil, errorf(name, "p has no categories (shape %s)", ShapeString(ps))
		}
		return func(out, in []*Array) error {
			st.mu.Lock()
			defer st.mu.Unlock()
			p := in[0].Data
			for e, r := range rows {
				row := p[int(r)*k : (int(r)+1)*k]
				tot := 0.0
				for j, v := range row {
					if !(v >= 0) || math.IsInf(v, 0) {
						return errorf(name, "p[%d] = %v in row %d must be finite and non-negative", j, v, r)
					}
					tot += v
				}
				if !(tot > 0) {
					return errorf(name, "the probabilities of row %d sum to %v", r, tot)
				}
				// Probabilities are normalised, as PyMC's Categorical does.
				u := st.rng.Float64() * tot
				// Rounding may leave u at or above the running total: fall back to the last
				// category with positive weight, never a zero-weight one.
				c, acc := -1, 0.0
				for j, v := range row {
					acc += v
					if v > 0 {
						c = j
						if u < acc {
							break
						}
					}
				}
				out[0].Data[e] = float64(c)
			}
			return nil
		}, nil
	case mvDirichlet:
		return func(out, in []*Array) error {
			st.mu.Lock()
			defer st.mu.Unlock()
			a := in[0].Data
			d := out[0].Data
			for e, r := range rows {
				row := a[int(r)*k : (int(r)+1)*k]
				x := d[e*k : (e+1)*k]
				tot := 0.0
				for j, v := range row {
					if !(v > 0) || math.IsInf(v, 0) {
						return errorf(name, "alpha[%d] = %v in row %d must be positive and finite", j, v, r)
					}
					x[j] = distuv.Gamma{Alpha: v, Beta: 1, Src: st.pcg}.Rand()
					tot += x[j]
				}
				for j := range x {
					x[j] /= tot
				}
			}
			return nil
		}, nil
	}
	// MvNormal: x = mu + L z with L the Cholesky factor of cov, factored on every call (cov may be
	// an expression) into scratch.
	l := make([]float64, k*k)
	z := make([]float64, k)
	return func(out, in []*Array) error {
		st.mu.Lock()
		defer st.mu.Unlock()
		if err := choleskyLower(l, in[1].Data, k); err != nil {
			return errorf(name, "cov: %s", err.(*Error).Msg)
		}
		mu := in[0].Data
		d := out[0].Data
		for e := range rows {
			for j := range z {
				z[j] = st.rng.NormFloat64()
			}
			x := d[e*k : (e+1)*k]
			for i := 0; i < k; i++ {
				x[i] = mu[i] + dotVec(l[i*k:i*k+i+1], z[:i+1])
			}
		}
		return nil
	}, nil
}

// Grad implements Op: draws are not differentiable.
func (o MvRandomOp) Grad(in, out, gout []*Tensor) []*Tensor { return make([]*Tensor, len(in)) }

func (s *RandomStream) multivariate(kind uint8, shape []int, params ...any) *Tensor {
	op := MvRandomOp{kind: kind, st: s.newState()}
	op.shape = makeShapeKey(op.String(), shape)
	ts := make([]*Tensor, len(params))
	for i, p := range params {
		ts[i] = As(p)
	}
	return Apply1(op, ts...)
}

// Categorical draws int64 category indices in [0, K) with probabilities proportional to p, a
// vector of K weights or a batch of them (shape [..., K]); the result has p's batch shape, or
// shape if given.
func (s *RandomStream) Categorical(p any, shape ...int) *Tensor {
	return s.multivariate(mvCategorical, shape, p)
}

// Dirichlet draws probability vectors from the Dirichlet distribution with concentrations alpha
// (shape [..., K]); the result has shape [..., K], or shape followed by K if shape is given.
func (s *RandomStream) Dirichlet(alpha any, shape ...int) *Tensor {
	return s.multivariate(mvDirichlet, shape, alpha)
}

// MvNormal draws from the multivariate normal distribution with mean vector mu (length K) and
// covariance matrix cov (K×K, through its Cholesky factor, so it must be positive definite); the
// result has shape [K], or shape followed by K if shape is given.
func (s *RandomStream) MvNormal(mu, cov any, shape ...int) *Tensor {
	return s.multivariate(mvNormal, shape, mu, cov)
}
