package display

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"strings"
)

// MIME types understood by Jupyter front-ends, named as in gophernotes.
const (
	MIMETypeHTML       = "text/html"
	MIMETypeJavaScript = "application/javascript"
	MIMETypeJPEG       = "image/jpeg"
	MIMETypeJSON       = "application/json"
	MIMETypeLatex      = "text/latex"
	MIMETypeMarkdown   = "text/markdown"
	MIMETypePNG        = "image/png"
	MIMETypePDF        = "application/pdf"
	MIMETypeSVG        = "image/svg+xml"
	MIMETypeText       = "text/plain"
)

// MIMEMap maps a MIME type to its representation (a string, []byte or a
// JSON-serialisable value). It is an alias so that libraries can build one
// without importing this package.
type MIMEMap = map[string]any

// Data is a MIME bundle as Jupyter's display_data message carries it: the
// representations, their metadata (for images: width and height) and
// transient fields such as a display_id. It is an alias of an unnamed
// struct type for the same reason as MIMEMap.
type Data = struct {
	Data      MIMEMap
	Metadata  MIMEMap
	Transient MIMEMap
}

// Renderer is implemented by values that build their whole bundle.
type Renderer = interface {
	Render() Data
}

// SimpleRenderer is implemented by values that give their representations
// without metadata.
type SimpleRenderer = interface {
	SimpleRender() MIMEMap
}

// HTMLer is implemented by values with an HTML representation.
type HTMLer = interface {
	HTML() string
}

// JavaScripter is implemented by values with a JavaScript representation.
type JavaScripter = interface {
	JavaScript() string
}

// JPEGer is implemented by values with a JPEG representation.
type JPEGer = interface {
	JPEG() []byte
}

// JSONer is implemented by values with a JSON representation.
type JSONer = interface {
	JSON() map[string]any
}

// Latexer is implemented by values with a LaTeX representation.
type Latexer = interface {
	Latex() string
}

// Markdowner is implemented by values with a Markdown representation.
type Markdowner = interface {
	Markdown() string
}

// PNGer is implemented by values with a PNG representation (plots).
type PNGer = interface {
	PNG() []byte
}

// PDFer is implemented by values with a PDF representation.
type PDFer = interface {
	PDF() []byte
}

// SVGer is implemented by values with an SVG representation.
type SVGer = interface {
	SVG() string
}

// MakeData returns a bundle holding data under mimeType, with a text/plain
// fallback derived from it (tags stripped from HTML, a size note for
// binary data) so that a terminal can always show something.
func MakeData(mimeType string, data any) Data {
	d := Data{Data: MIMEMap{mimeType: data}}
	if mimeType != MIMETypeText {
		d.Data[MIMETypeText] = plainText(mimeType, data)
	}
	return d
}

// MakeData3 returns a bundle holding data under mimeType and plaintext as
// its text/plain representation.
func MakeData3(mimeType string, plaintext string, data any) Data {
	return Data{Data: MIMEMap{MIMETypeText: plaintext, mimeType: data}}
}

// MIME returns a bundle made of the given representations and metadata.
func MIME(data, metadata MIMEMap) Data {
	return Data{Data: data, Metadata: metadata}
}

// HTML returns an HTML bundle.
func HTML(html string) Data { return MakeData(MIMETypeHTML, html) }

// JavaScript returns a JavaScript bundle.
func JavaScript(javascript string) Data { return MakeData(MIMETypeJavaScript, javascript) }

// JPEG returns a bundle for JPEG-encoded bytes.
func JPEG(jpeg []byte) Data { return MakeData(MIMETypeJPEG, jpeg) }

// JSON returns a bundle for a JSON object.
func JSON(json map[string]any) Data { return MakeData(MIMETypeJSON, json) }

// Markdown returns a Markdown bundle.
func Markdown(markdown string) Data { return MakeData(MIMETypeMarkdown, markdown) }

// PDF returns a bundle for PDF bytes.
func PDF(pdf []byte) Data { return MakeData(MIMETypePDF, pdf) }

// PNG returns a bundle for PNG-encoded bytes.
func PNG(png []byte) Data { return MakeData(MIMETypePNG, png) }

// SVG returns an SVG bundle.
func SVG(svg string) Data { return MakeData(MIMETypeSVG, svg) }

// Latex returns an inline-math LaTeX bundle: the text is shown between
// single dollars, its source being the text/plain fallback.
func Latex(latex string) Data {
	return MakeData3(MIMETypeLatex, latex, "$"+strings.Trim(latex, "$")+"$")
}

// Math returns a display-math LaTeX bundle (between double dollars).
func Math(latex string) Data {
	return MakeData3(MIMETypeLatex, latex, "$$"+strings.Trim(latex, "$")+"$$")
}

// Image returns a PNG bundle for img, with its width and height as
// metadata. It panics with a display error if the image cannot be encoded.
func Image(img image.Image) Data {
	d, err := imageData(img)
	if err != nil {
		panic(err)
	}
	return d
}

// Any returns a bundle for data under mimeType. Renderable values (see
// Render) are rendered; a string is taken as the representation itself;
// []byte, io.Reader and io.WriterTo give bytes whose MIME type is sniffed
// when mimeType is empty. Anything else panics with a display error.
func Any(mimeType string, data any) Data {
	if d, ok := Render(data); ok {
		return d
	}
	var b []byte
	switch v := data.(type) {
	case string:
		if mimeType == "" {
			mimeType = MIMETypeText
		}
		return MakeData(mimeType, v)
	case []byte:
		b = v
	case io.Reader:
		var err error
		if b, err = io.ReadAll(v); err != nil {
			panic(fmt.Errorf("display: reading %T: %w", data, err))
		}
	case io.WriterTo:
		var buf bytes.Buffer
		if _, err := v.WriteTo(&buf); err != nil {
			panic(fmt.Errorf("display: writing %T: %w", data, err))
		}
		b = buf.Bytes()
	default:
		panic(fmt.Errorf("display: cannot render a value of type %T; give a string, []byte, io.Reader, io.WriterTo, image.Image or a renderer", data))
	}
	if mimeType == "" {
		mimeType = http.DetectContentType(b)
		if i := strings.IndexByte(mimeType, ';'); i >= 0 {
			mimeType = mimeType[:i]
		}
	}
	return MakeData(mimeType, b)
}

// Auto is Any with the MIME type detected from the data.
func Auto(data any) Data { return Any("", data) }

// File returns a bundle for the content of the file at path, under
// mimeType (detected when empty). It panics with a display error naming
// the path if the file cannot be read.
func File(mimeType string, path string) Data {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(fmt.Errorf("display: file %q: %w", path, err))
	}
	return Any(mimeType, b)
}

// Render applies the auto-render rule to v: a Data is taken as is; an
// image.Image becomes a PNG; every renderer interface v implements adds
// its representation (Renderer and SimpleRenderer first, so the specific
// ones win). ok is false when v is not renderable. A text/plain fallback
// is always present in a renderable result.
func Render(v any) (d Data, ok bool) {
	if v == nil {
		return Data{}, false
	}
	if x, isData := v.(Data); isData {
		d = Data{Data: copyMap(x.Data), Metadata: copyMap(x.Metadata), Transient: copyMap(x.Transient)}
		ok = true
	}
	if r, is := v.(Renderer); is {
		x := r.Render()
		d.Data = merge(d.Data, x.Data)
		d.Metadata = merge(d.Metadata, x.Metadata)
		d.Transient = merge(d.Transient, x.Transient)
		ok = true
	}
	if r, is := v.(SimpleRenderer); is {
		d.Data = merge(d.Data, r.SimpleRender())
		ok = true
	}
	set := func(mime string, val any) {
		d.Data = merge(d.Data, MIMEMap{mime: val})
		ok = true
	}
	if r, is := v.(HTMLer); is {
		set(MIMETypeHTML, r.HTML())
	}
	if r, is := v.(JavaScripter); is {
		set(MIMETypeJavaScript, r.JavaScript())
	}
	if r, is := v.(JPEGer); is {
		set(MIMETypeJPEG, r.JPEG())
	}
	if r, is := v.(JSONer); is {
		set(MIMETypeJSON, r.JSON())
	}
	if r, is := v.(Latexer); is {
		set(MIMETypeLatex, r.Latex())
	}
	if r, is := v.(Markdowner); is {
		set(MIMETypeMarkdown, r.Markdown())
	}
	if r, is := v.(PNGer); is {
		set(MIMETypePNG, r.PNG())
	}
	if r, is := v.(PDFer); is {
		set(MIMETypePDF, r.PDF())
	}
	if r, is := v.(SVGer); is {
		set(MIMETypeSVG, r.SVG())
	}
	if img, is := v.(image.Image); is {
		x, err := imageData(img)
		if err != nil {
			x = MakeData(MIMETypeText, err.Error())
		}
		d.Data = merge(d.Data, x.Data)
		d.Metadata = merge(d.Metadata, x.Metadata)
		ok = true
	}
	if !ok {
		return Data{}, false
	}
	if s, has := d.Data[MIMETypeText].(string); !has || s == "" {
		d.Data = merge(d.Data, MIMEMap{MIMETypeText: fallbackText(v, d.Data)})
	}
	return d, true
}

// fallbackText chooses a text/plain representation for a rendered value:
// the value's own String method when it has one, else text derived from
// its richest textual representation (a figure's PNG gives a size note,
// not a dump of its fields).
func fallbackText(v any, m MIMEMap) string {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	for _, mime := range []string{MIMETypeMarkdown, MIMETypeLatex, MIMETypeHTML, MIMETypeSVG, MIMETypeJSON, MIMETypeJavaScript, MIMETypePNG, MIMETypeJPEG, MIMETypePDF} {
		if x, ok := m[mime]; ok {
			return plainText(mime, x)
		}
	}
	return fmt.Sprint(v)
}

// plainText turns one representation into text a terminal can show.
func plainText(mimeType string, data any) string {
	switch x := data.(type) {
	case string:
		if mimeType == MIMETypeHTML {
			return stripTags(x)
		}
		return x
	case []byte:
		return fmt.Sprintf("<%s, %d bytes>", mimeType, len(x))
	case map[string]any:
		if b, err := json.MarshalIndent(x, "", "  "); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(data)
}

// stripTags removes markup from HTML so that a table still reads as text:
// cells are separated by tabs and rows by newlines.
func stripTags(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:i]))
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(strings.TrimLeft(s[i+1:i+j], "/"))
		switch {
		case strings.HasPrefix(tag, "tr"), strings.HasPrefix(tag, "br"), strings.HasPrefix(tag, "p"), strings.HasPrefix(tag, "div"):
			if s[i+1] == '/' || strings.HasPrefix(tag, "br") {
				b.WriteByte('\n')
			}
		case strings.HasPrefix(tag, "td"), strings.HasPrefix(tag, "th"):
			if s[i+1] == '/' {
				b.WriteByte('\t')
			}
		}
		s = s[i+j+1:]
	}
	return strings.TrimSpace(b.String())
}

// imageData encodes img as PNG with its size as metadata, keyed by MIME
// type as Jupyter expects.
func imageData(img image.Image) (Data, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Data{}, fmt.Errorf("display: encoding %T as PNG: %w", img, err)
	}
	r := img.Bounds()
	return Data{
		Data: MIMEMap{
			MIMETypePNG:  buf.Bytes(),
			MIMETypeText: fmt.Sprintf("image %dx%d", r.Dx(), r.Dy()),
		},
		Metadata: MIMEMap{MIMETypePNG: MIMEMap{"width": r.Dx(), "height": r.Dy()}},
	}, nil
}

func merge(dst, src MIMEMap) MIMEMap {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(MIMEMap, len(src))
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

func copyMap(m MIMEMap) MIMEMap {
	if m == nil {
		return nil
	}
	return merge(nil, m)
}
