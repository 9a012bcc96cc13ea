package depgraph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/kiln-build/kiln/plan"
)

// ErrNoDot says Graphviz's dot is missing, which SVG and HTML need.
var ErrNoDot = errors.New("the svg and html formats need Graphviz's dot (Debian: apt-get install graphviz); dot and mermaid need nothing")

// SVG lays g out with Graphviz's dot.
func SVG(ctx context.Context, g *plan.Graph) ([]byte, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoDot
	}
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = strings.NewReader(DOT(g))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dot -Tsvg: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}

// Render writes g in format (one of Formats).
func Render(ctx context.Context, g *plan.Graph, format string) ([]byte, error) {
	switch format {
	case "dot":
		return []byte(DOT(g)), nil
	case "mermaid":
		return []byte(Mermaid(g)), nil
	case "svg":
		return SVG(ctx, g)
	case "html":
		svg, err := SVG(ctx, g)
		if err != nil {
			return nil, err
		}
		return HTML(g, svg)
	}
	return nil, fmt.Errorf("unknown graph format %q (want one of %s)", format, strings.Join(Formats, ", "))
}
