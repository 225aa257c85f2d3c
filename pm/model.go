package pm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// Kind says what role a model variable plays.
type Kind int

// The kinds of model variables.
const (
	Free          Kind = iota // a random variable to infer
	Observed                  // a random variable with data
	Deterministic             // a function of other variables, recorded in the trace
	Potential                 // an extra log-density term
	Data                      // a data container whose values can be replaced
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"free", "observed", "deterministic", "potential", "data"}[k]
}

// RV is one named variable of a model.
type RV struct {
	Name      string
	Kind      Kind
	Dist      dist.Dist      // Free and Observed
	Tensor    *tensor.Tensor // what users compute with: the constrained value, the data, the expression
	Value     *tensor.Tensor // Free: the sampler's (unconstrained) value variable
	Transform dist.Transform // Free: nil if the value is not transformed
	Shape     []int          // the variable's static shape
	Initval   *tensor.Array  // Free: user-given initial value in constrained space, or nil
	term      *tensor.Tensor // the log-density term (Free, Observed, Potential)
	jac       *tensor.Tensor // Free: the transform's log-Jacobian term, or nil
}

// ValueName is the name of the sampler's value variable: PyMC style, "sigma_log__" for a
// transformed variable, the variable's name otherwise.
func (rv *RV) ValueName() string {
	if rv.Value != nil {
		return rv.Value.Name()
	}
	return rv.Name
}

// Model holds named random variables, data and log-density terms. Variables are listed in the
// order they were added; names are unique.
type Model struct {
	vars   []*RV
	byName map[string]*RV
	// byValueName and byValue index the free variables by their value variable, so that adding
	// a variable checks names and inputs in constant time, not by scanning the model.
	byValueName map[string]*RV
	byValue     map[*tensor.Tensor]*RV
	bbs         []*blackBox
	// compiled is the last log-density Compile built with the Jacobians: checkInitial
	// evaluates it before compiling the model's terms one by one.
	compiled atomic.Pointer[compiledLogp]
	// version counts the changes to the model's variables (each add and each drop, as when a
	// notebook cell redefines a variable), so that a compiled log-density can tell it is stale.
	version uint64
}

// compiledLogp is a compiled log-density and the model's version when it was compiled (a model
// that has changed since has terms it lacks or no longer has).
type compiledLogp struct {
	ld      *LogDensity
	version uint64
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{byName: map[string]*RV{}, byValueName: map[string]*RV{}, byValue: map[*tensor.Tensor]*RV{}}
}

// Vars returns the model's variables in order.
func (m *Model) Vars() []*RV { return append([]*RV(nil), m.vars...) }

// FreeVars returns the free random variables in order (the sampler's coordinates).
func (m *Model) FreeVars() []*RV { return m.filter(Free) }

// ObservedVars returns the observed random variables in order.
func (m *Model) ObservedVars() []*RV { return m.filter(Observed) }

// Deterministics returns the deterministic variables in order.
func (m *Model) Deterministics() []*RV { return m.filter(Deterministic) }

func (m *Model) filter(k Kind) []*RV {
	var l []*RV
	for _, v := range m.vars {
		if v.Kind == k {
			l = append(l, v)
		}
	}
	return l
}

// Lookup returns the variable of that name, or nil.
func (m *Model) Lookup(name string) *RV { return m.byName[name] }

// Get returns the tensor of the named variable; it panics with *Error naming the known
// variables if there is none.
func (m *Model) Get(name string) *tensor.Tensor {
	rv := m.byName[name]
	if rv == nil {
		fail("Get", name, "no such variable (the model has: %s)", strings.Join(m.names(), ", "))
	}
	return rv.Tensor
}

func (m *Model) names() []string {
	var l []string
	for _, v := range m.vars {
		l = append(l, v.Name)
	}
	return l
}

func (m *Model) add(op string, rv *RV) {
	if rv.Name == "" {
		fail(op, "", "a variable needs a name")
	}
	checkName(op, rv.Name)
	if _, dup := m.byName[rv.Name]; dup {
		fail(op, rv.Name, "a variable of that name already exists (names must be unique)")
	}
	if v := m.byValueName[rv.Name]; v != nil {
		fail(op, rv.Name, "the name is taken by the value variable of %q", v.Name)
	}
	m.vars = append(m.vars, rv)
	m.byName[rv.Name] = rv
	m.version++
}

// setValue gives a free variable its value variable and indexes it.
func (m *Model) setValue(rv *RV, value *tensor.Tensor) {
	rv.Value = value
	if m.byValueName[value.Name()] == nil {
		m.byValueName[value.Name()] = rv
	}
	m.byValue[value] = rv
}

// badNameChars are the characters a variable's name may not hold: trace components ("beta[1]")
// and Stan CSV columns ("beta.2", comma-separated, quoted) are built from names with them.
const badNameChars = "[].,\"'"

func checkName(op, name string) {
	for _, r := range name {
		if strings.ContainsRune(badNameChars, r) || unicode.IsControl(r) || unicode.IsSpace(r) {
			fail(op, name, "the name contains %q, which breaks trace components and Stan CSV columns (names may not contain [ ] . , quotes or spaces; use _)", r)
		}
	}
}

// smallShapeBytes is the size below which a shape is not checked against the memory available.
const smallShapeBytes = 1 << 20

// checkShape refuses shapes with zero or negative dimensions, and shapes too large for memory.
func checkShape(op, name string, shape []int) {
	n := 1.0
	for i, d := range shape {
		if d <= 0 {
			fail(op, name, "dimension %d of the shape %v is %d, but must be at least 1", i, shape, d)
		}
		n *= float64(d)
	}
	// Reading /proc/meminfo costs more than building a variable: only shapes large enough to
	// matter are checked against the memory available.
	if 8*n < smallShapeBytes {
		return
	}
	if err := fitsInMemory(op, name, 8*n, fmt.Sprintf("the shape %s (%.0f elements)", tensor.ShapeString(shape), n)); err != nil {
		panic(err)
	}
}

// ownsSmall reports whether every input of ts is a value variable of m or shared, when their
// graph has at most ownsSmallMax nodes: a term of one variable is checked without the tables
// and slices that listing the inputs of a graph of any size costs. False means foreign has to
// look (a foreign input, or a larger graph).
func (m *Model) ownsSmall(ts []*tensor.Tensor) bool {
	var seen [ownsSmallMax]*tensor.Apply
	nseen := 0
	var stack [ownsSmallMax]*tensor.Tensor
	top := 0
	for _, t := range ts {
		if top == len(stack) {
			return false
		}
		stack[top] = t
		top++
	}
	for top > 0 {
		top--
		t := stack[top]
		if t.IsInput() {
			if m.byValue[t] == nil {
				return false
			}
			continue
		}
		n := t.Owner()
		if n == nil || slices.Contains(seen[:nseen], n) {
			continue // a constant or shared variable, or a node already looked at
		}
		if nseen == len(seen) || top+len(n.Inputs) > len(stack) {
			return false
		}
		seen[nseen] = n
		nseen++
		top += copy(stack[top:], n.Inputs)
	}
	return true
}

// ownsSmallMax is the largest graph ownsSmall looks at.
const ownsSmallMax = 32

// foreign returns the first input of ts that is not a value variable of m (a variable of another
// model, or a symbolic input that no model owns), or nil. Shared variables (data) are allowed.
func (m *Model) foreign(ts ...*tensor.Tensor) *tensor.Tensor {
	if m.ownsSmall(ts) {
		return nil
	}
	for _, in := range tensor.Inputs(ts...) {
		if in.IsShared() {
			continue
		}
		if m.byValue[in] == nil {
			return in
		}
	}
	return nil
}

// checkForeign panics with *Error naming the variable being added and the input of another model
// it depends on.
func (m *Model) checkForeign(op, name, what string, ts ...*tensor.Tensor) {
	if in := m.foreign(ts...); in != nil {
		failForeign(op, name, what, in)
	}
}

func failForeign(op, name, what string, in *tensor.Tensor) {
	fail(op, name, "%s depends on %q, which is not a variable of this model (a variable of another model, or a symbolic input); build it in this model", what, in.Name())
}

// VarOption configures Var.
type VarOption func(*varConfig)

type varConfig struct {
	shape     []int
	hasShape  bool
	initval   any
	transform dist.Transform
	noTrans   bool
	hasTrans  bool
}

// configure applies opts to a new configuration: on the heap only when there are options, so
// that a model of many scalars builds each without it.
func configure(opts []VarOption) varConfig {
	if len(opts) == 0 {
		return varConfig{}
	}
	c := new(varConfig)
	for _, o := range opts {
		o(c)
	}
	return *c
}

// Shape gives a variable's shape; the distribution's parameters must broadcast to it.
func Shape(dims ...int) VarOption {
	return func(c *varConfig) { c.shape, c.hasShape = append([]int{}, dims...), true }
}

// Initval sets a free variable's initial value (in its own, constrained space).
func Initval(v any) VarOption { return func(c *varConfig) { c.initval = v } }

// WithTransform replaces a free variable's default transform.
func WithTransform(t dist.Transform) VarOption {
	return func(c *varConfig) { c.transform, c.hasTrans = t, true }
}

// NoTransform samples a free variable in its own space (the sampler must then stay inside the
// support by itself).
func NoTransform() VarOption { return func(c *varConfig) { c.noTrans = true } }

// Var adds a free random variable with distribution d and returns the tensor of its value, to
// build other variables' parameters and expressions with. A transformed variable gets a value
// variable in unconstrained space named PyMC style ("sigma_log__"). Mistakes (a duplicate name,
// invalid constant parameters, shapes that do not broadcast) panic with *Error naming the
// variable.
func (m *Model) Var(name string, d dist.Dist, opts ...VarOption) *tensor.Tensor {
	if d == nil {
		fail("Var", name, "the distribution is nil")
	}
	if err := d.Err(); err != nil {
		fail("Var", name, "%v", err)
	}
	c := configure(opts)
	checkName("Var", name)
	shape := d.Shape()
	if c.hasShape {
		checkShape("Var", name, c.shape)
		if err := broadcastsTo(d.Shape(), c.shape); err != nil {
			fail("Var", name, "the distribution's shape %s does not fit the variable's shape %s: %v",
				tensor.ShapeString(d.Shape()), tensor.ShapeString(c.shape), err)
		}
		shape = c.shape
	}
	for _, s := range shape {
		if s < 0 {
			fail("Var", name, "the shape %s has an unknown dimension; give the shape with pm.Shape", tensor.ShapeString(shape))
		}
	}
	checkShape("Var", name, shape)
	rv := &RV{Name: name, Kind: Free, Dist: d, Shape: append([]int{}, shape...)}
	tr := d.DefaultTransform()
	if c.hasTrans {
		tr = c.transform
	}
	if c.noTrans {
		tr = nil
	}
	if d.DType() != tensor.Float64 {
		tr = nil
	}
	rv.Transform = tr
	m.add("Var", rv)
	if tr != nil {
		m.setValue(rv, tensor.NewVar(fmt.Sprintf("%s_%s__", name, tr.Name()), tensor.Float64, tr.UnconstrainedShape(shape)...))
		x := tr.Backward(rv.Value)
		if x.Name() != "" {
			x = tensor.Add(x, 0.0)
		}
		rv.Tensor = x.Named(name)
	} else {
		m.setValue(rv, tensor.NewVar(name, d.DType(), shape...))
		rv.Tensor = rv.Value
	}
	if c.initval != nil {
		a, err := tensor.AsArray(c.initval)
		if err != nil {
			m.drop(rv)
			fail("Var", name, "initial value: %v", err)
		}
		if a.Size() == 1 && sizeOf(shape) != 1 {
			b := tensor.NewArray(tensor.Float64, shape...)
			for i := range b.Data {
				b.Data[i] = a.Data[0]
			}
			a = b
		}
		if a.Size() != sizeOf(shape) {
			m.drop(rv)
			fail("Var", name, "initial value has shape %s but the variable has shape %s", tensor.ShapeString(a.Shape), tensor.ShapeString(shape))
		}
		if i := d.Support().Contains(a); i >= 0 {
			m.drop(rv)
			fail("Var", name, "initial value %v (index %d) is outside the support (%s)", a.Data[i], i, d.Support())
		}
		rv.Initval = &tensor.Array{DType: tensor.Float64, Shape: append([]int{}, shape...), Data: a.Floats()}
	}
	if err := tensor.Catch(func() {
		rv.term = sumTerm(d.Logp(rv.Tensor))
		if tr != nil {
			rv.jac = sumTerm(tr.LogJacDet(rv.Value))
		}
	}); err != nil {
		m.drop(rv)
		fail("Var", name, "%v", err)
	}
	if in := m.foreign(rv.term); in != nil {
		m.drop(rv)
		failForeign("Var", name, "its distribution", in)
	}
	return rv.Tensor
}

func (m *Model) drop(rv *RV) {
	m.version++
	delete(m.byName, rv.Name)
	if rv.Value != nil {
		if m.byValueName[rv.Value.Name()] == rv {
			delete(m.byValueName, rv.Value.Name())
		}
		delete(m.byValue, rv.Value)
	}
	for i, v := range m.vars {
		if v == rv {
			m.vars = append(m.vars[:i], m.vars[i+1:]...)
			return
		}
	}
}

// Observe adds an observed random variable: distribution d with data (a Go value, a constant
// tensor, or a data container from m.Data). It returns the data tensor. Data with NaN or values
// outside the support, and shapes that do not broadcast, panic with *Error naming the variable
// and the index.
func (m *Model) Observe(name string, d dist.Dist, data any) *tensor.Tensor {
	if d == nil {
		fail("Observe", name, "the distribution is nil")
	}
	if err := d.Err(); err != nil {
		fail("Observe", name, "%v", err)
	}
	if data == nil {
		fail("Observe", name, "the observed data is nil")
	}
	var obs *tensor.Tensor
	var values *tensor.Array
	switch v := data.(type) {
	case *tensor.Tensor:
		switch {
		case v.IsConstant():
			values = v.Value()
		case v.IsShared():
			values = tensor.SharedValue(v)
		case constantExpr(v):
			// An expression of constants only (tensor.Log(earn)): compute it once.
			vals, err := tensor.Eval(v)
			if err != nil {
				fail("Observe", name, "computing the observed data: %v", err)
			}
			values = vals[0]
			v = tensor.Const(values)
		default:
			fail("Observe", name, "observed data must be values, an expression of constants or a data container (m.Data), not the expression %s, which depends on model variables", tensor.PP(v))
		}
		obs = v
	default:
		a, err := tensor.AsArray(data)
		if err != nil {
			fail("Observe", name, "%v", err)
		}
		values = a
		obs = tensor.Const(a)
	}
	if values.Size() == 0 {
		fail("Observe", name, "the observed data are empty (shape %s)", tensor.ShapeString(values.Shape))
	}
	for i, x := range values.Data {
		if math.IsNaN(x) {
			fail("Observe", name, "the data contain NaN at index %d (missing values are not supported; drop them)", i)
		}
		if math.IsInf(x, 0) {
			fail("Observe", name, "the data contain %v at index %d (data must be finite)", x, i)
		}
	}
	if i := d.Support().Contains(values); i >= 0 {
		fail("Observe", name, "the data value %v at index %d is outside the support of %s (%s)", values.Data[i], i, d.Name(), d.Support())
	}
	if err := broadcastsTo(d.Shape(), obs.Shape()); err != nil {
		fail("Observe", name, "the distribution's shape %s does not fit the data's shape %s: %v",
			tensor.ShapeString(d.Shape()), tensor.ShapeString(obs.Shape()), err)
	}
	rv := &RV{Name: name, Kind: Observed, Dist: d, Tensor: obs, Shape: append([]int{}, obs.Shape()...)}
	checkName("Observe", name)
	m.checkForeign("Observe", name, "its distribution", d.Logp(obs))
	m.add("Observe", rv)
	if err := tensor.Catch(func() { rv.term = sumTerm(d.Logp(obs)) }); err != nil {
		m.drop(rv)
		fail("Observe", name, "%v", err)
	}
	return obs
}

// Deterministic records a function of other variables under a name, so that the trace keeps
// its value at every draw. It returns the expression.
func (m *Model) Deterministic(name string, expr any) *tensor.Tensor {
	t := m.asExpr("Deterministic", name, expr)
	m.checkForeign("Deterministic", name, "the expression", t)
	if t.Name() != "" {
		t = tensor.Add(t, 0.0)
	}
	t.Named(name)
	m.add("Deterministic", &RV{Name: name, Kind: Deterministic, Tensor: t, Shape: append([]int{}, t.Shape()...)})
	return t
}

// Potential adds an extra term to the model's log-density (its sum, if not scalar), e.g. a
// soft constraint or a likelihood written by hand. It returns the term.
func (m *Model) Potential(name string, expr any) *tensor.Tensor {
	t := m.asExpr("Potential", name, expr)
	m.checkForeign("Potential", name, "the expression", t)
	if !t.DType().IsFloat() {
		t = tensor.Cast(t, tensor.Float64)
	}
	rv := &RV{Name: name, Kind: Potential, Tensor: t, Shape: append([]int{}, t.Shape()...)}
	m.add("Potential", rv)
	rv.term = tensor.Sum(t)
	return t
}

// sumTerm is the sum of a log-density's elements: a float64 scalar is its own sum, and a model
// of many scalar variables makes no sum node (and no gradient of one) per variable.
func sumTerm(t *tensor.Tensor) *tensor.Tensor {
	if t.NDim() == 0 && t.DType() == tensor.Float64 {
		return t
	}
	return tensor.Sum(t)
}

func (m *Model) asExpr(op, name string, expr any) (t *tensor.Tensor) {
	if expr == nil {
		fail(op, name, "the expression is nil")
	}
	if err := tensor.Catch(func() { t = tensor.As(expr) }); err != nil {
		fail(op, name, "%v", err)
	}
	return t
}

// Data adds a data container: a named tensor whose values can be replaced later with SetData
// (for example new predictors for out-of-sample prediction). Its dimensions may change length.
func (m *Model) Data(name string, values any) *tensor.Tensor {
	a, err := tensor.AsArray(values)
	if err != nil {
		fail("Data", name, "%v", err)
	}
	shape := make([]int, len(a.Shape))
	for i := range shape {
		shape[i] = tensor.Unknown
	}
	t := tensor.SharedVar(name, a, shape...)
	m.add("Data", &RV{Name: name, Kind: Data, Tensor: t, Shape: append([]int{}, a.Shape...)})
	return t
}

// SetData replaces the values of a data container; the number of dimensions must stay. New
// values the model cannot take (a length that no longer fits another variable's shape) are
// refused here, naming the shape and what it does not fit, and the old values stay; a length that
// only the observed data do not match is allowed, for out-of-sample prediction.
func (m *Model) SetData(name string, values any) error {
	rv := m.byName[name]
	if rv == nil || rv.Kind != Data {
		return &Error{Op: "SetData", Var: name, Msg: "no data container of that name"}
	}
	old := tensor.SharedValue(rv.Tensor)
	if err := rv.Tensor.Set(values); err != nil {
		return &Error{Op: "SetData", Var: name, Msg: err.Error()}
	}
	shape := tensor.SharedValue(rv.Tensor).Shape
	if sizeOf(shape) == 0 {
		rv.Tensor.Set(old)
		return &Error{Op: "SetData", Var: name, Msg: fmt.Sprintf("the new values are empty (shape %s)", tensor.ShapeString(shape))}
	}
	// The model's forward pass (what prior and posterior predictive sampling compute) must
	// still work; if it did not work before either, the new values are not to blame.
	if _, err := SamplePriorPredictive(m, 1, 0); err != nil {
		if e, ok := err.(*Error); ok && e.Var == "" {
			err = errors.New(e.Msg)
		}
		rv.Tensor.Set(old)
		if _, errOld := SamplePriorPredictive(m, 1, 0); errOld == nil {
			return &Error{Op: "SetData", Var: name, Msg: fmt.Sprintf("the model cannot take values of shape %s (it had %s): %v",
				tensor.ShapeString(shape), tensor.ShapeString(old.Shape), err)}
		}
		rv.Tensor.Set(values)
	}
	rv.Shape = append([]int{}, shape...)
	return nil
}

// broadcastsTo reports whether shape src broadcasts to dst (right-aligned, 1s stretch; unknown
// dimensions are accepted).
func broadcastsTo(src, dst []int) error {
	if len(src) > len(dst) {
		return fmt.Errorf("%d dimensions cannot broadcast to %d", len(src), len(dst))
	}
	off := len(dst) - len(src)
	for i, d := range src {
		e := dst[off+i]
		if d == 1 || d == e || d < 0 || e < 0 {
			continue
		}
		return fmt.Errorf("dimension %d is %d but must be %d or 1", i, d, e)
	}
	return nil
}

func sizeOf(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// String lists the model's variables PyMC style, one per line: name ~ Distribution.
func (m *Model) String() string {
	var b strings.Builder
	w := 0
	for _, v := range m.vars {
		if len(v.Name) > w {
			w = len(v.Name)
		}
	}
	for _, v := range m.vars {
		fmt.Fprintf(&b, "%*s ", w, v.Name)
		switch v.Kind {
		case Free, Observed:
			fmt.Fprintf(&b, "~ %s", v.Dist.Name())
			if v.Kind == Observed {
				b.WriteString(" (observed)")
			}
		case Deterministic:
			fmt.Fprintf(&b, "= %s", tensor.PP(v.Tensor.Owner().Outputs[0]))
		case Potential:
			b.WriteString("~ Potential")
		case Data:
			fmt.Fprintf(&b, "= Data%s", tensor.ShapeString(v.Shape))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// sortedKeys returns a map's keys sorted, for stable printing.
func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// constantExpr reports whether t depends on nothing but constants (no inputs, no shared
// variables, no random draws).
func constantExpr(t *tensor.Tensor) bool {
	if len(tensor.Inputs(t)) > 0 {
		return false
	}
	for _, n := range tensor.Toposort(t) {
		if s, ok := n.Op.(tensor.Stateful); ok && s.Stateful() {
			return false
		}
		for _, in := range n.Inputs {
			if in.IsShared() {
				return false
			}
		}
	}
	return true
}
