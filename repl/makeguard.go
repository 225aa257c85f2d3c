package repl

import (
	"bufio"
	"fmt"
	"go/ast"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// guardMakes rewrites the sizes of make calls so that each is checked
// before the allocation,
//
//	make([]float64, n)   ->   make([]float64, __pmrepl.MakeSize(int(n), *new([]float64)))
//
// A request for more memory than the system has makes Go's runtime end
// the process ("fatal error: out of memory"), which no recover catches:
// the session, and the kernel with it, would be gone. MakeSize panics
// instead, as a runtime error the cell reports.
func guardMakes(root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "make" {
			return true
		}
		p := call.Args[1].Pos()
		typ := call.Args[0]
		for i := 1; i < len(call.Args); i++ {
			size := call.Args[i]
			call.Args[i] = &ast.CallExpr{
				Fun:    &ast.SelectorExpr{X: &ast.Ident{NamePos: p, Name: captureName}, Sel: &ast.Ident{NamePos: p, Name: "MakeSize"}},
				Lparen: size.Pos(),
				Args: []ast.Expr{
					&ast.CallExpr{Fun: &ast.Ident{NamePos: p, Name: "int"}, Lparen: size.Pos(), Args: []ast.Expr{size}, Rparen: size.End()},
					&ast.StarExpr{Star: p, X: &ast.CallExpr{Fun: &ast.Ident{NamePos: p, Name: "new"}, Lparen: p, Args: []ast.Expr{typ}, Rparen: p}},
				},
				Rparen: size.End(),
			}
		}
		return true
	})
}

// makeSize returns n, the length or capacity given to make for a value
// like zero (a slice, map or channel), after checking that so many
// elements fit in the memory the system has. It panics with a runtime
// error naming the type, the size and the memory otherwise.
func makeSize(n int, zero any) int {
	if n < 0 {
		panic(runtimeError("makeslice: len out of range (" + strconv.Itoa(n) + " is negative)"))
	}
	t := reflect.TypeOf(zero)
	if t == nil {
		return n
	}
	var elem uintptr
	switch t.Kind() {
	case reflect.Slice, reflect.Chan:
		elem = t.Elem().Size()
	case reflect.Map:
		elem = t.Key().Size() + t.Elem().Size()
	default:
		return n
	}
	need := float64(n) * float64(max(elem, 1))
	if need < 1<<28 { // 256 MB: not worth reading /proc
		return n
	}
	if avail, ok := memAvailable(); ok && need > float64(avail) {
		panic(runtimeError(fmt.Sprintf("make(%s, %d) needs %s, more than the %s of memory available",
			t, n, byteSize(need), byteSize(float64(avail)))))
	}
	return n
}

// runtimeError is a panic value that reads like Go's runtime errors.
type runtimeError string

func (e runtimeError) Error() string { return "runtime error: " + string(e) }

// RuntimeError marks it as a runtime error, as Go's are.
func (e runtimeError) RuntimeError() {}

// memAvailable is Linux's MemAvailable, and false where it is not known.
func memAvailable() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fs[1], 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// byteSize writes b bytes with a decimal unit (8.8 TB).
func byteSize(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i]
}
