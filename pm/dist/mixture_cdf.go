package dist

import (
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Log-CDFs of the mixtures and of Flat and HalfFlat.

// mixtureCDF is a mixture whose components all implement CDFer; Mixture returns it in place of
// *mixture then, so that Truncated and Censored accept exactly the mixtures that have a CDF.
type mixtureCDF struct{ *mixture }

// componentTails is the [..., K] matrix of the component log-CDFs (upper false) or log-CCDFs
// (upper true) at x, laid out as componentLogp's.
func (d mixtureCDF) componentTails(x *tt, upper bool) *tt {
	tail := func(c Dist, v *tt) *tt {
		if upper {
			return c.(CDFer).LogCCDF(v)
		}
		return c.(CDFer).LogCDF(v)
	}
	if d.single {
		return tail(d.comps[0], tensor.ExpandDims(x, x.NDim()))
	}
	ts := make([]*tt, len(d.comps))
	for i, c := range d.comps {
		ts[i] = tail(c, x)
	}
	ts = broadcastAll(ts)
	return tensor.Stack(ts[0].NDim(), anys(ts)...)
}

// LogCDF is log Σ_k w_k F_k(x), a log-sum-exp of the weighted component log-CDFs.
func (d mixtureCDF) LogCDF(x *tt) *tt {
	lc := tensor.Add(d.logw, d.componentTails(x, false))
	return tensor.LogSumExp(lc, lc.NDim()-1)
}

// LogCCDF is log Σ_k w_k (1 − F_k(x)), from the component log-CCDFs, so that the upper tail
// keeps its digits.
func (d mixtureCDF) LogCCDF(x *tt) *tt {
	lc := tensor.Add(d.logw, d.componentTails(x, true))
	return tensor.LogSumExp(lc, lc.NDim()-1)
}

// withCDF is d as a mixtureCDF when every component implements CDFer.
func (d *mixture) withCDF() Dist {
	for _, c := range d.comps {
		if _, ok := c.(CDFer); !ok {
			return d
		}
	}
	return mixtureCDF{d}
}

// asMixture is the *mixture behind a Mixture's result.
func asMixture(d Dist) *mixture {
	switch m := d.(type) {
	case *mixture:
		return m
	case mixtureCDF:
		return m.mixture
	}
	return nil
}

// Flat and HalfFlat have PyMC's conventional log-CDFs: Flat's is log ½ at every finite x
// (−Inf at −Inf, 0 at +Inf) and HalfFlat's is −Inf below +Inf, 0 there. They let Censored
// accept them as PyMC does; Truncated refuses them, since F(upper) − F(lower) is 0.

// LogCDF is PyMC's: log ½ (Flat) or −Inf (HalfFlat) at finite x, −Inf at −Inf, 0 at +Inf.
func (d *flat) LogCDF(x *tt) *tt {
	x = xf(x)
	mid := math.Log(0.5)
	if d.half {
		mid = math.Inf(-1)
	}
	return tensor.Switch(tensor.Eq(x, math.Inf(1)), 0.0, tensor.Switch(tensor.Eq(x, math.Inf(-1)), negInf, tensor.Add(tensor.ZerosLike(x), mid)))
}

// LogCCDF is log(1 − F(x)) of LogCDF: log ½ (Flat) or 0 (HalfFlat) at finite x, 0 at −Inf,
// −Inf at +Inf.
func (d *flat) LogCCDF(x *tt) *tt {
	x = xf(x)
	mid := math.Log(0.5)
	if d.half {
		mid = 0
	}
	return tensor.Switch(tensor.Eq(x, math.Inf(1)), negInf, tensor.Switch(tensor.Eq(x, math.Inf(-1)), 0.0, tensor.Add(tensor.ZerosLike(x), mid)))
}
