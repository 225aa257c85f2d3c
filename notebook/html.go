package notebook

import (
	"bytes"
	"fmt"
	"go/scanner"
	"go/token"
	"html"
	"regexp"
	"strings"
)

// HTML renders the notebook as one self-contained page: markdown cells as
// HTML, code cells with their prompt and Go syntax colouring, outputs with
// images inline (data: URIs) and HTML outputs (summary tables) as they are.
// title is the page title.
func (nb *Notebook) HTML(title string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
		html.EscapeString(title), pageCSS)
	for _, c := range nb.Cells {
		switch c.Type {
		case "markdown":
			b.WriteString("<div class=\"cell markdown\">\n")
			b.WriteString(Markdown(c.Source))
			b.WriteString("</div>\n")
		case "raw":
			fmt.Fprintf(&b, "<div class=\"cell raw\"><pre>%s</pre></div>\n", html.EscapeString(c.Source))
		case "code":
			writeCode(&b, c)
		}
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes()
}

func prompt(n int) string {
	if n == 0 {
		return "[ ]:"
	}
	return fmt.Sprintf("[%d]:", n)
}

func writeCode(b *bytes.Buffer, c *Cell) {
	fmt.Fprintf(b, "<div class=\"cell code\">\n<div class=\"input\"><div class=\"prompt in\">In %s</div><pre class=\"source\">%s</pre></div>\n",
		prompt(c.ExecutionCount), highlightGo(c.Source))
	for _, o := range c.Outputs {
		b.WriteString("<div class=\"output\">")
		if o.Type == "execute_result" {
			fmt.Fprintf(b, "<div class=\"prompt out\">Out %s</div>", prompt(o.ExecutionCount))
		} else {
			b.WriteString("<div class=\"prompt\"></div>")
		}
		b.WriteString("<div class=\"body\">")
		switch o.Type {
		case "stream":
			fmt.Fprintf(b, "<pre class=\"%s\">%s</pre>", o.Name, html.EscapeString(o.Text))
		case "error":
			fmt.Fprintf(b, "<pre class=\"error\"><b>%s</b>: %s</pre>", html.EscapeString(o.EName), html.EscapeString(strings.Join(o.Traceback, "\n")))
		default:
			writeData(b, o.Data)
		}
		b.WriteString("</div></div>\n")
	}
	b.WriteString("</div>\n")
}

// writeData shows the richest representation of a bundle the page can show.
func writeData(b *bytes.Buffer, d map[string]any) {
	str := func(k string) (string, bool) {
		s, ok := d[k].(string)
		return s, ok
	}
	if s, ok := str("text/html"); ok {
		fmt.Fprintf(b, "<div class=\"html\">%s</div>", s)
		return
	}
	for _, k := range []string{"image/png", "image/jpeg", "image/gif"} {
		if s, ok := str(k); ok {
			fmt.Fprintf(b, "<img src=\"data:%s;base64,%s\" alt=\"figure\">", k, strings.TrimSpace(s))
			return
		}
	}
	if s, ok := str("image/svg+xml"); ok {
		fmt.Fprintf(b, "<div class=\"svg\">%s</div>", s)
		return
	}
	if s, ok := str("text/markdown"); ok {
		b.WriteString(Markdown(s))
		return
	}
	if s, ok := str("text/latex"); ok {
		fmt.Fprintf(b, "<pre>%s</pre>", html.EscapeString(s))
		return
	}
	if s, ok := str("text/plain"); ok {
		fmt.Fprintf(b, "<pre>%s</pre>", html.EscapeString(s))
	}
}

// highlightGo escapes Go source and colours keywords, literals and comments.
func highlightGo(src string) string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	s.Init(file, []byte(src), func(token.Position, string) {}, scanner.ScanComments)
	var b strings.Builder
	last := 0
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if off < last || off > len(src) {
			continue
		}
		class := ""
		end := off + len(lit)
		switch {
		case tok == token.COMMENT:
			class = "c"
		case tok == token.STRING || tok == token.CHAR:
			class = "s"
		case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
			class = "n"
		case tok.IsKeyword():
			class, end = "k", off+len(tok.String())
		}
		if class == "" || end > len(src) {
			continue
		}
		b.WriteString(html.EscapeString(src[last:off]))
		fmt.Fprintf(&b, "<span class=\"%s\">%s</span>", class, html.EscapeString(src[off:end]))
		last = end
	}
	b.WriteString(html.EscapeString(src[last:]))
	return b.String()
}

// Markdown converts the markdown of notebook cells to HTML: ATX headings,
// paragraphs, fenced and indented code, bullet and numbered lists, block
// quotes, pipe tables, inline code, emphasis, links and images. Math between
// $ signs is kept as written.
func Markdown(src string) string {
	var b strings.Builder
	ls := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i < len(ls); {
		line := ls[i]
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			i++
		case strings.HasPrefix(t, "```"):
			j := i + 1
			var code []string
			for j < len(ls) && !strings.HasPrefix(strings.TrimSpace(ls[j]), "```") {
				code = append(code, ls[j])
				j++
			}
			fmt.Fprintf(&b, "<pre><code>%s</code></pre>\n", html.EscapeString(strings.Join(code, "\n")))
			i = j + 1
		case headingRE.MatchString(t):
			m := headingRE.FindStringSubmatch(t)
			fmt.Fprintf(&b, "<h%d>%s</h%d>\n", len(m[1]), inline(m[2]), len(m[1]))
			i++
		case strings.HasPrefix(t, "|") && i+1 < len(ls) && tableSepRE.MatchString(strings.TrimSpace(ls[i+1])):
			j := i + 2
			b.WriteString("<table>\n<thead><tr>")
			for _, h := range tableCells(t) {
				fmt.Fprintf(&b, "<th>%s</th>", inline(h))
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			for j < len(ls) && strings.HasPrefix(strings.TrimSpace(ls[j]), "|") {
				b.WriteString("<tr>")
				for _, c := range tableCells(strings.TrimSpace(ls[j])) {
					fmt.Fprintf(&b, "<td>%s</td>", inline(c))
				}
				b.WriteString("</tr>\n")
				j++
			}
			b.WriteString("</tbody></table>\n")
			i = j
		case bulletRE.MatchString(line) || numberRE.MatchString(line):
			ordered := numberRE.MatchString(line)
			tag := "ul"
			re := bulletRE
			if ordered {
				tag, re = "ol", numberRE
			}
			fmt.Fprintf(&b, "<%s>\n", tag)
			j := i
			for j < len(ls) && re.MatchString(ls[j]) {
				item := re.ReplaceAllString(ls[j], "")
				j++
				// continuation lines, indented
				for j < len(ls) && strings.TrimSpace(ls[j]) != "" && (strings.HasPrefix(ls[j], " ") || strings.HasPrefix(ls[j], "\t")) && !re.MatchString(ls[j]) {
					item += " " + strings.TrimSpace(ls[j])
					j++
				}
				fmt.Fprintf(&b, "<li>%s</li>\n", inline(item))
			}
			fmt.Fprintf(&b, "</%s>\n", tag)
			i = j
		case strings.HasPrefix(t, ">"):
			var q []string
			j := i
			for j < len(ls) && strings.HasPrefix(strings.TrimSpace(ls[j]), ">") {
				q = append(q, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(ls[j]), ">")))
				j++
			}
			fmt.Fprintf(&b, "<blockquote>%s</blockquote>\n", Markdown(strings.Join(q, "\n")))
			i = j
		case strings.HasPrefix(line, "    "):
			var code []string
			j := i
			for j < len(ls) && (strings.HasPrefix(ls[j], "    ") || strings.TrimSpace(ls[j]) == "") {
				code = append(code, strings.TrimPrefix(ls[j], "    "))
				j++
			}
			fmt.Fprintf(&b, "<pre><code>%s</code></pre>\n", html.EscapeString(strings.TrimRight(strings.Join(code, "\n"), "\n")))
			i = j
		default:
			var para []string
			j := i
			for j < len(ls) {
				t := strings.TrimSpace(ls[j])
				if t == "" || strings.HasPrefix(t, "```") || headingRE.MatchString(t) || bulletRE.MatchString(ls[j]) || numberRE.MatchString(ls[j]) || strings.HasPrefix(t, ">") {
					break
				}
				para = append(para, t)
				j++
			}
			fmt.Fprintf(&b, "<p>%s</p>\n", inline(strings.Join(para, "\n")))
			i = j
		}
	}
	return b.String()
}

var (
	headingRE  = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*$`)
	bulletRE   = regexp.MustCompile(`^\s{0,3}[-*+]\s+`)
	numberRE   = regexp.MustCompile(`^\s{0,3}\d+[.)]\s+`)
	tableSepRE = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$`)
	codeRE     = regexp.MustCompile("`([^`]+)`")
	imageRE    = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]+)\)`)
	linkRE     = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	strongRE   = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	emRE       = regexp.MustCompile(`(^|[^\w*])[*_]([^*_\s][^*_]*?)[*_]($|[^\w*])`)
)

func tableCells(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	cells := strings.Split(row, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// inline converts inline markdown: code spans first (their content is
// literal), then images, links, strong and emphasis.
func inline(s string) string {
	var codes []string
	s = codeRE.ReplaceAllStringFunc(s, func(m string) string {
		codes = append(codes, "<code>"+html.EscapeString(m[1:len(m)-1])+"</code>")
		return fmt.Sprintf("\x00%d\x00", len(codes)-1)
	})
	s = html.EscapeString(s)
	s = imageRE.ReplaceAllString(s, `<img alt="$1" src="$2">`)
	s = linkRE.ReplaceAllString(s, `<a href="$2">$1</a>`)
	s = strongRE.ReplaceAllString(s, `<strong>$1</strong>`)
	s = emRE.ReplaceAllString(s, `$1<em>$2</em>$3`)
	for i, c := range codes {
		s = strings.Replace(s, fmt.Sprintf("\x00%d\x00", i), c, 1)
	}
	return s
}

const pageCSS = `
body { margin: 0; background: #fff; color: #212121; font: 15px/1.5 "Liberation Sans", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 16px 64px; }
.cell { margin: 10px 0; }
.markdown { padding: 0 0 0 88px; }
.markdown h1 { font-size: 28px; margin: 18px 0 8px; }
.markdown h2 { font-size: 22px; margin: 16px 0 6px; }
.markdown h3 { font-size: 18px; margin: 14px 0 4px; }
.markdown code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; font-size: 90%; }
.markdown pre code { background: none; padding: 0; }
.markdown pre { background: #f7f7f7; padding: 8px; }
.markdown table { border-collapse: collapse; margin: 8px 0; }
.markdown th, .markdown td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; }
.input, .output { display: flex; align-items: flex-start; }
.prompt { flex: 0 0 80px; width: 80px; padding-right: 8px; text-align: right; font: 13px/1.4 "Liberation Mono", monospace; color: #303f9f; padding-top: 6px; }
.prompt.out { color: #d84315; }
pre { font: 13px/1.4 "Liberation Mono", "DejaVu Sans Mono", monospace; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 4; }
.source { flex: 1; min-width: 0; background: #f7f7f7; border: 1px solid #e0e0e0; border-radius: 2px; padding: 6px 8px; }
.source .k { color: #008000; font-weight: bold; }
.source .s { color: #ba2121; }
.source .n { color: #666; }
.source .c { color: #3d7b7b; font-style: italic; }
.output .body { flex: 1; min-width: 0; padding: 6px 8px 2px; overflow-x: auto; }
.output img { max-width: 100%; height: auto; display: block; }
pre.stderr { background: #fdd; padding: 4px 6px; }
pre.error { background: #fdd; padding: 4px 6px; color: #900; }
.html table { border: none; border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
.html th, .html td { padding: 3px 10px; text-align: right; border: none; }
.html thead th { border-bottom: 1px solid #000; }
.html tbody tr:nth-child(odd) { background: #f5f5f5; }
.html tbody th { text-align: left; }
`
