package tensor

import "fmt"

// sharedState is the storage behind a shared variable: one value that every compiled function
// using the variable reads, and that updates replace after a call.
type sharedState struct {
	value   *Array
	version int // bumped when Set changes the shape, so compiled functions re-plan
}

// Shared makes a shared variable holding a copy of value (Theano's shared): a tensor whose value
// lives outside any one function call, read by every function that uses it, and changed by
// Set or by a function's Updates. Its type is fixed by the initial value.
func Shared(name string, value any) *Tensor {
	a, err := AsArray(value)
	if err != nil {
		panic(&Error{Op: "shared", Msg: fmt.Sprintf("shared variable %q: %v", name, err)})
	}
	a = a.Clone()
	return &Tensor{typ: Type{DType: a.DType, Shape: cloneInts(a.Shape)}, name: name, shared: &sharedState{value: a}}
}

// Get returns a copy of a shared variable's current value (nil for other tensors).
func (t *Tensor) Get() *Array {
	if t.shared == nil {
		return nil
	}
	return t.shared.value.Clone()
}

// Set replaces a shared variable's value. The new value must have the variable's dtype and
// number of dimensions; it may change the length of a dimension only if that dimension is
// Unknown in its type (see SharedVar).
func (t *Tensor) Set(value any) error {
	if t.shared == nil {
		return fmt.Errorf("tensor: Set: %s is not a shared variable", t.label())
	}
	a, err := checkValue(t.label(), t.typ, value)
	if err != nil {
		return err
	}
	a = a.Clone()
	a.DType = t.typ.DType
	if !sameShape(a.Shape, t.shared.value.Shape) {
		t.shared.version++
	}
	t.shared.value = a
	return nil
}

// SharedVar makes a shared variable whose shape may change later through Set: dimensions given
// as Unknown in shape are free; the others must match value. It is what data containers use.
func SharedVar(name string, value any, shape ...int) *Tensor {
	t := Shared(name, value)
	if len(shape) != t.NDim() {
		panic(errorf("shared", "shared variable %q: shape %s has %d dimensions but the value has %d",
			name, ShapeString(shape), len(shape), t.NDim()))
	}
	for i, d := range shape {
		if d >= 0 && d != t.typ.Shape[i] {
			panic(errorf("shared", "shared variable %q: shape %s does not match the value's shape %s",
				name, ShapeString(shape), ShapeString(t.typ.Shape)))
		}
	}
	t.typ.Shape = cloneInts(shape)
	return t
}

// SharedValue returns the array a compiled program binds for a shared variable (the live value,
// not a copy); backends use it. It is nil for other tensors.
func SharedValue(t *Tensor) *Array {
	if t.shared == nil {
		return nil
	}
	return t.shared.value
}

// SharedVersion changes whenever a shared variable's value changes shape.
func SharedVersion(t *Tensor) int {
	if t.shared == nil {
		return 0
	}
	return t.shared.version
}

// setSharedValue replaces the live array (used when applying updates whose shape differs).
func setSharedValue(t *Tensor, a *Array) {
	if !sameShape(a.Shape, t.shared.value.Shape) {
		t.shared.version++
	}
	t.shared.value = a
}
