package spk

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/internal/packtest"
)

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func nrgba(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }

func TestFont(t *testing.T) {
	for r, g := range font {
		rows := strings.Fields(g)
		if len(rows) != 7 {
			t.Errorf("glyph %q has %d rows, want 7", r, len(rows))
		}
		for _, row := range rows {
			if len(row) != 5 || strings.Trim(row, "#.") != "" {
				t.Errorf("glyph %q row %q: want 5 of '#' and '.'", r, row)
			}
		}
	}
	for _, r := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
		if font[r] == "" {
			t.Errorf("font lacks %q", r)
		}
	}
}

func TestInitial(t *testing.T) {
	for _, tc := range []struct {
		label, pkg string
		want       rune
	}{
		{"", "hello", 'H'},
		{"World", "hello", 'W'},
		{"  9 Lives", "x", '9'},
		{"Émile", "zeta", 'Z'}, // no glyph for É: the identity's initial
		{"", "-", 'P'},
	} {
		if got := initial(tc.label, tc.pkg); got != tc.want {
			t.Errorf("initial(%q, %q) = %q, want %q", tc.label, tc.pkg, got, tc.want)
		}
	}
}

// TestDefaultIconGolden pins the default icons' bytes: they are part of
// every package that gives none, so a change (e.g. from a new Go PNG
// encoder) must be seen and accepted.
func TestDefaultIconGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range []struct{ pkg, label string }{
		{"hello", ""}, {"hello", "World"}, {"zeta-tool", "Émile"}, {"9lives", ""},
	} {
		for _, size := range []int{IconSize, Icon256Size} {
			data := DefaultIcon(c.pkg, c.label, size)
			if !bytes.Equal(data, DefaultIcon(c.pkg, c.label, size)) {
				t.Errorf("DefaultIcon(%q, %q, %d) differs between calls", c.pkg, c.label, size)
			}
			fmt.Fprintf(&b, "%-10s %-8q %3d %4d bytes sha256 %s\n", c.pkg, c.label, size, len(data), packtest.SHA256(data))
		}
	}
	packtest.Golden(t, "default_icons", b.String())
}

func TestDefaultIconPixels(t *testing.T) {
	for _, size := range []int{IconSize, Icon256Size} {
		img := decode(t, DefaultIcon("hello", "", size))
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Fatalf("size %v, want %d", b, size)
		}
		if a := nrgba(img.At(0, 0)).A; a != 0 {
			t.Errorf("%d: corner alpha %d, want transparent (rounded)", size, a)
		}
		if c := nrgba(img.At(size/2, size/20)); c != iconColor("hello") {
			t.Errorf("%d: background %v, want %v", size, c, iconColor("hello"))
		}
		// The middle of the H's crossbar is white.
		if c := nrgba(img.At(size/2, size/2)); c != (color.NRGBA{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("%d: centre %v, want white (the H's bar)", size, c)
		}
	}
}

func TestIconColor(t *testing.T) {
	seen := map[color.NRGBA]bool{}
	for _, pkg := range []string{"hello", "world", "zeta-tool", "9lives", "a", "b", "c", "d"} {
		seen[iconColor(pkg)] = true
	}
	if len(seen) < 3 {
		t.Errorf("8 packages share %d colours", len(seen))
	}
}

func TestScaleIcon(t *testing.T) {
	small := DefaultIcon("hello", "", IconSize)
	big := decode(t, scaleIcon(small, Icon256Size))
	src := decode(t, small)
	if big.Bounds().Dx() != Icon256Size {
		t.Fatalf("upscaled to %v", big.Bounds())
	}
	for _, p := range [][2]int{{0, 0}, {10, 20}, {32, 32}, {63, 63}} {
		want := nrgba(src.At(p[0], p[1]))
		for _, d := range [][2]int{{0, 0}, {3, 3}} {
			if got := nrgba(big.At(4*p[0]+d[0], 4*p[1]+d[1])); got != want {
				t.Errorf("upscaled (%d,%d)+%v = %v, want %v", p[0], p[1], d, got, want)
			}
		}
	}

	down := decode(t, scaleIcon(DefaultIcon("hello", "", Icon256Size), IconSize))
	if down.Bounds().Dx() != IconSize {
		t.Fatalf("downscaled to %v", down.Bounds())
	}
	// Solid areas keep their colour; the transparent corner stays so.
	if got := nrgba(down.At(32, 3)); got != iconColor("hello") {
		t.Errorf("downscaled background %v", got)
	}
	if a := nrgba(down.At(0, 0)).A; a != 0 {
		t.Errorf("downscaled corner alpha %d", a)
	}
}

// TestIconScaled: a square icon of another size (spksrc's 72x72) is
// scaled to the size the option needs, keeping its colour.
func TestIconScaled(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 72, 72))
	for i := range src.Pix {
		src.Pix[i] = []uint8{200, 40, 10, 255}[i%4]
	}
	path := filepath.Join(t.TempDir(), "icon72.png")
	if err := os.WriteFile(path, encodePNG(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{IconSize, Icon256Size} {
		data, err := loadIcon("icon", path, size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("scaled to %v, want %dx%d", b, size, size)
		}
		if r, g, b, a := img.At(size/2, size/2).RGBA(); r>>8 != 200 || g>>8 != 40 || b>>8 != 10 || a>>8 != 255 {
			t.Errorf("%d: colour %d %d %d %d", size, r>>8, g>>8, b>>8, a>>8)
		}
	}
}
