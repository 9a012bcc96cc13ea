package toolchains

import (
	"maps"
	"strings"
)

// Pins are the digests base image references resolved to when the build
// started. A pinned image is pulled as REF@DIGEST, so every step of the
// build, and every daemon, uses the very image the SBOMs record, and a
// tag moved during the build changes nothing.
type Pins struct{ byRef map[string]string }

// NewPins are the pins of byRef (reference -> "sha256:..." digest).
func NewPins(byRef map[string]string) *Pins {
	return &Pins{byRef: maps.Clone(byRef)}
}

// Digest is what ref is pinned to ("" = not pinned).
func (p *Pins) Digest(ref string) string {
	if p == nil {
		return ""
	}
	return p.byRef[ref]
}

// All are the pins by reference.
func (p *Pins) All() map[string]string {
	if p == nil {
		return nil
	}
	return maps.Clone(p.byRef)
}

// Digest is the digest o pins image ref to ("" = none: not resolved, or
// replaced by a client's named context that is not an image).
func (o Options) Digest(ref string) string {
	if o.Replaced(ref) {
		return o.Images.digests[ref]
	}
	return o.Pins.Digest(ref)
}

// Replaced reports whether o replaces image ref by a client's state.
func (o Options) Replaced(ref string) bool {
	if o.Images == nil {
		return false
	}
	_, ok := o.Images.byRef[ref]
	return ok
}

// pinned is ref as it is pulled: REF@DIGEST when o pins it.
func (o Options) pinned(ref string) string {
	if d := o.Pins.Digest(ref); d != "" && !strings.Contains(ref, "@") {
		return ref + "@" + d
	}
	return ref
}
