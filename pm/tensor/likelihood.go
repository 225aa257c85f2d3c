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
type LikelihoodOp struct {
	kind likeKind
	// skip has bit k set when partial output k is read by nothing: Rewrite sets it after
	// pruning the graph, and the kernel leaves that output unwritten.
	skip uint8
	// fold has, for each partial output k, bit k set when the output is the sum of the
	// elementwise partials (a scalar) and bit k+4 set when it is their negation: Rewrite folds
	// into the op the sum or negation that was the partial's only reader (see foldPartials).
	fold uint8
}

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
		if o.fold&(1<<i) != 0 {
			out[i].Shape = []int{}
		}
	}
	return out, nil
}

// Grad implements Op. The partial outputs are differentiable too (their derivatives are
// closed forms), so gradients of gradients work.
func (o LikelihoodOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if o.skip != 0 || o.fold != 0 {
		// Skipped or folded partials: differentiate the op that computes them as they are.
		plain := LikelihoodOp{kind: o.kind}
		outs := ApplyOp(plain, in...)
		return plain.Grad(in, outs, unfoldGrad(o.fold, outs, gout))
	}
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
			gmu := scaleBy(g, d1)
			add(0, Neg(gmu))
			add(1, gmu)
			add(2, scaleBy(g, d2))
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
				add(0, scaleBy(g, gy))
			}
			add(1, scaleBy(g, r))
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

// scaleBy is g·t, or t itself when g is the scalar constant 1 (the gradient of a term that is
// simply added up, the usual case): the product would be built only for Rewrite to remove it,
// once per term of a model written one variable at a time.
func scaleBy(g, t *Tensor) *Tensor {
	if g.NDim() == 0 && g.DType() == Float64 && t.DType() == Float64 && isScalarConst(g, 1) {
		return t
	}
	return Mul(g, t)
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
		nk, err := newNormalKernel(spec, o.skip, o.fold, false, false)
		if err != nil {
			return nil, err
		}
		return func(outs, in []*Array) error {
			nk.run(outs, in, 0)
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
	return ApplyOp(LikelihoodOp{kind: likeNormal}, castF(x), castF(mu), castF(sigma))[0]
}

// BernoulliLogitLogp is the elementwise Bernoulli log-mass of y ∈ {0, 1} with log-odds eta,
// y·η − log(1 + e^η), computed with its derivative in one pass.
func BernoulliLogitLogp(y, eta any) *Tensor {
	return ApplyOp(LikelihoodOp{kind: likeBernoulliLogit}, As(y), castF(eta))[0]
}

// PoissonLogLogp is the elementwise Poisson log-mass of counts y with log-rate eta,
// y·η − e^η − log y!, computed with its derivative in one pass.
func PoissonLogLogp(y, eta any) *Tensor {
	return ApplyOp(LikelihoodOp{kind: likePoissonLog}, As(y), castF(eta))[0]
}

func castF(x any) *Tensor {
	t := As(x)
	if !t.DType().IsFloat() {
		t = Cast(t, Float64)
	}
	return t
}

// normalKernel computes the Normal log-density and its partials, element by element, for
// LikelihoodOp (the elementwise values) and LikelihoodSumOp (their sum, added in order as
// SumOp and SumFromOp add, so fusing the sum changes no bit).
type normalKernel struct {
	n   int
	idx [3][]int32 // broadcast index maps (nil: the output's shape)
	// Each operand is read with stride 1 (its shape is the output's) or 0 (one element),
	// which covers nearly every model; other broadcasts use the index maps.
	strided    bool
	sx, sm, ss int
	// A constant σ: 1/σ and log σ + log(2π)/2 once, not per element and call.
	invS, cS []float64
	// logS holds log σ of a vector σ, taken four elements at a time (math.Log's bits).
	logS     []float64
	inv1, c1 [1]float64 // the same for a σ of one element, per call
	// skipMu and skipSigma leave the partials dlp/dμ and dlp/dσ unwritten.
	skipMu, skipSigma bool
	summed            bool
	// The folded partials (see LikelihoodOp.fold): sumMu and sumSigma output the sum of the
	// elementwise partials, negMu and negSigma their negation; scratch holds the elementwise
	// values of a summed partial when the kernel's loop cannot sum them as it goes.
	sumMu, sumSigma, negMu, negSigma bool
	folded                           bool
	scratch                          [2][]float64
}

const halfLog2Pi = 0.91893853320467274178032973640561764

// newNormalKernel prepares the kernel for spec, whose inputs are (x, mu, sigma) after the
// start when summed from one; skip is LikelihoodOp's skip mask; summed computes the sum of
// the values (LikelihoodSumOp) instead of writing them.
func newNormalKernel(spec KernelSpec, skip, fold uint8, summed, from bool) (*normalKernel, error) {
	ins, sigma := spec.In, spec.Node.Inputs[len(spec.Node.Inputs)-1]
	if from {
		ins = ins[1:]
	}
	out, err := LikelihoodOp{kind: likeNormal}.Infer(ins)
	if err != nil {
		return nil, err
	}
	k := &normalKernel{n: shapeSize(out[1].Shape), skipMu: skip&2 != 0, skipSigma: skip&4 != 0, summed: summed}
	k.setFold(fold)
	strides := [3]int{}
	k.strided = true
	for i, t := range ins {
		switch {
		case sameShape(t.Shape, out[1].Shape) && k.n > 1:
			strides[i] = 1
		case shapeSize(t.Shape) == 1:
			strides[i] = 0
			k.idx[i] = broadcastIndex(t.Shape, out[1].Shape)
		default:
			k.strided = false
			k.idx[i] = broadcastIndex(t.Shape, out[1].Shape)
		}
	}
	k.sx, k.sm, k.ss = strides[0], strides[1], strides[2]
	if k.strided && k.ss == 1 {
		k.logS = make([]float64, k.n)
	}
	if c := sigma.Value(); c != nil && k.strided {
		k.invS, k.cS = make([]float64, len(c.Data)), make([]float64, len(c.Data))
		for i, v := range c.Data {
			if !(v > 0) {
				k.invS, k.cS = nil, nil // a bad constant: the per-call path gives −Inf
				break
			}
			k.invS[i] = 1 / v
			k.cS[i] = math.Log(v) + halfLog2Pi
		}
	}
	return k, nil
}

// run computes the outputs: outs[0] the elementwise values (or their sum added to start, when
// summed), outs[1] and outs[2] the partials.
func (k *normalKernel) run(outs, in []*Array, start float64) float64 {
	x, mu, sg := in[0].Data, in[1].Data, in[2].Data
	lp, dmu, dsg := outs[0].Data, outs[1].Data, outs[2].Data
	if k.skipMu {
		dmu = nil
	}
	if k.skipSigma {
		dsg = nil
	}
	if k.summed {
		lp = nil
	}
	if k.folded {
		return k.runFolded(x, mu, sg, lp, dmu, dsg, start)
	}
	return k.runPlain(x, mu, sg, lp, dmu, dsg, start)
}

// runPlain is run with the output slices chosen: nil ones are not written.
func (k *normalKernel) runPlain(x, mu, sg, lp, dmu, dsg []float64, start float64) float64 {
	n := k.n
	if k.strided {
		inv, c := k.invS, k.cS
		if inv == nil {
			if k.ss != 0 {
				return k.vecSigma(x, mu, sg, lp, dmu, dsg, start)
			}
			sv := sg[0]
			if !(sv > 0) {
				return k.general(x, mu, sg, lp, dmu, dsg, start)
			}
			k.inv1[0], k.c1[0] = 1/sv, math.Log(sv)+halfLog2Pi
			inv, c = k.inv1[:], k.c1[:]
		}
		return normalStrided(n, x, k.sx, mu, k.sm, inv, c, k.ss, lp, dmu, dsg, start)
	}
	return k.general(x, mu, sg, lp, dmu, dsg, start)
}

// normalStrided is the kernel's loop over operands read with strides sx, sm, ss (0 or 1), σ
// given by 1/σ and log σ + log(2π)/2. A nil lp sums the values onto s instead; a nil dmu or
// dsg is not written.
func normalStrided(n int, x []float64, sx int, mu []float64, sm int, inv, c []float64, ss int, lp, dmu, dsg []float64, s float64) float64 {
	if ss == 0 && lp == nil && dsg == nil && dmu != nil {
		// The common summed cases (constant or scalar σ, the σ partial unused: priors and
		// observations), with bounds checks hoisted.
		iv, cc := inv[0], c[0]
		dmu = dmu[:n]
		switch {
		case sx == 1 && sm == 1:
			x, mu := x[:n], mu[:n]
			for i := range dmu {
				z := (x[i] - mu[i]) * iv
				s += -0.5*z*z - cc
				dmu[i] = z * iv
			}
			return s
		case sx == 1:
			x, m := x[:n], mu[0]
			for i := range dmu {
				z := (x[i] - m) * iv
				s += -0.5*z*z - cc
				dmu[i] = z * iv
			}
			return s
		case sm == 1:
			xv, mu := x[0], mu[:n]
			for i := range dmu {
				z := (xv - mu[i]) * iv
				s += -0.5*z*z - cc
				dmu[i] = z * iv
			}
			return s
		}
	}
	if ss == 0 && lp != nil && sx == 1 && sm <= 1 {
		// The elementwise values of a vector with a vector or scalar mean, constant or scalar σ.
		iv, cc := inv[0], c[0]
		x, lp := x[:n], lp[:n]
		if sm == 1 {
			mu = mu[:n]
		}
		for i := range lp {
			m := mu[0]
			if sm == 1 {
				m = mu[i]
			}
			z := (x[i] - m) * iv
			lp[i] = -0.5*z*z - cc
			if dmu != nil {
				dmu[i] = z * iv
			}
			if dsg != nil {
				dsg[i] = (z*z - 1) * iv
			}
		}
		return s
	}
	for i := 0; i < n; i++ {
		iv := inv[i*ss]
		z := (x[i*sx] - mu[i*sm]) * iv
		l := -0.5*z*z - c[i*ss]
		if lp != nil {
			lp[i] = l
		} else {
			s += l
		}
		if dmu != nil {
			dmu[i] = z * iv
		}
		if dsg != nil {
			dsg[i] = (z*z - 1) * iv
		}
	}
	return s
}

// vecSigma is the kernel for a vector σ (stride 1) and x, μ read with strides 0 or 1: the
// logarithms first, four at a time (fastmath.MathLogTo: math.Log's bits), then general's
// formulas, so the bits are general's. A σ ≤ 0 (or NaN) anywhere takes general itself.
func (k *normalKernel) vecSigma(x, mu, sg, lp, dmu, dsg []float64, s float64) float64 {
	n := k.n
	sg = sg[:n]
	for _, v := range sg {
		if !(v > 0) {
			return k.general(x, mu, sg, lp, dmu, dsg, s)
		}
	}
	ls := k.logS[:n]
	fastmath.MathLogTo(ls, sg)
	if k.sx == 1 && k.sm == 0 && lp == nil && dmu == nil && dsg != nil {
		// Observed data with one mean and a vector of scales (stochastic volatility).
		x, m, dsg := x[:n], mu[0], dsg[:n]
		for i, si := range sg {
			inv := 1 / si
			z := (x[i] - m) * inv
			s += -0.5*z*z - (ls[i] + halfLog2Pi)
			dsg[i] = (z*z - 1) * inv
		}
		return s
	}
	sx, sm := k.sx, k.sm
	for i, si := range sg {
		inv := 1 / si
		z := (x[i*sx] - mu[i*sm]) * inv
		l := -0.5*z*z - (ls[i] + halfLog2Pi)
		if lp != nil {
			lp[i] = l
		} else {
			s += l
		}
		if dmu != nil {
			dmu[i] = z * inv
		}
		if dsg != nil {
			dsg[i] = (z*z - 1) * inv
		}
	}
	return s
}

// general is the kernel for any broadcast and any σ (−Inf where σ ≤ 0).
func (k *normalKernel) general(x, mu, sg, lp, dmu, dsg []float64, s float64) float64 {
	for i := 0; i < k.n; i++ {
		xi, mi, si := x[at32(k.idx[0], i)], mu[at32(k.idx[1], i)], sg[at32(k.idx[2], i)]
		var l, d1, d2 float64
		if !(si > 0) {
			l = math.Inf(-1)
		} else {
			inv := 1 / si
			z := (xi - mi) * inv
			l = -0.5*z*z - (math.Log(si) + halfLog2Pi)
			d1 = z * inv
			d2 = (z*z - 1) * inv
		}
		if lp != nil {
			lp[i] = l
		} else {
			s += l
		}
		if dmu != nil {
			dmu[i] = d1
		}
		if dsg != nil {
			dsg[i] = d2
		}
	}
	return s
}
