package tensor

import (
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// Fused likelihood ops compute, in one pass over the data, the elementwise log-density and its
// partial derivatives, as Stan's densities with analytic gradients do. The op has several
// outputs: output 0 is the log-density; the others are the partials, which the gradient only
// multiplies by the incoming gradient, so differentiating costs one multiplication per element
// instead of a second pass of transcendental functions.

// likeKind names a fused likelihood.
type likeKind uint8

const (
	likeNormal         likeKind = iota // (x, mu, sigma) -> lp, dlp/dmu, dlp/dsigma
	likeBernoulliLogit                 // (y, eta) -> lp, dlp/deta
	likePoissonLog                     // (y, eta) -> lp, dlp/deta
)

// LikelihoodOp is a fused elementwise log-density with its partials (see NormalLogp,
// BernoulliLogitLogp, PoissonLogLogp). Inputs broadcast like Elemwise inputs.
type LikelihoodOp struct{ kind likeKind }

var likeNames = [...]string{"normal_lpdf", "bernoulli_logit_lpmf", "poisson_log_lpmf"}
var likeArity = [...]int{3, 2, 2}

// String implements Op.
func (o LikelihoodOp) String() string { return likeNames[o.kind] }

// Infer implements Op: every output has the inputs' broadcast shape.
func (o LikelihoodOp) Infer(in []Type) ([]Type, error) {
	if len(in) != likeArity[o.kind] {
		return nil, errorf(o.String(), "takes %d inputs, got %d", likeArity[o.kind], len(in))
	}
	shape, err := broadcastShapes(o.String(), in)
	if err != nil {
		return nil, err
	}
	out := make([]Type, likeArity[o.kind])
	for i := range out {
		out[i] = Type{DType: Float64, Shape: shape}
	}
	return out, nil
}

// Grad implements Op. The partial outputs are differentiable too (their derivatives are
// closed forms), so gradients of gradients work.
func (o LikelihoodOp) Grad(in, out, gout []*Tensor) []*Tensor {
	acc := make([]*Tensor, len(in))
	add := func(i int, t *Tensor) {
		if t == nil || !in[i].DType().IsFloat() {
			return
		}
		if acc[i] == nil {
			acc[i] = t
		} else {
			acc[i] = Add(acc[i], t)
		}
	}
	switch o.kind {
	case likeNormal:
		x, mu, s := in[0], in[1], in[2]
		d1, d2 := out[1], out[2] // d1 = (x−μ)/σ², d2 = (z²−1)/σ
		if g := gout[0]; g != nil {
			gmu := Mul(g, d1)
			add(0, Neg(gmu))
			add(1, gmu)
			add(2, Mul(g, d2))
		}
		if g := gout[1]; g != nil {
			// d d1/dx = 1/σ², d d1/dμ = −1/σ², d d1/dσ = −2 d1/σ.
			inv2 := Div(g, Square(s))
			add(0, inv2)
			add(1, Neg(inv2))
			add(2, Mul(g, Div(Mul(-2.0, d1), s)))
		}
		if g := gout[2]; g != nil {
			// d d2/dx = 2 d1/σ, d d2/dμ = −2 d1/σ, d d2/dσ = (1 − 3z²)/σ².
			t := Mul(g, Div(Mul(2.0, d1), s))
			add(0, t)
			add(1, Neg(t))
			z := Div(Sub(x, mu), s)
			add(2, Mul(g, Div(Sub(1.0, Mul(3.0, Square(z))), Square(s))))
		}
	case likeBernoulliLogit, likePoissonLog:
		y, eta, r := in[0], in[1], out[1]
		if g := gout[0]; g != nil {
			gy := eta
			if o.kind == likePoissonLog {
				gy = Sub(eta, Digamma(Add(y, 1.0)))
			}
			if y.DType().IsFloat() {
				add(0, Mul(g, gy))
			}
			add(1, Mul(g, r))
		}
		if g := gout[1]; g != nil {
			// r = y − sigmoid(η) (d r/dη = −p(1−p), p = y − r) or r = y − e^η (d r/dη = r − y).
			var d *Tensor
			if o.kind == likeBernoulliLogit {
				p := Sub(y, r)
				d = Neg(Mul(p, Sub(1.0, p)))
			} else {
				d = Sub(r, y)
			}
			if y.DType().IsFloat() {
				add(0, g)
			}
			add(1, Mul(g, d))
		}
	}
	res := make([]*Tensor, len(in))
	for i, a := range acc {
		if a != nil {
			res[i] = SumTo(a, in[i].Shape())
		}
	}
	return res
}

// Kernel implements Op.
func (o LikelihoodOp) Kernel(spec KernelSpec) (Kernel, error) {
	out := spec.Out[0].Shape
	n := shapeSize(out)
	idx := make([][]int32, len(spec.In))
	for i, t := range spec.In {
		if !sameShape(t.Shape, out) {
			idx[i] = broadcastIndex(t.Shape, out)
		}
	}
	direct := func(i int) bool { return idx[i] == nil }
	switch o.kind {
	case likeNormal:
		const halfLog2Pi = 0.91893853320467274178032973640561764
		// Each operand is read with stride 1 (its shape is the output's) or 0 (one element),
		// which covers nearly every model; other broadcasts use index maps.
		stride := func(i int) (int, bool) {
			switch {
			case direct(i):
				return 1, true
			case shapeSize(spec.In[i].Shape) == 1:
				return 0, true
			}
			return 0, false
		}
		sx, okx := stride(0)
		sm, okm := stride(1)
		ss, oks := stride(2)
		strided := okx && okm && oks
		// A constant σ: 1/σ and log σ + log(2π)/2 once, not per element and call.
		var invS, cS []float64
		if c := spec.Node.Inputs[2].Value(); c != nil && strided {
			invS, cS = make([]float64, len(c.Data)), make([]float64, len(c.Data))
			for i, v := range c.Data {
				if !(v > 0) {
					invS, cS = nil, nil // a bad constant: the per-call path gives −Inf
					break
				}
				invS[i] = 1 / v
				cS[i] = math.Log(v) + halfLog2Pi
			}
		}
		return func(outs, in []*Array) error {
			x, mu, sg := in[0].Data, in[1].Data, in[2].Data
			lp, dmu, dsg := outs[0].Data, outs[1].Data, outs[2].Data
			if strided {
				switch {
				case invS != nil:
					for i := range lp[:n] {
						inv := invS[i*ss]
						z := (x[i*sx] - mu[i*sm]) * inv
						lp[i] = -0.5*z*z - cS[i*ss]
						dmu[i] = z * inv
						dsg[i] = (z*z - 1) * inv
					}
					return nil
				case ss == 0:
					sv := sg[0]
					if !(sv > 0) {
						for i := range lp[:n] {
							lp[i], dmu[i], dsg[i] = math.Inf(-1), 0, 0
						}
						return nil
					}
					inv := 1 / sv
					c := math.Log(sv) + halfLog2Pi
					for i := range lp[:n] {
						z := (x[i*sx] - mu[i*sm]) * inv
						lp[i] = -0.5*z*z - c
						dmu[i] = z * inv
						dsg[i] = (z*z - 1) * inv
					}
					return nil
				}
			}
			for i := 0; i < n; i++ {
				xi, mi, si := x[at32(idx[0], i)], mu[at32(idx[1], i)], sg[at32(idx[2], i)]
				if !(si > 0) {
					lp[i], dmu[i], dsg[i] = math.Inf(-1), 0, 0
					continue
				}
				inv := 1 / si
				z := (xi - mi) * inv
				lp[i] = -0.5*z*z - (math.Log(si) + halfLog2Pi)
				dmu[i] = z * inv
				dsg[i] = (z*z - 1) * inv
			}
			return nil
		}, nil
	case likeBernoulliLogit:
		// With s = 2y − 1 (±1 for labels), log p = log_sigmoid(s·η) and d/dη = s·sigmoid(−s·η),
		// which is y − sigmoid(η) without cancellation. The contiguous case runs on fastmath's
		// vectorized slice kernels; other layouts (and labels that are not 0/1) take the scalar
		// path, which computes the same formula.
		tmp := make([]float64, n)
		return func(outs, in []*Array) error {
			y, eta := in[0].Data, in[1].Data
			lp, r := outs[0].Data, outs[1].Data
			if direct(0) && direct(1) && len(y) == n && len(eta) == n {
				labels := true
				for i, yi := range y {
					s := 2*yi - 1
					if s != 1 && s != -1 {
						labels = false
						break
					}
					tmp[i] = s * eta[i]
				}
				if labels {
					fastmath.LogSigmoidTo(lp, tmp)
					for i := range tmp {
						tmp[i] = -tmp[i]
					}
					fastmath.SigmoidTo(r, tmp)
					for i, yi := range y {
						r[i] *= 2*yi - 1
					}
					return nil
				}
			}
			for i := 0; i < n; i++ {
				yi, e := y[at32(idx[0], i)], eta[at32(idx[1], i)]
				lp[i] = yi*e - fastmath.Softplus(e)
				r[i] = yi - fastmath.Sigmoid(e)
			}
			return nil
		}, nil
	case likePoissonLog:
		return func(outs, in []*Array) error {
			y, eta := in[0].Data, in[1].Data
			lp, r := outs[0].Data, outs[1].Data
			for i := 0; i < n; i++ {
				yi, e := y[at32(idx[0], i)], eta[at32(idx[1], i)]
				// log p = y·η − e^η − log y!; d/dη = y − e^η.
				mu := fastmath.Exp(e)
				lg, _ := math.Lgamma(yi + 1)
				lp[i] = yi*e - mu - lg
				r[i] = yi - mu
			}
			return nil
		}, nil
	}
	return nil, errorf(o.String(), "unknown likelihood")
}

// at32 maps an output position to an input position through a broadcast index map (nil: the
// same position).
func at32(idx []int32, i int) int {
	if idx == nil {
		return i
	}
	return int(idx[i])
}

// NormalLogp is the elementwise Normal log-density of x with mean mu and standard deviation
// sigma, −(x−μ)²/(2σ²) − log σ − log(2π)/2, computed with its partials in one pass (−Inf where
// σ ≤ 0).
func NormalLogp(x, mu, sigma any) *Tensor {
	return ApplyOp(LikelihoodOp{likeNormal}, castF(x), castF(mu), castF(sigma))[0]
}

// BernoulliLogitLogp is the elementwise Bernoulli log-mass of y ∈ {0, 1} with log-odds eta,
// y·η − log(1 + e^η), computed with its derivative in one pass.
func BernoulliLogitLogp(y, eta any) *Tensor {
	return ApplyOp(LikelihoodOp{likeBernoulliLogit}, As(y), castF(eta))[0]
}

// PoissonLogLogp is the elementwise Poisson log-mass of counts y with log-rate eta,
// y·η − e^η − log y!, computed with its derivative in one pass.
func PoissonLogLogp(y, eta any) *Tensor {
	return ApplyOp(LikelihoodOp{likePoissonLog}, As(y), castF(eta))[0]
}

func castF(x any) *Tensor {
	t := As(x)
	if !t.DType().IsFloat() {
		t = Cast(t, Float64)
	}
	return t
}
