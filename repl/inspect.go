package repl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gopm-dev/gopm/repl/symbols"
)

// Doc is the documentation of a symbol.
type Doc struct {
	Name      string // as written: "pm.Sample", "m.Sample", "x"
	Signature string // the declaration (functions without body)
	Doc       string // the doc comment, or a value's text
}

// String formats the doc for a terminal.
func (d Doc) String() string {
	s := d.Signature
	if d.Doc != "" {
		if s != "" {
			s += "\n\n"
		}
		s += strings.TrimRight(d.Doc, "\n")
	}
	return s
}

type docEntry struct {
	Sig string `json:"sig"`
	Doc string `json:"doc"`
}

// docTable decodes the generated documentation once, on first use, so
// that start-up does not pay for it.
var docTable = sync.OnceValue(func() map[string]docEntry {
	m := map[string]docEntry{}
	_ = json.Unmarshal([]byte(symbols.Docs), &m)
	return m
})

// Inspect returns the documentation of the symbol at cursor in code: a
// package member (pm.Sample, fmt.Println, mat.Dense.At), a method or field
// of a variable's value (m.Sample), or a variable or function of the
// session. Package documentation comes from the table generated with the
// symbols (docs.json, so no Go source is needed at run time); for standard
// packages outside that table the source in GOROOT is read when present.
func (e *Engine) Inspect(code string, cursor int) (Doc, bool) {
	if cursor < 0 || cursor > len(code) {
		cursor = len(code)
	}
	end := cursor
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	start := identBefore(code, end)
	if start == end {
		return Doc{}, false
	}
	chain := code[start:end]
	if start > 0 && code[start-1] == '.' {
		if c := selectorChain(code, start-1); c != "" {
			chain = c + "." + chain
		} else {
			return Doc{}, false
		}
	}
	if !e.mu.TryLock() {
		return e.inspectPackage(chain, nil)
	}
	defer e.mu.Unlock()
	return e.inspectPackage(chain, e.imports)
}

func (e *Engine) inspectPackage(chain string, imports map[string]string) (Doc, bool) {
	parts := strings.Split(chain, ".")
	path, ok := imports[parts[0]]
	if !ok && !strings.Contains(parts[0], "_") {
		// A standard package not imported yet, named as its path (strings,
		// sort): documentation does not need the import.
		if _, known := e.pkgNames[parts[0]]; known && e.pkgNames[parts[0]] == parts[0] {
			path, ok = parts[0], true
		}
	}
	if ok {
		key := path
		if len(parts) > 1 {
			key += "." + strings.Join(parts[1:], ".")
		}
		if d, ok := lookupDoc(path, key); ok {
			d.Name = chain
			return d, true
		}
		if len(parts) == 2 {
			// pm.Sample for the method Model.Sample: the name users
			// know from PyMC's pm.sample.
			if d, ok := methodDocs(path, parts[1]); ok {
				d.Name = chain
				return d, true
			}
		}
		return Doc{}, false
	}
	if imports == nil {
		return Doc{}, false
	}
	if d, ok := e.decls[chain]; ok {
		return d, true
	}
	// A variable, or a field or method of one.
	if len(parts) == 1 {
		v, ok := e.evalChain(chain)
		if !ok {
			return Doc{}, false
		}
		d := Doc{Name: chain, Signature: fmt.Sprintf("var %s %s", chain, v.Type())}
		if td, ok := typeDoc(v.Type()); ok {
			d.Doc = td.Doc
		}
		return d, true
	}
	v, ok := e.evalChain(strings.Join(parts[:len(parts)-1], "."))
	if !ok {
		return Doc{}, false
	}
	last := parts[len(parts)-1]
	t := v.Type()
	for _, tt := range []reflect.Type{t, reflect.PointerTo(t)} {
		named := tt
		if named.Kind() == reflect.Pointer {
			named = named.Elem()
		}
		if named.Name() == "" || named.PkgPath() == "" {
			continue
		}
		if d, ok := lookupDoc(named.PkgPath(), named.PkgPath()+"."+named.Name()+"."+last); ok {
			d.Name = chain
			return d, true
		}
		if m, ok := tt.MethodByName(last); ok {
			return Doc{Name: chain, Signature: fmt.Sprintf("func (%s) %s%s", tt, last, strings.TrimPrefix(m.Type.String(), "func"))}, true
		}
	}
	base := t
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	if base.Kind() == reflect.Struct {
		if f, ok := base.FieldByName(last); ok {
			return Doc{Name: chain, Signature: fmt.Sprintf("field %s %s", last, f.Type)}, true
		}
	}
	return Doc{}, false
}

// typeDoc finds the documentation of a named compiled type.
func typeDoc(t reflect.Type) (Doc, bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" || t.PkgPath() == "" {
		return Doc{}, false
	}
	return lookupDoc(t.PkgPath(), t.PkgPath()+"."+t.Name())
}

// lookupDoc reads the generated table, then GOROOT for standard packages.
func lookupDoc(path, key string) (Doc, bool) {
	if d, ok := docTable()[key]; ok {
		return Doc{Signature: d.Sig, Doc: d.Doc}, true
	}
	if strings.Contains(path, ".") {
		return Doc{}, false
	}
	d, ok := gorootDocs(path)[key]
	if !ok {
		return Doc{}, false
	}
	return Doc{Signature: d.Sig, Doc: d.Doc}, true
}

// gorootDocs documents a standard package from its source, if the Go
// source tree is installed. The result is not cached: inspection is rare
// and a package parses in milliseconds.
func gorootDocs(path string) map[string]docEntry {
	out := map[string]docEntry{}
	pkg, err := build.Default.Import(path, "", 0)
	if err != nil || !pkg.Goroot {
		return out
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.ParseComments)
		if err != nil {
			return out
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		return out
	}
	add := func(key string, node ast.Node, text string) {
		out[path+"."+key] = docEntry{Sig: printDecl(fset, node), Doc: text}
	}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			for _, n := range v.Names {
				add(n, v.Decl, v.Doc)
			}
		}
	}
	funcs := func(prefix string, fs []*doc.Func) {
		for _, f := range fs {
			add(prefix+f.Name, f.Decl, f.Doc)
		}
	}
	out[path] = docEntry{Sig: "package " + p.Name, Doc: p.Doc}
	values(p.Consts)
	values(p.Vars)
	funcs("", p.Funcs)
	for _, t := range p.Types {
		add(t.Name, t.Decl, t.Doc)
		values(t.Consts)
		values(t.Vars)
		funcs("", t.Funcs)
		funcs(t.Name+".", t.Methods)
	}
	return out
}

// printDecl prints a declaration without function body or doc comment.
func printDecl(fset *token.FileSet, node ast.Node) string {
	switch n := node.(type) {
	case *ast.FuncDecl:
		c := *n
		c.Body, c.Doc = nil, nil
		node = &c
	case *ast.GenDecl:
		c := *n
		c.Doc = nil
		node = &c
	}
	var b bytes.Buffer
	if err := (&printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 4}).Fprint(&b, fset, node); err != nil {
		return ""
	}
	return b.String()
}

// methodDocs documents the methods called name of the types of package
// path, one after the other.
func methodDocs(path, name string) (Doc, bool) {
	var keys []string
	for k := range docTable() {
		rest, ok := strings.CutPrefix(k, path+".")
		if !ok {
			continue
		}
		if typ, m, ok := strings.Cut(rest, "."); ok && m == name && !strings.Contains(typ, "/") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return Doc{}, false
	}
	sort.Strings(keys)
	var d Doc
	for i, k := range keys {
		e := docTable()[k]
		if i > 0 {
			d.Doc += "\n\n"
		}
		if i == 0 {
			d.Signature = e.Sig
			d.Doc += e.Doc
			continue
		}
		d.Doc += e.Sig + "\n\n" + e.Doc
	}
	return d, true
}

// Suggest returns the names nearest to a misspelt one: for "pm.Sumary",
// members of the package imported as pm ("pm.Summary"); for a plain name,
// the session's variables, functions and packages. Nearest means the
// fewest single-letter edits (at most a third of the name's length, and at
// least 1), ties in alphabetical order; at most five are returned.
func (e *Engine) Suggest(name string) []string {
	if !e.mu.TryLock() {
		return nil
	}
	defer e.mu.Unlock()
	return e.suggest(name)
}

func (e *Engine) suggest(name string) []string {
	var cands []string
	prefix := ""
	word := name
	if pkg, member, ok := strings.Cut(name, "."); ok {
		path, known := e.imports[pkg]
		if !known {
			return nil
		}
		prefix, word = pkg+".", member
		for m := range e.exports[path+"/"+e.pkgNames[path]] {
			if !strings.HasPrefix(m, "_") {
				cands = append(cands, m)
			}
		}
		for k := range docTable() {
			if rest, ok := strings.CutPrefix(k, path+"."); ok {
				if _, m, ok := strings.Cut(rest, "."); ok && !strings.Contains(rest, "/") {
					cands = append(cands, m) // methods: pm.Sample for Model.Sample
				}
			}
		}
	} else {
		for n := range e.names {
			cands = append(cands, n)
		}
		for n := range e.imports {
			cands = append(cands, n)
		}
		cands = append(cands, predeclared...)
	}
	return nearest(word, cands, prefix)
}

// nearest ranks candidates by edit distance to word.
func nearest(word string, cands []string, prefix string) []string {
	limit := len(word) / 3
	if limit < 1 {
		limit = 1
	}
	type scored struct {
		name string
		d    int
	}
	seen := map[string]bool{}
	var best []scored
	for _, c := range cands {
		if seen[c] || c == word {
			continue
		}
		seen[c] = true
		d := editDistance(strings.ToLower(word), strings.ToLower(c))
		if d <= limit {
			best = append(best, scored{c, d})
		}
	}
	sort.Slice(best, func(i, j int) bool {
		if best[i].d != best[j].d {
			return best[i].d < best[j].d
		}
		return best[i].name < best[j].name
	})
	var out []string
	for i := 0; i < len(best) && i < 5; i++ {
		out = append(out, prefix+best[i].name)
	}
	return out
}

// editDistance is the optimal string alignment distance (insertions,
// deletions, substitutions and swaps of neighbours) between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
