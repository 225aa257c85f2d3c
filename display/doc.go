// Package display builds rich values (MIME bundles) for the gopm notebook
// kernel and the terminal REPL. Its API mirrors gophernotes' injected
// display package, so notebooks written for gophernotes keep working:
// functions such as HTML, PNG, Image, Markdown and Math return a Data
// bundle, and the Data and MIMEMap types as well as the Renderer, HTMLer,
// PNGer, ... interfaces are type aliases, so a library can produce bundles
// or implement the interfaces without importing this package.
//
// Render is the auto-render rule the front-ends apply to the last value of
// a cell: a Data, an image.Image or a value implementing one or more of the
// renderer interfaces becomes a bundle (all matching renderers merged, with
// a text/plain fallback); anything else is not renderable.
//
// Functions that cannot do their work with the arguments given (an
// unreadable File, an unsupported Any value) panic with an error whose
// message starts with "display:"; inside the REPL or the kernel the engine
// turns that panic into a cell error at the user's line.
package display
