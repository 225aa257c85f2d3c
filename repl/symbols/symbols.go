// Package symbols holds the yaegi symbol tables of the compiled packages the
// gopm interpreter preloads, a list of those packages (Packages) and a table
// of their documentation (Docs) used by the engine's inspection.
//
// Everything here except this file is generated from packages.txt by
// `go generate ./repl/...`, which runs ./gen: it skips packages that do not
// exist or build yet, runs `yaegi extract` on the others and writes
// zz_packages.go and docs.json.
//
//go:generate go run ./gen
package symbols

import (
	_ "embed"
	"reflect"
)

// Symbols maps "importpath/name" to the exported symbols of a package, as
// yaegi's interp.Use expects. The generated files fill it in their init.
var Symbols = map[string]map[string]reflect.Value{}

// Package describes one preloaded package.
type Package struct {
	Path   string // import path
	Name   string // package name, the identifier cells use
	Auto   bool   // imported in every session without an import line
	Stdlib bool   // symbols come from yaegi's stdlib table
}

// Docs is a JSON object mapping "importpath.Name" and
// "importpath.Type.Method" to {"sig": signature, "doc": doc comment}, for
// every exported symbol of the listed packages.
//
//go:embed docs.json
var Docs string
