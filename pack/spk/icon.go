package spk

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"unicode"
)

// Icon sizes: DSM 7 shows PACKAGE_ICON.PNG at 64x64 (72x72 before DSM 7)
// and PACKAGE_ICON_256.PNG at 256x256.
const (
	IconSize    = 64
	Icon256Size = 256
)

// Icon file names in the .spk (upper case: Package Center ignores others).
const (
	iconName    = "PACKAGE_ICON.PNG"
	icon256Name = "PACKAGE_ICON_256.PNG"
)

// font is a 5x7 bitmap font for the default icon's initial: seven rows of
// five pixels, '#' set.
var font = map[rune]string{
	'A': ".###. #...# #...# ##### #...# #...# #...#", 'B': "####. #...# #...# ####. #...# #...# ####.",
	'C': ".###. #...# #.... #.... #.... #...# .###.", 'D': "####. #...# #...# #...# #...# #...# ####.",
	'E': "##### #.... #.... ####. #.... #.... #####", 'F': "##### #.... #.... ####. #.... #.... #....",
	'G': ".###. #...# #.... #.### #...# #...# .####", 'H': "#...# #...# #...# ##### #...# #...# #...#",
	'I': ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.", 'J': "..### ...#. ...#. ...#. ...#. #..#. .##..",
	'K': "#...# #..#. #.#.. ##... #.#.. #..#. #...#", 'L': "#.... #.... #.... #.... #.... #.... #####",
	'M': "#...# ##.## #.#.# #.#.# #...# #...# #...#", 'N': "#...# #...# ##..# #.#.# #..## #...# #...#",
	'O': ".###. #...# #...# #...# #...# #...# .###.", 'P': "####. #...# #...# ####. #.... #.... #....",
	'Q': ".###. #...# #...# #...# #.#.# #..#. .##.#", 'R': "####. #...# #...# ####. #.#.. #..#. #...#",
	'S': ".#### #.... #.... .###. ....# ....# ####.", 'T': "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
	'U': "#...# #...# #...# #...# #...# #...# .###.", 'V': "#...# #...# #...# #...# #...# .#.#. ..#..",
	'W': "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.", 'X': "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
	'Y': "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..", 'Z': "##### ....# ...#. ..#.. .#... #.... #####",
	'0': ".###. #...# #..## #.#.# ##..# #...# .###.", '1': "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
	'2': ".###. #...# ....# ...#. ..#.. .#... #####", '3': "##### ...#. ..#.. ...#. ....# #...# .###.",
	'4': "...#. ..##. .#.#. #..#. ##### ...#. ...#.", '5': "##### #.... ####. ....# ....# #...# .###.",
	'6': "..##. .#... #.... ####. #...# #...# .###.", '7': "##### ....# ...#. ..#.. .#... .#... .#...",
	'8': ".###. #...# #...# .###. #...# #...# .###.", '9': ".###. #...# #...# .#### ....# ...#. .##..",
}

// palette holds the default icon's background colours; the package
// identity picks one, so a package keeps its colour from build to build.
var palette = []color.NRGBA{
	{0x1e, 0x88, 0xe5, 0xff}, {0x43, 0xa0, 0x47, 0xff}, {0xe5, 0x39, 0x35, 0xff}, {0x8e, 0x24, 0xaa, 0xff},
	{0xfb, 0x8c, 0x00, 0xff}, {0x00, 0x89, 0x7b, 0xff}, {0x3f, 0x51, 0xb5, 0xff}, {0x6d, 0x4c, 0x41, 0xff},
}

// DefaultIcon draws the icon of a package that gives none: a rounded square
// in a colour chosen by the package identity, with the initial of label
// (the display name, else the identity) in white. size is IconSize or
// Icon256Size. The PNG bytes depend only on the arguments (and on Go's
// PNG encoder, which golden tests pin).
func DefaultIcon(pkg, label string, size int) []byte {
	bg := iconColor(pkg)
	glyph := font[initial(label, pkg)]

	// A paletted image keeps the file small: transparent, background, ink.
	img := image.NewPaletted(image.Rect(0, 0, size, size),
		color.Palette{color.NRGBA{}, bg, color.NRGBA{0xff, 0xff, 0xff, 0xff}})
	r := size / 8 // corner radius
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if insideRounded(x, y, size, r) {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	// The glyph is 5x7 cells of size*5/64 pixels, centred.
	cell := size * 5 / 64
	x0, y0 := (size-5*cell)/2, (size-7*cell)/2
	rows := strings.Fields(glyph)
	for gy, row := range rows {
		for gx, c := range row {
			if c != '#' {
				continue
			}
			for y := y0 + gy*cell; y < y0+(gy+1)*cell; y++ {
				for x := x0 + gx*cell; x < x0+(gx+1)*cell; x++ {
					img.SetColorIndex(x, y, 2)
				}
			}
		}
	}
	return encodePNG(img)
}

// iconColor is the default icon's background colour for a package.
func iconColor(pkg string) color.NRGBA {
	h := fnv.New32a()
	h.Write([]byte(pkg))
	return palette[h.Sum32()%uint32(len(palette))]
}

// initial is the first letter or digit of label, upper-cased, if the font
// has it, else the first character of pkg (which packageRE makes
// alphanumeric), else 'P'.
func initial(label, pkg string) rune {
	for _, s := range []string{label, pkg} {
		for _, c := range s {
			if c := unicode.ToUpper(c); font[c] != "" {
				return c
			}
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				break // e.g. "É": try the next source, not the next letter
			}
		}
	}
	return 'P'
}

// insideRounded reports whether pixel (x, y) lies in a size x size square
// with corners rounded at radius r, testing the pixel centre. Coordinates
// are doubled so the centre (x+0.5) stays an integer.
func insideRounded(x, y, size, r int) bool {
	d := func(p int) int {
		p = 2*p + 1
		switch {
		case p < 2*r:
			return 2*r - p
		case p > 2*(size-r):
			return p - 2*(size-r)
		}
		return 0
	}
	dx, dy := d(x), d(y)
	return dx*dx+dy*dy <= 4*r*r
}

func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // writing to memory an image of a valid size cannot fail
	}
	return buf.Bytes()
}

// loadIcon reads a PNG file; a square icon of another size is scaled to
// size (spksrc and pkgscripts-ng projects ship 72x72 and 120x120 ones).
// field names the option.
func loadIcon(field, path string, size int) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s %s: not a PNG image (%v)", field, path, err)
	}
	if cfg.Width != cfg.Height || cfg.Width < 16 {
		return nil, fmt.Errorf("%s %s: %dx%d, want a square icon (%dx%d, or another size kiln scales)", field, path, cfg.Width, cfg.Height, size, size)
	}
	// Decode fully: a truncated or corrupt file would show as a broken
	// icon in Package Center.
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s %s: corrupt PNG (%v)", field, path, err)
	}
	if cfg.Width != size {
		return encodePNG(resize(img, size)), nil
	}
	return data, nil
}

// resize scales a square image to size x size: each destination pixel
// averages the source pixels its area covers (premultiplied, so
// transparent ones add no colour), or takes the nearest one when
// enlarging. Pure integer arithmetic: the bytes depend only on the input.
func resize(src image.Image, size int) image.Image {
	b := src.Bounds()
	n := b.Dx()
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		y0, y1 := y*n/size, max((y+1)*n/size, y*n/size+1)
		for x := 0; x < size; x++ {
			x0, x1 := x*n/size, max((x+1)*n/size, x*n/size+1)
			var r, g, bl, a, k uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					pr, pg, pb, pa := src.At(b.Min.X+sx, b.Min.Y+sy).RGBA()
					r, g, bl, a, k = r+uint64(pr), g+uint64(pg), bl+uint64(pb), a+uint64(pa), k+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / k >> 8), uint8(g / k >> 8), uint8(bl / k >> 8), uint8(a / k >> 8)})
		}
	}
	return dst
}

// scaleIcon converts a 64x64 icon to 256x256 (each pixel repeated 4x4) or
// a 256x256 one to 64x64 (each 4x4 block averaged), so a package that gives
// one icon size gets both. Exact 4x factors need no interpolation.
func scaleIcon(data []byte, to int) []byte {
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		panic(err) // loadIcon decoded it already
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, to, to))
	if to > b.Dx() {
		k := to / b.Dx()
		for y := 0; y < to; y++ {
			for x := 0; x < to; x++ {
				dst.Set(x, y, src.At(b.Min.X+x/k, b.Min.Y+y/k))
			}
		}
		return encodePNG(dst)
	}
	k := b.Dx() / to
	for y := 0; y < to; y++ {
		for x := 0; x < to; x++ {
			// Premultiplied sums, so transparent pixels add no colour.
			var r, g, bl, a uint32
			for sy := 0; sy < k; sy++ {
				for sx := 0; sx < k; sx++ {
					pr, pg, pb, pa := src.At(b.Min.X+x*k+sx, b.Min.Y+y*k+sy).RGBA()
					r, g, bl, a = r+pr, g+pg, bl+pb, a+pa
				}
			}
			n := uint32(k * k)
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n >> 8), uint8(g / n >> 8), uint8(bl / n >> 8), uint8(a / n >> 8)})
		}
	}
	return encodePNG(dst)
}
