package display

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type htmlV struct{}

func (htmlV) HTML() string { return "<i>x</i>" }

type mdV struct{}

func (mdV) Markdown() string { return "**m**" }

type latexV struct{}

func (latexV) Latex() string { return `$\alpha$` }

type jsV struct{}

func (jsV) JavaScript() string { return "alert(1)" }

type jsonV struct{}

func (jsonV) JSON() map[string]any { return map[string]any{"a": 1} }

type pngV struct{}

func (pngV) PNG() []byte { return []byte{1, 2} }

type jpegV struct{}

func (jpegV) JPEG() []byte { return []byte{3} }

type pdfV struct{}

func (pdfV) PDF() []byte { return []byte{4} }

type svgV struct{}

func (svgV) SVG() string { return "<svg/>" }

// both renders itself and adds HTML; its String is the text fallback.
type both struct{}

func (both) Render() Data {
	return Data{Data: MIMEMap{MIMETypeMarkdown: "r"}, Metadata: MIMEMap{"k": "v"}}
}
func (both) HTML() string   { return "<p>h</p>" }
func (both) String() string { return "both!" }

type simple struct{}

func (simple) SimpleRender() MIMEMap { return MIMEMap{MIMETypeSVG: "<svg id=s/>"} }

func TestRender(t *testing.T) {
	tests := []struct {
		v        any
		mime     string
		want     any
		wantText string
	}{
		{htmlV{}, MIMETypeHTML, "<i>x</i>", "x"},
		{mdV{}, MIMETypeMarkdown, "**m**", "**m**"},
		{latexV{}, MIMETypeLatex, `$\alpha$`, `$\alpha$`},
		{jsV{}, MIMETypeJavaScript, "alert(1)", "alert(1)"},
		{jsonV{}, MIMETypeJSON, map[string]any{"a": 1}, "{\n  \"a\": 1\n}"},
		{pngV{}, MIMETypePNG, []byte{1, 2}, "<image/png, 2 bytes>"},
		{jpegV{}, MIMETypeJPEG, []byte{3}, "<image/jpeg, 1 bytes>"},
		{pdfV{}, MIMETypePDF, []byte{4}, "<application/pdf, 1 bytes>"},
		{svgV{}, MIMETypeSVG, "<svg/>", "<svg/>"},
		{simple{}, MIMETypeSVG, "<svg id=s/>", "<svg id=s/>"},
		{both{}, MIMETypeHTML, "<p>h</p>", "both!"},
		{both{}, MIMETypeMarkdown, "r", "both!"},
		{HTML("<b>t</b>"), MIMETypeHTML, "<b>t</b>", "t"},
	}
	for _, tt := range tests {
		d, ok := Render(tt.v)
		if !ok {
			t.Errorf("Render(%T) not renderable", tt.v)
			continue
		}
		if !reflect.DeepEqual(d.Data[tt.mime], tt.want) {
			t.Errorf("Render(%T)[%s] = %#v, want %#v", tt.v, tt.mime, d.Data[tt.mime], tt.want)
		}
		if d.Data[MIMETypeText] != tt.wantText {
			t.Errorf("Render(%T) text = %q, want %q", tt.v, d.Data[MIMETypeText], tt.wantText)
		}
	}
	if d, _ := Render(both{}); d.Metadata["k"] != "v" {
		t.Errorf("Renderer metadata lost: %v", d.Metadata)
	}
	for _, v := range []any{nil, 3, "s", struct{}{}} {
		if _, ok := Render(v); ok {
			t.Errorf("Render(%#v) claims renderable", v)
		}
	}
	// Render copies a Data: changing the result leaves the input alone.
	in := HTML("a")
	out, _ := Render(in)
	out.Data["extra"] = 1
	if _, ok := in.Data["extra"]; ok {
		t.Error("Render aliased its input's map")
	}
}

func TestImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 7, 2))
	d := Image(img)
	got, err := png.Decode(bytes.NewReader(d.Data[MIMETypePNG].([]byte)))
	if err != nil || got.Bounds() != img.Bounds() {
		t.Fatalf("decoded %v, %v", got, err)
	}
	if md := d.Metadata[MIMETypePNG].(MIMEMap); md["width"] != 7 || md["height"] != 2 {
		t.Errorf("metadata %v", md)
	}
}

func TestMakers(t *testing.T) {
	if d := Math("x^2"); d.Data[MIMETypeLatex] != "$$x^2$$" || d.Data[MIMETypeText] != "x^2" {
		t.Errorf("Math = %v", d.Data)
	}
	if d := Latex("$y$"); d.Data[MIMETypeLatex] != "$y$" {
		t.Errorf("Latex = %v", d.Data)
	}
	if d := MakeData3("text/csv", "plain", "a,b"); d.Data["text/csv"] != "a,b" || d.Data[MIMETypeText] != "plain" {
		t.Errorf("MakeData3 = %v", d.Data)
	}
	if d := MIME(MIMEMap{"a/b": 1}, MIMEMap{"m": 2}); d.Data["a/b"] != 1 || d.Metadata["m"] != 2 {
		t.Errorf("MIME = %v", d)
	}
	// Any sniffs the type of bytes.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	if d := Auto(buf.Bytes()); d.Data[MIMETypePNG] == nil {
		t.Errorf("Auto(png bytes) = %v", d.Data)
	}
	if d := Any(MIMETypeMarkdown, strings.NewReader("# r")); string(d.Data[MIMETypeMarkdown].([]byte)) != "# r" {
		t.Errorf("Any(reader) = %v", d.Data)
	}
	path := filepath.Join(t.TempDir(), "f.svg")
	os.WriteFile(path, []byte("<svg/>"), 0o644)
	if d := File(MIMETypeSVG, path); string(d.Data[MIMETypeSVG].([]byte)) != "<svg/>" {
		t.Errorf("File = %v", d.Data)
	}
}

func TestFailuresPanicWithDisplayErrors(t *testing.T) {
	for name, f := range map[string]func(){
		"File":    func() { File("", "/does/not/exist.png") },
		"Any(42)": func() { Any("", 42) },
	} {
		func() {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok || !strings.HasPrefix(err.Error(), "display: ") {
					t.Errorf("%s panicked with %v, want a display error", name, r)
				}
				if name == "File" && !errors.Is(err, os.ErrNotExist) {
					t.Errorf("File error %v does not wrap ErrNotExist", err)
				}
			}()
			f()
		}()
	}
}
