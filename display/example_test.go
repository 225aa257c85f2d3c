package display_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/gopm-dev/gopm/display"
)

// A cell's last value that is an image becomes a PNG bundle with its size
// in the metadata and a text/plain fallback.
func Example() {
	img := image.NewGray(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.White)
	d, ok := display.Render(img)
	fmt.Println(ok, d.Metadata[display.MIMETypePNG])
	fmt.Println(d.Data[display.MIMETypeText])
	h := display.HTML("<b>hi</b>")
	fmt.Println(h.Data[display.MIMETypeHTML], h.Data[display.MIMETypeText])
	// Output:
	// true map[height:3 width:4]
	// image 4x3
	// <b>hi</b> hi
}
