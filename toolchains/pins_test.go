package toolchains

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
)

// TestPinnedImages: a pinned base image is pulled by its digest, by the
// toolchain and the unpacker alike; a replaced one has no digest.
func TestPinnedImages(t *testing.T) {
	const ref = "registry.test/debian:bookworm"
	dg := "sha256:" + strings.Repeat("5", 64)
	o := Options{AptMirror: "http://mirror.test/debian", BaseImage: ref, Pins: NewPins(map[string]string{ref: dg})}
	tc, err := Lookup("armv7")
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]llb.State{"toolchain": tc.State(o), "unpacker": Unpacker(o)} {
		if all := marshalled(t, st); !strings.Contains(all, "docker-image://"+ref+"@"+dg) {
			t.Errorf("%s does not pull %s by its digest", name, ref)
		}
	}
	if d := o.Digest(ref); d != dg {
		t.Errorf("Digest = %q", d)
	}
	o.Images = &Images{}
	o.Images.Replace(ref, llb.Image("registry.test/replaced:1"))
	if d := o.Digest(ref); d != "" || !o.Replaced(ref) {
		t.Errorf("replaced image: Digest = %q, Replaced = %v", d, o.Replaced(ref))
	}
	if all := marshalled(t, tc.State(o)); strings.Contains(all, dg) {
		t.Error("a replaced image is still pulled by the pinned digest")
	}
}

func marshalled(t *testing.T, st llb.State) string {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var all string
	for _, dt := range def.Def {
		all += string(dt)
	}
	return all
}
