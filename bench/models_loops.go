package main

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// loopSuite lists the models written with loops (tensor.Scan) or with strongly correlated
// parameters, in the order of bench/data/stan_loops.json. Their Stan programs are in bench/stan,
// their data in bench/data (simulated by bench/gen_loops_data.go), Stan's figures in
// bench/data/stan_loops.json (measured by bench/run_stan_loops.R), which main merges into
// Stan's figures. They are not in the default suite: with the diagonal metric collinear_reg
// takes 4.7 million gradients, about 40 s of sampling, twice with -cores2 (arma11 and hmm2 take
// about 2 µs and 25 µs per gradient, a few seconds with Stan's run beside). Run them with
//
//	go run ./bench -models arma11,hmm2,garch11,collinear_reg -cores2=false
//	go run ./bench -models collinear_reg -cores2=false -metric dense
var loopSuite = []string{"arma11", "hmm2", "collinear_reg", "garch11"}

// buildLoops returns the named model of loopSuite, written with gopm as the Stan program
// bench/stan/NAME.stan is written.
func buildLoops(dir, name string) (*pm.Model, error) {
	switch name {
	case "arma11":
		d, err := loadSeries(dir, name)
		if err != nil {
			return nil, err
		}
		m := pm.NewModel()
		mu := m.Var("mu", pm.Normal(0, 10))
		phi := m.Var("phi", pm.Uniform(-1, 1))
		theta := m.Var("theta", pm.Uniform(-1, 1))
		sigma := m.Var("sigma", pm.HalfCauchy(5))
		// err[0] = y[0] - (mu + phi mu); err[t] = y[t] - (mu + phi y[t-1] + theta err[t-1]).
		err0 := tensor.Sub(d.Y[0], mu.Add(phi.Mul(mu)))
		errs := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
			y, yPrev, errPrev, mu, phi, theta := a[0], a[1], a[2], a[3], a[4], a[5]
			return []*tensor.Tensor{y.Sub(mu.Add(phi.Mul(yPrev)).Add(theta.Mul(errPrev)))}
		}, tensor.ScanArgs{
			Sequences:    []*tensor.Tensor{tensor.Const(d.Y[1:]), tensor.Const(d.Y[:d.T-1])},
			OutputsInfo:  []*tensor.Tensor{err0},
			NonSequences: []*tensor.Tensor{mu, phi, theta},
		})
		resid := tensor.Concatenate(0, tensor.ExpandDims(err0, 0), errs[0])
		m.Potential("err", pm.NormalLogp(resid, 0, sigma))
		return m, nil
	case "hmm2":
		d, err := loadSeries(dir, name)
		if err != nil {
			return nil, err
		}
		m := pm.NewModel()
		p11 := m.Var("p11", pm.Uniform(0, 1))
		p22 := m.Var("p22", pm.Uniform(0, 1))
		// Ordered needs an increasing initial value: the prior's mean (0, 0) is on the boundary.
		mu := m.Var("mu", pm.Normal(0, 5), pm.Shape(2), pm.WithTransform(dist.Ordered()), pm.Initval([]float64{-1, 1}))
		sigma := m.Var("sigma", pm.HalfNormal(2))
		// Row j of the log transition matrix: from state j to states 0 and 1.
		from0 := tensor.Stack(0, tensor.Log(p11), tensor.Log1p(tensor.Neg(p11)))
		from1 := tensor.Stack(0, tensor.Log1p(tensor.Neg(p22)), tensor.Log(p22))
		// The forward algorithm on the log scale, as the Stan program writes it:
		// alpha[0, k] = log ½ + log Normal(y[0] | mu[k], sigma),
		// alpha[t, k] = log(exp(alpha[t-1, 0] + logA[0, k]) + exp(alpha[t-1, 1] + logA[1, k]))
		//               + log Normal(y[t] | mu[k], sigma).
		// The emission density does not depend on the state, so the compiled loop computes it for
		// all steps at once, and the two-term log-sum-exp costs one exponential per state.
		alpha0 := tensor.Add(math.Log(0.5), pm.NormalLogp(d.Y[0], mu, sigma))
		alphas := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
			yt, prev, from0, from1, mu, sigma := a[0], a[1], a[2], a[3], a[4], a[5]
			pred := tensor.LogSumExp(tensor.Stack(0, prev.At(0).Add(from0), prev.At(1).Add(from1)), 0)
			return []*tensor.Tensor{pred.Add(pm.NormalLogp(yt, mu, sigma))}
		}, tensor.ScanArgs{
			Sequences:    []*tensor.Tensor{tensor.Const(d.Y[1:])},
			OutputsInfo:  []*tensor.Tensor{alpha0},
			NonSequences: []*tensor.Tensor{from0, from1, mu, sigma},
		})
		m.Potential("forward", tensor.LogSumExp(alphas[0].At(d.T-2)))
		return m, nil
	case "garch11":
		var d struct {
			series
			Sigma1 float64 `json:"sigma1"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		if d.T < 2 || len(d.Y) != d.T || !(d.Sigma1 > 0) {
			return nil, fmt.Errorf("bench: %s: T = %d with %d observations, sigma1 = %v", name, d.T, len(d.Y), d.Sigma1)
		}
		m := pm.NewModel()
		mu := m.Var("mu", pm.Normal(0, 10))
		alpha0 := m.Var("alpha0", pm.HalfNormal(1))
		alpha1 := m.Var("alpha1", pm.Uniform(0, 1))
		beta1 := m.Var("beta1", pm.Uniform(0, tensor.Sub(1.0, alpha1)))
		// s2[t] = alpha0 + alpha1 (y[t-1] - mu)² + beta1 s2[t-1], s2[0] = sigma1².
		s2 := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
			yPrev, s2Prev, mu, alpha0, alpha1, beta1 := a[0], a[1], a[2], a[3], a[4], a[5]
			return []*tensor.Tensor{alpha0.Add(alpha1.Mul(yPrev.Sub(mu).Square())).Add(beta1.Mul(s2Prev))}
		}, tensor.ScanArgs{
			Sequences:    []*tensor.Tensor{tensor.Const(d.Y[:d.T-1])},
			OutputsInfo:  []*tensor.Tensor{tensor.Const(d.Sigma1 * d.Sigma1)},
			NonSequences: []*tensor.Tensor{mu, alpha0, alpha1, beta1},
		})
		sigma := tensor.Concatenate(0, tensor.Const([]float64{d.Sigma1}), tensor.Sqrt(s2[0]))
		m.Potential("y", pm.NormalLogp(d.Y, mu, sigma))
		return m, nil
	case "collinear_reg":
		var d struct {
			N    int
			Year []float64 `json:"year"`
			Y    []float64 `json:"y"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		m := pm.NewModel()
		a := m.Var("a", pm.Normal(0, 100))
		b := m.Var("b", pm.Normal(0, 1))
		s := m.Var("s", pm.HalfNormal(1))
		m.Observe("y", pm.Normal(a.Add(b.Mul(d.Year)), s), d.Y)
		return m, nil
	}
	return nil, fmt.Errorf("bench: unknown model %q (have %v and %v)", name, suite, loopSuite)
}

// series is the data of a time-series model: T observations y.
type series struct {
	T int
	Y []float64 `json:"y"`
}

func loadSeries(dir, name string) (series, error) {
	var d series
	if err := load(dir, name, &d); err != nil {
		return d, err
	}
	if d.T < 2 || len(d.Y) != d.T {
		return d, fmt.Errorf("bench: %s: T = %d with %d observations", name, d.T, len(d.Y))
	}
	return d, nil
}
