package dist

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// The elementwise special functions some log-densities need that package tensor does not have.
const (
	opAtan    uint8 = iota // arctan
	opLogI0                // log I₀(κ), the modified Bessel function of order 0
	opBesselR              // I₁(κ)/I₀(κ), the derivative of log I₀
	opNdtri                // Φ⁻¹(u), the standard normal quantile
)

// unaryOp is an elementwise function of one float64 tensor. It is a comparable value (its kind
// names it completely), as ops must be.
type unaryOp struct{ kind uint8 }

// String implements tensor.Op.
func (o unaryOp) String() string {
	return [...]string{"arctan", "log_i0", "i1_over_i0", "ndtri"}[o.kind]
}

// Infer implements tensor.Op: the output has the input's shape and is float64.
func (o unaryOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("dist: %s takes 1 input, got %d", o, len(in))
	}
	if in[0].DType == tensor.Bool {
		return nil, fmt.Errorf("dist: %s: input has dtype bool", o)
	}
	return []tensor.Type{{DType: tensor.Float64, Shape: append([]int{}, in[0].Shape...)}}, nil
}

// Kernel implements tensor.Op.
func (o unaryOp) Kernel(tensor.KernelSpec) (tensor.Kernel, error) {
	var f func(float64) float64
	switch o.kind {
	case opAtan:
		f = math.Atan
	case opLogI0:
		f = logBesselI0
	case opBesselR:
		f = besselRatio
	case opNdtri:
		f = func(u float64) float64 {
			if !(u >= 0 && u <= 1) {
				return math.NaN()
			}
			return mathext.NormalQuantile(u)
		}
	}
	return func(out, in []*tensor.Array) error {
		x, y := in[0].Data, out[0].Data
		for i, v := range x {
			y[i] = f(v)
		}
		return nil
	}, nil
}

// Grad implements tensor.Op, building the derivative from other ops so that second derivatives
// work too.
func (o unaryOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	x, g := in[0], gout[0]
	if !x.DType().IsFloat() {
		return []*tensor.Tensor{nil}
	}
	var d *tensor.Tensor
	switch o.kind {
	case opAtan:
		d = tensor.Div(1.0, tensor.Add(1.0, tensor.Square(x)))
	case opLogI0:
		d = tensor.Apply1(unaryOp{kind: opBesselR}, x)
	case opBesselR:
		// r' = 1 - r/κ - r², with the limit 1/2 at κ = 0 (r ≈ κ/2 there).
		r := out[0]
		safe := tensor.Switch(tensor.Eq(x, 0.0), 1.0, x)
		d = tensor.Switch(tensor.Eq(x, 0.0), 0.5, tensor.Sub(tensor.Sub(1.0, tensor.Div(r, safe)), tensor.Square(r)))
	case opNdtri:
		// dΦ⁻¹/du = 1/φ(Φ⁻¹(u)) = √(2π) exp(x²/2).
		d = tensor.Mul(math.Sqrt(2*math.Pi), tensor.Exp(tensor.Mul(0.5, tensor.Square(out[0]))))
	}
	return []*tensor.Tensor{tensor.Mul(g, d)}
}

// logI0 is log I₀(κ). With a constant κ the compiler's constant folding evaluates it once;
// folding it here would cut the gradient with respect to κ.
func logI0(k *tt) *tt { return tensor.Apply1(unaryOp{kind: opLogI0}, tensor.Cast(k, tensor.Float64)) }

// ndtri is the standard normal quantile Φ⁻¹(u).
func ndtri(u *tt) *tt { return tensor.Apply1(unaryOp{kind: opNdtri}, tensor.Cast(u, tensor.Float64)) }

// besselSeries sums the power series I_ν(z) = Σ_k (z/2)^(2k+ν) / (k! (k+ν)!) for ν = 0 or 1
// (Abramowitz & Stegun 9.6.10), accurate for moderate z.
func besselSeries(nu int, z float64) float64 {
	q := z * z / 4
	term := 1.0
	if nu == 1 {
		term = z / 2
	}
	sum := term
	for k := 1; k < 500; k++ {
		term *= q / (float64(k) * float64(k+nu))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// besselAsymp is the sum in the large-z expansion I_ν(z) ≈ e^z/√(2πz) Σ_k (-1)^k a_k(ν)/z^k
// with a_k(ν) = Π_{j=1..k} (4ν² - (2j-1)²) / (k! 8^k) (Abramowitz & Stegun 9.7.1), stopped at
// the smallest term.
func besselAsymp(nu int, z float64) float64 {
	mu := 4 * float64(nu*nu)
	term, sum := 1.0, 1.0
	for k := 1; k < 60; k++ {
		j := float64(2*k - 1)
		next := -term * (mu - j*j) / (float64(k) * 8 * z)
		if math.Abs(next) >= math.Abs(term) {
			break
		}
		term = next
		sum += term
		if math.Abs(term) < 1e-17*math.Abs(sum) {
			break
		}
	}
	return sum
}

const besselSwitch = 25.0

func logBesselI0(z float64) float64 {
	z = math.Abs(z)
	if math.IsNaN(z) {
		return z
	}
	if z <= besselSwitch {
		return math.Log(besselSeries(0, z))
	}
	return z - 0.5*math.Log(2*math.Pi*z) + math.Log(besselAsymp(0, z))
}

func besselRatio(z float64) float64 {
	if math.IsNaN(z) {
		return z
	}
	s := 1.0
	if z < 0 {
		s, z = -1, -z
	}
	if z <= besselSwitch {
		return s * besselSeries(1, z) / besselSeries(0, z)
	}
	return s * besselAsymp(1, z) / besselAsymp(0, z)
}
