package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// suite lists the benchmark models in the order of bench/results/stan.json.
var suite = []string{"linreg", "eight_schools_noncentered", "logistic_big", "hier_radon_like", "coal_marginal", "stochvol"}

func load(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// build returns the named model, written with gopm as the Stan programs in
// ../shared/bench/stan are written.
func build(dir, name string) (*pm.Model, error) {
	switch name {
	case "linreg":
		var d struct {
			X1, X2 []float64
			Y      []float64 `json:"y"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		m := pm.NewModel()
		alpha := m.Var("alpha", pm.Normal(0, 10))
		beta := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
		sigma := m.Var("sigma", pm.HalfNormal(1))
		mu := alpha.Add(beta.At(0).Mul(d.X1)).Add(beta.At(1).Mul(d.X2))
		m.Observe("y", pm.Normal(mu, sigma), d.Y)
		return m, nil
	case "eight_schools_noncentered":
		var d struct {
			J     int
			Y     []float64 `json:"y"`
			Sigma []float64 `json:"sigma"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		m := pm.NewModel()
		mu := m.Var("mu", pm.Normal(0, 5))
		tau := m.Var("tau", pm.HalfCauchy(5))
		tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(d.J))
		theta := m.Deterministic("theta", mu.Add(tau.Mul(tt)))
		m.Observe("y", pm.Normal(theta, d.Sigma), d.Y)
		return m, nil
	case "logistic_big":
		var d struct {
			D int
			X [][]float64
			Y []float64 `json:"y"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		m := pm.NewModel()
		alpha := m.Var("alpha", pm.Normal(0, 2))
		beta := m.Var("beta", pm.Normal(0, 1), pm.Shape(d.D))
		eta := tensor.Add(alpha, tensor.Dot(d.X, beta))
		m.Observe("y", pm.BernoulliLogit(eta), d.Y)
		return m, nil
	case "hier_radon_like":
		var d struct {
			J     int
			Group []int     `json:"group"`
			X     []float64 `json:"x"`
			Y     []float64 `json:"y"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		g := make([]int, len(d.Group))
		for i, v := range d.Group {
			g[i] = v - 1 // Stan counts from 1
		}
		m := pm.NewModel()
		muA := m.Var("mu_a", pm.Normal(0, 10))
		sigmaA := m.Var("sigma_a", pm.HalfNormal(5))
		aRaw := m.Var("a_raw", pm.Normal(0, 1), pm.Shape(d.J))
		b := m.Var("b", pm.Normal(0, 10))
		sigmaY := m.Var("sigma_y", pm.HalfNormal(5))
		a := m.Deterministic("a", muA.Add(sigmaA.Mul(aRaw)))
		m.Observe("y", pm.Normal(a.Index(g).Add(b.Mul(d.X)), sigmaY), d.Y)
		return m, nil
	case "coal_marginal":
		var d struct {
			T int
			D []float64
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		m := pm.NewModel()
		e := m.Var("e", pm.Exponential(1))
		l := m.Var("l", pm.Exponential(1))
		// lp[s] = -log T + sum_{t<s} log Pois(D_t|e) + sum_{t>=s} log Pois(D_t|l), s = 1..T,
		// marginalized with log-sum-exp (Stan User's Guide, change point models).
		pe := pm.Poisson(e).Logp(tensor.Const(d.D))
		pl := pm.Poisson(l).Logp(tensor.Const(d.D))
		head := func(x *tensor.Tensor) *tensor.Tensor { // exclusive cumulative sum
			return tensor.Concatenate(0, []float64{0}, tensor.Cumsum(x, 0).Slice(0, 0, d.T-1, 1))
		}
		lp := tensor.Add(-math.Log(float64(d.T)), tensor.Add(head(pe), tensor.Sub(tensor.Sum(pl), head(pl))))
		m.Potential("switchpoint_marginal", tensor.LogSumExp(lp))
		return m, nil
	case "stochvol":
		var d struct {
			T int
			Y []float64 `json:"y"`
		}
		if err := load(dir, name, &d); err != nil {
			return nil, err
		}
		m := pm.NewModel()
		mu := m.Var("mu", pm.Cauchy(0, 10))
		phi := m.Var("phi", pm.Uniform(-1, 1))
		sigma := m.Var("sigma", pm.HalfCauchy(5))
		hStd := m.Var("h_std", pm.Normal(0, 1), pm.Shape(d.T))
		// h[0] = mu + sigma h_std[0] / sqrt(1 - phi²); h[t] = mu + sigma h_std[t] + phi (h[t-1] - mu),
		// that is h[t] = c[t] + phi h[t-1] with c[t] = mu (1 - phi) + sigma h_std[t]: an AR(1) filter.
		h0 := mu.Add(sigma.Mul(hStd.At(0)).Div(tensor.Sqrt(tensor.Sub(1.0, phi.Square()))))
		c := tensor.Add(mu.Mul(tensor.Sub(1.0, phi)), sigma.Mul(hStd.Slice(0, 1, d.T, 1)))
		h := m.Deterministic("h", tensor.Recurrence(tensor.Concatenate(0, tensor.ExpandDims(h0, 0), c), phi))
		m.Observe("y", pm.Normal(0, tensor.Exp(h.Div(2.0))), d.Y)
		return m, nil
	}
	return buildLoops(dir, name)
}
