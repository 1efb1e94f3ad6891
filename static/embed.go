// Package static holds Chartside's stylesheets, scripts and the vendored htmx build. They are embedded
// so the binary is self-contained: a hospital network needs no CDN, and the exact bytes are versioned.
//
// static/vendor is filled by `make` from the npm registry (see package.json); it is not committed.
package static

import (
	"embed"
	"io/fs"
)

//go:embed css js vendor
var files embed.FS

// FS returns the embedded asset tree, rooted so that "css/app.css" is a valid name.
func FS() fs.FS { return files }
