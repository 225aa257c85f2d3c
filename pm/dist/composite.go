package dist

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// broadcastAll broadcasts tensors to their common shape (so that they can be stacked).
func broadcastAll(ts []*tt) []*tt {
	var s []int
	known := true
	for _, t := range ts {
		s, _ = broadcast2(s, t.Shape())
	}
	for _, d := range s {
		if d < 0 {
			known = false
		}
	}
	out := make([]*tt, len(ts))
	var z *tt
	for i, t := range ts {
		switch {
		case sameInts(t.Shape(), s):
			out[i] = t
		case known:
			out[i] = tensor.BroadcastTo(t, s...)
		default:
			if z == nil {
				z = tensor.ZerosLike(ts[0])
				for _, u := range ts[1:] {
					z = tensor.Add(z, tensor.ZerosLike(u))
				}
			}
			out[i] = tensor.Add(t, z)
		}
	}
	return out
}

func arange(k int) *tt {
	v := make([]float64, k)
	for i := range v {
		v[i] = float64(i)
	}
	return tensor.Const(v)
}

// ---------------------------------------------------------------------------------------------

type mixture struct {
	base
	logw   *tt // log weights, [..., K]
	comps  []Dist
	single bool // one component distribution whose last batch axis is the mixture axis
	k      int
}

// Mixture is the mixture of scalar component distributions with weights w (shape [..., K],
// each row summing to 1). Its log-density is
//
//	log p(x) = log Σ_k w_k p_k(x)   (evaluated as a log-sum-exp)
//
// The components are either K distributions, or one distribution whose last batch axis has
// length K (Mixture(w, Normal(mu, sigma)) with mu and sigma of length K). Support and default
// transform are the first component's. Constraints: w_k >= 0, Σ w_k = 1. Mean Σ w_k μ_k.
// When every component implements CDFer, so does the mixture (so Truncated and Censored accept
// it): log F(x) = log Σ_k w_k F_k(x) and log(1 − F(x)) = log Σ_k w_k (1 − F_k(x)), both as
// log-sum-exps of the component log-CDFs and log-CCDFs.
func Mixture(w any, comps ...Dist) Dist {
	b := newBuilder("Mixture")
	wt := b.param("w", w)
	b.nonNegative("w", wt)
	d := &mixture{comps: comps}
	b.sumsToOne("w", wt, 1e-6)
	if wt.NDim() == 0 {
		b.fail(fmt.Errorf("Mixture: w must be a vector of weights, got a scalar"))
		wt = tensor.Const([]float64{1})
	}
	_, d.k = batchOf(wt)
	d.logw = tensor.Log(wt)
	var shapes [][]int
	switch {
	case len(comps) == 0:
		b.fail(fmt.Errorf("Mixture: no components"))
	case len(comps) == 1:
		c := comps[0]
		s := c.Shape()
		if len(s) == 0 || (s[len(s)-1] != d.k && s[len(s)-1] >= 0 && d.k >= 0) {
			b.fail(fmt.Errorf("Mixture: the component %s has shape %s, whose last axis must match the %d weights",
				c.Name(), tensor.ShapeString(s), d.k))
		} else {
			shapes = append(shapes, s[:len(s)-1])
		}
		d.single = true
	default:
		if len(comps) != d.k && d.k >= 0 {
			b.fail(fmt.Errorf("Mixture: %d components but %d weights", len(comps), d.k))
		}
		for _, c := range comps {
			shapes = append(shapes, c.Shape())
		}
	}
	for i, c := range comps {
		if c == nil {
			b.fail(fmt.Errorf("Mixture: component %d is nil", i))
			break
		}
		if c.Err() != nil {
			b.fail(fmt.Errorf("Mixture: component %d: %w", i, c.Err()))
		}
		if c.EventNDim() != 0 {
			b.fail(fmt.Errorf("Mixture: component %d (%s) is multivariate; only scalar components are supported", i, c.Name()))
		}
	}
	wb, _ := batchOf(wt)
	b.shapes, b.pnames = [][]int{wb}, []string{"w"}
	if b.err != nil {
		d.comps, d.single, d.k = []Dist{Normal(0.0, 1.0)}, true, 1
		d.logw = tensor.Const([]float64{0})
		shapes = nil
	}
	dt := tensor.Float64
	if len(d.comps) > 0 && d.comps[0].DType() == tensor.Int64 {
		dt = tensor.Int64
	}
	d.base = b.base(b.batch(shapes...), 0, dt)
	return d.withCDF()
}

// NormalMixture is the mixture of normal distributions with weights w, means mu and standard
// deviations sigma (the last axes of w, mu and sigma are the K components):
// log p(x) = log Σ_k w_k N(x | μ_k, σ_k). Constraints: σ_k > 0, w a probability vector.
func NormalMixture(w, mu, sigma any) Dist {
	n := Normal(mu, sigma)
	if n.Err() != nil {
		return Mixture(w, n)
	}
	m := Mixture(w, n)
	if mm := asMixture(m); mm != nil {
		mm.name = "NormalMixture"
	}
	return m
}

// componentLogp is the [..., K] matrix of component log-densities at x.
func (d *mixture) componentLogp(x *tt) *tt {
	if d.single {
		return d.comps[0].Logp(tensor.ExpandDims(x, x.NDim()))
	}
	lps := make([]*tt, len(d.comps))
	for i, c := range d.comps {
		lps[i] = c.Logp(x)
	}
	lps = broadcastAll(lps)
	return tensor.Stack(lps[0].NDim(), anys(lps)...)
}

func anys(ts []*tt) []any {
	r := make([]any, len(ts))
	for i, t := range ts {
		r[i] = t
	}
	return r
}

func (d *mixture) Logp(x *tt) *tt {
	lp := tensor.Add(d.logw, d.componentLogp(x))
	return tensor.LogSumExp(lp, lp.NDim()-1)
}

func (d *mixture) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	idx := rs.Categorical(tensor.Exp(d.logw), s...)
	var draws *tt
	if d.single {
		draws = tensor.Cast(d.comps[0].Random(rs, append(append([]int{}, s...), d.k)), tensor.Float64)
	} else {
		ds := make([]*tt, len(d.comps))
		for i, c := range d.comps {
			ds[i] = tensor.Cast(c.Random(rs, s), tensor.Float64)
		}
		draws = tensor.Stack(len(s), anys(ds)...)
	}
	sel := tensor.Switch(tensor.Eq(tensor.ExpandDims(idx, idx.NDim()), arange(d.k)), draws, 0.0)
	r := tensor.Sum(sel, sel.NDim()-1)
	if d.dtype == tensor.Int64 {
		return asInt(r)
	}
	return r
}

func (d *mixture) Support() Support { return d.comps[0].Support() }
func (d *mixture) DefaultTransform() Transform {
	return d.comps[0].DefaultTransform()
}

// InitialValue is the weighted mean of the components' initial values (rounded for discrete
// components), which lies in the support when the components share it.
func (d *mixture) InitialValue(shape []int) *tt {
	s := shapeOr(shape, d.shape)
	var iv *tt
	if d.single {
		iv = tensor.Cast(d.comps[0].InitialValue(nil), tensor.Float64)
	} else {
		ivs := make([]*tt, len(d.comps))
		for i, c := range d.comps {
			ivs[i] = tensor.Cast(c.InitialValue(nil), tensor.Float64)
		}
		ivs = broadcastAll(ivs)
		iv = tensor.Stack(ivs[0].NDim(), anys(ivs)...)
	}
	w := tensor.Exp(d.logw)
	m := tensor.Sum(tensor.Mul(w, iv), tensor.Add(w, iv).NDim()-1)
	if d.dtype == tensor.Int64 {
		return asInt(fill(tensor.Round(m), s))
	}
	return fill(m, s)
}

// ---------------------------------------------------------------------------------------------

type randomWalk struct {
	base
	mu, sigma *tt // expanded with a trailing axis to broadcast against the time axis
	init      Dist
	steps     int
}

// GaussianRandomWalk is the random walk x_0 ~ init, x_t = x_{t-1} + ε_t with ε_t ~ N(μ, σ),
// over the last axis of length steps+1. Its log-density is
//
//	log p(x) = log p_init(x_0) + Σ_{t=1}^{steps} log N(x_t - x_{t-1} | μ, σ)
//
// mu and sigma may have batch dimensions (one walk per batch entry). A nil init is
// Normal(0, 100), PyMC's default. Support: real vectors (event dimension 1). Constraints: σ > 0,
// steps >= 1.
func GaussianRandomWalk(mu, sigma any, init Dist, steps int) Dist {
	b := newBuilder("GaussianRandomWalk")
	m, s := b.param("mu", mu), b.param("sigma", sigma)
	b.finite("mu", m)
	b.positive("sigma", s)
	if steps < 1 {
		b.fail(fmt.Errorf("GaussianRandomWalk: steps is %d, but must be at least 1", steps))
		steps = 1
	}
	if init == nil {
		init = Normal(0.0, 100.0)
	}
	if init.Err() != nil {
		b.fail(fmt.Errorf("GaussianRandomWalk: init: %w", init.Err()))
	} else if init.EventNDim() != 0 {
		b.fail(fmt.Errorf("GaussianRandomWalk: init must be a scalar distribution, got %s", init.Name()))
	}
	d := &randomWalk{mu: expandLast(m), sigma: expandLast(s), init: init, steps: steps}
	batch := b.batch(init.Shape())
	d.base = b.base(append(batch, steps+1), 1, tensor.Float64)
	return d
}

// expandLast adds a trailing axis of length 1 to a non-scalar parameter so that its batch
// dimensions line up with a value's batch dimensions rather than its time axis.
func expandLast(t *tt) *tt {
	if t.NDim() == 0 {
		return t
	}
	return tensor.ExpandDims(t, t.NDim())
}

func (d *randomWalk) Logp(x *tt) *tt {
	ax, n := lastDim(x, "GaussianRandomWalk")
	x0 := tensor.Squeeze(tensor.Slice(x, ax, 0, 1, 1), ax)
	inc := tensor.Sub(tensor.Slice(x, ax, 1, n, 1), tensor.Slice(x, ax, 0, n-1, 1))
	z := tensor.Div(tensor.Sub(inc, d.mu), d.sigma)
	lpInc := tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Log(d.sigma), logSqrt2Pi))
	lp := tensor.Add(d.init.Logp(x0), tensor.Sum(lpInc, lpInc.NDim()-1))
	return bound(lp, condPos(d.sigma))
}

func (d *randomWalk) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	batch, n := s[:len(s)-1], s[len(s)-1]
	x0 := tensor.ExpandDims(tensor.Cast(d.init.Random(rs, batch), tensor.Float64), len(batch))
	eps := rs.Normal(d.mu, d.sigma, append(append([]int{}, batch...), n-1)...)
	return tensor.Concatenate(len(batch), x0, tensor.Add(x0, tensor.Cumsum(eps, len(batch))))
}
func (d *randomWalk) Support() Support            { return Support{Kind: Real} }
func (d *randomWalk) DefaultTransform() Transform { return nil }

// InitialValue is init's initial value plus μ t, the walk's mean path.
func (d *randomWalk) InitialValue(shape []int) *tt {
	s := shapeOr(shape, d.shape)
	batch := s[:len(s)-1]
	x0 := tensor.ExpandDims(tensor.Cast(d.init.InitialValue(batch), tensor.Float64), len(batch))
	return fill(tensor.Add(x0, tensor.Mul(d.mu, arange(s[len(s)-1]))), s)
}

// ---------------------------------------------------------------------------------------------

type ar struct {
	base
	rho, sigma *tt
	c          *tt // the constant term, or nil
	init       Dist
	p, steps   int
}

// AR is the autoregressive process of order p = len(rho) (len(rho)-1 with constant).
//
//	x_t = c + Σ_{i=1}^{p} ρ_i x_{t-i} + ε_t,  ε_t ~ N(0, σ),  t = p..p+steps-1
//
// over a vector of length p+steps whose first p values are independent draws from init (nil:
// Normal(0, 100), PyMC's default). With constant, rho[0] is c and rho[1:] are ρ_1..ρ_p, as in
// PyMC. Its log-density is
//
//	log p(x) = Σ_{t<p} log p_init(x_t) + Σ_{t≥p} log N(x_t | c + Σ_i ρ_i x_{t-i}, σ)
//
// Support: real vectors (event dimension 1; one series, no batch). Constraints: σ > 0.
func AR(rho, sigma any, init Dist, steps int, constant bool) Dist {
	b := newBuilder("AR")
	r, s := b.param("rho", rho), b.param("sigma", sigma)
	b.finite("rho", r)
	b.positive("sigma", s)
	d := &ar{rho: r, sigma: s, steps: steps}
	if r.NDim() != 1 || r.Shape()[0] < 1 {
		b.fail(fmt.Errorf("AR: rho must be a vector of known length, got shape %s", tensor.ShapeString(r.Shape())))
		d.rho = tensor.Const([]float64{0})
	}
	if s.NDim() != 0 {
		b.fail(fmt.Errorf("AR: sigma must be a scalar, got shape %s", tensor.ShapeString(s.Shape())))
		d.sigma = tensor.Const(1.0)
	}
	d.p = d.rho.Shape()[0]
	if constant {
		if d.p < 2 {
			b.fail(fmt.Errorf("AR: with a constant, rho must have at least 2 entries (the constant and ρ_1), got %d", d.p))
		} else {
			d.c = tensor.At(d.rho, 0)
			d.rho = tensor.Slice(d.rho, 0, 1, d.p, 1)
			d.p--
		}
	}
	if steps < 1 {
		b.fail(fmt.Errorf("AR: steps is %d, but must be at least 1", steps))
		d.steps = 1
	}
	if init == nil {
		init = Normal(0.0, 100.0)
	}
	if init.Err() != nil {
		b.fail(fmt.Errorf("AR: init: %w", init.Err()))
	} else if init.EventNDim() != 0 || len(init.Shape()) > 1 {
		b.fail(fmt.Errorf("AR: init must be a scalar distribution, got %s of shape %s", init.Name(), tensor.ShapeString(init.Shape())))
	}
	d.init = init
	d.base = b.base([]int{d.p + d.steps}, 1, tensor.Float64)
	return d
}

func (d *ar) Logp(x *tt) *tt {
	ax, n := lastDim(x, "AR")
	p := d.p
	pred := tensor.Mul(tensor.At(d.rho, 0), tensor.Slice(x, ax, p-1, n-1, 1))
	for i := 2; i <= p; i++ {
		pred = tensor.Add(pred, tensor.Mul(tensor.At(d.rho, i-1), tensor.Slice(x, ax, p-i, n-i, 1)))
	}
	if d.c != nil {
		pred = tensor.Add(pred, d.c)
	}
	z := tensor.Div(tensor.Sub(tensor.Slice(x, ax, p, n, 1), pred), d.sigma)
	lpInc := tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Log(d.sigma), logSqrt2Pi))
	lp := tensor.Add(tensor.Sum(d.init.Logp(tensor.Slice(x, ax, 0, p, 1)), ax), tensor.Sum(lpInc, ax))
	return bound(lp, condPos(d.sigma))
}

// Random runs the recursion in a Scan over the steps; the state is the window of the last p
// values.
func (d *ar) Random(rs *tensor.RandomStream, shape []int) *tt {
	checkShape(d.name, shape, d.shape)
	x0 := tensor.Cast(d.init.Random(rs, []int{d.p}), tensor.Float64)
	eps := rs.Normal(0.0, d.sigma, d.steps)
	rev := make([]int, d.p)
	for i := range rev {
		rev[i] = d.p - 1 - i
	}
	// window[j] = x_{t-p+j}, so Σ_i ρ_i x_{t-i} = Σ_j ρ_{p-j} window[j].
	w := tensor.Take(d.rho, rev, 0)
	c := d.c
	res := tensor.Scan(func(a []*tt) []*tt {
		e, win := a[0], a[1]
		next := tensor.Add(tensor.Dot(w, win), e)
		if c != nil {
			next = tensor.Add(next, c)
		}
		nw := tensor.Concatenate(0, tensor.Slice(win, 0, 1, d.p, 1), tensor.ExpandDims(next, 0))
		return []*tt{nw}
	}, tensor.ScanArgs{Sequences: []*tt{eps}, OutputsInfo: []*tt{x0}})
	tail := tensor.Squeeze(tensor.Slice(res[0], 1, d.p-1, d.p, 1), 1)
	return tensor.Concatenate(0, x0, tail)
}

func checkShape(name string, shape, want []int) {
	if shape != nil && !sameInts(shape, want) {
		panic(errDist(name, fmt.Sprintf("random draws of shape %s are not supported, only the shape %s", tensor.ShapeString(shape), tensor.ShapeString(want))))
	}
}

func (d *ar) Support() Support            { return Support{Kind: Real} }
func (d *ar) DefaultTransform() Transform { return nil }
func (d *ar) InitialValue(shape []int) *tt {
	return fill(0.0, shapeOr(shape, d.shape))
}
