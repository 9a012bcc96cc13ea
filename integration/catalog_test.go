package integration

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kilnAt runs the kiln binary in dir and fails the test on error.
func kilnAt(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Getenv("KILN_BIN"), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kiln %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// catalogPackage is one package of the test repository.
type catalogPackage struct {
	id, version, category string
	files                 map[string]string // installed tree; none: a meta-package
}

var catalogRepo = []catalogPackage{
	{id: "hello", version: "1.2.0-1", category: "tools", files: map[string]string{"usr/bin/hello": "#!/bin/sh\necho hello\n"}},
	{id: "goodbye", version: "0.9.1-2", category: "tools", files: map[string]string{"usr/bin/goodbye": "#!/bin/sh\necho bye\n", "usr/share/man/man1/goodbye.1": ".TH GOODBYE 1\n"}},
	{id: "libgreet", version: "2.0.0-1", category: "libs", files: map[string]string{"usr/lib/libgreet.so.2": strings.Repeat("\x7fELF", 3000)}},
	{id: "greet-all", version: "1.0.0", category: "tools"},
}

var catalogDescriptions = map[string]string{
	"hello":     `{ "en", "Hello", "Prints a friendly greeting" }, { "de", "Hallo", "Gibt einen freundlichen Gruß aus" }`,
	"goodbye":   `{ "en", "Goodbye", "Says goodbye politely" }, { "de", "Auf Wiedersehen", "Verabschiedet sich höflich" }`,
	"libgreet":  `{ "en", "Greeting library", "Shared library of greetings" }, { "de", "Grußbibliothek", "Gemeinsame Bibliothek der Grüße" }`,
	"greet-all": `{ "en", "All greeters", "Installs every greeter" }, { "de", "Alle Grüßer", "Installiert alle Grüßer" }`,
}

// buildCatalogRepo makes a syspkg repository with the real kiln binary:
// certificates, payloads, signed metainfo, then index.html (English) and
// de.html (German labels) with the signed list.
func buildCatalogRepo(t *testing.T) string {
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	kilnAt(t, work, "cert", "repository", "Greeter Repository", "--bits", "2048")
	kilnAt(t, work, "cert", "developer", "Jane Doe", "--bits", "2048")
	kilnAt(t, work, "cert", "sign", "developer.pem")
	for _, p := range catalogRepo {
		var payloads []string
		if p.files != nil {
			tree := filepath.Join(work, "tree-"+p.id)
			writeFiles(t, tree, p.files)
			for _, arch := range []string{"x86_64", "aarch64"} {
				meta := filepath.Join(work, p.id+"-"+arch+".pkg.json")
				writeFiles(t, work, map[string]string{filepath.Base(meta): fmt.Sprintf(
					`{"name": %q, "version": %q, "arch": %q, "maintainer": "Jane Doe <jane@example.org>", "summary": "x", "epoch": 1714521600}`,
					p.id, p.version, arch)})
				kilnAt(t, work, "pack", "--format", "syspkg", "--meta", meta, "--root", tree, "--out", repo)
				canon, _, _ := strings.Cut(p.version, "-")
				payloads = append(payloads, fmt.Sprintf("%s=repo/%s-%s-%s.zip", arch, p.id, canon, arch))
			}
		}
		canon, _, _ := strings.Cut(p.version, "-")
		meta := fmt.Sprintf("{\n\"id\": %q,\n\"description\": [ %s ],\n\"version\": %q,\n\"release\": %q,\n\"category\": %q,\n\"license\": \"MIT\"", p.id, catalogDescriptions[p.id], canon, p.version, p.category)
		if p.files != nil {
			meta += fmt.Sprintf(",\n\"url\": \"http://127.0.0.1/repo/%s-$VERSION-$ARCH.zip\"", p.id)
		} else {
			meta += ",\n\"depends\": [ \"hello\", \"goodbye\" ]"
		}
		writeFiles(t, work, map[string]string{p.id + ".json": meta + "\n}\n"})
		kilnAt(t, work, append([]string{"syspkg", "sign", p.id + ".json", "--dev-cert", "developer-signed.pem", "--dev-key", "developer.key", "-o", "repo/" + p.id + ".json"}, payloads...)...)
	}
	kilnAt(t, work, "syspkg", "index", "repo", "--url", "http://127.0.0.1/repo")
	writeFiles(t, work, map[string]string{"de.labels": "title=Grüßer-Pakete\nRepository=Paketquelle\nSearch=Suche\nPackage Size=Paketgröße\n" +
		"Installed Size=Installierte Größe\nDownload=Herunterladen\ntools=Werkzeuge\nlibs=Bibliotheken\n"})
	kilnAt(t, work, "syspkg", "index", "repo", "--url", "http://127.0.0.1/repo", "--lang", "de", "--labels", "de.labels", "--html", "de.html")
	return repo
}

// TestCatalogInChromium opens a generated catalog in headless Chromium:
// typing into the search box filters the packages, the German page shows
// the translated labels, and screenshots show a rendered page.
func TestCatalogInChromium(t *testing.T) {
	requireIntegration(t)
	repo := buildCatalogRepo(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(repo))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String() + "/"

	const width, height = 1200, 720
	b := startBrowser(t, width, height)
	shots := screenshotDir(t)
	visible := func() string {
		var ids []string
		b.eval(`Array.from(document.querySelectorAll("tr.pkg")).filter(r => r.offsetParent !== null).map(r => r.id)`, &ids)
		return strings.Join(ids, " ")
	}

	b.navigate(base + "index.html")
	var title, placeholder string
	b.eval(`document.title`, &title)
	b.eval(`document.getElementById("search").placeholder`, &placeholder)
	if title != "Greeter Repository" || placeholder != "Search" {
		t.Errorf("English page: title %q, search placeholder %q", title, placeholder)
	}
	if got := visible(); got != "pkg-libgreet pkg-goodbye pkg-greet-all pkg-hello" {
		t.Errorf("visible packages before searching: %q", got)
	}
	full := b.screenshot()
	save(t, shots, "catalog-en.png", full)

	// Click into the search box and type, as a user does.
	var box struct{ X, Y float64 }
	b.eval(`(() => { const r = document.getElementById("search").getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`, &box)
	b.click(box.X, box.Y)
	var focused string
	b.eval(`document.activeElement.id`, &focused)
	if focused != "search" {
		t.Fatalf("clicking the search box focused %q", focused)
	}
	b.typeText("bye")
	var typed string
	b.eval(`document.getElementById("search").value`, &typed)
	if typed != "bye" {
		t.Fatalf("search box holds %q after typing", typed)
	}
	if got := visible(); got != "pkg-goodbye" {
		t.Errorf("after typing %q: visible %q, want pkg-goodbye", typed, got)
	}
	var libsHidden bool
	b.eval(`document.getElementById("category-libs").offsetParent === null`, &libsHidden)
	if !libsHidden {
		t.Error("the libs category stays visible with no matching package")
	}
	filtered := b.screenshot()
	save(t, shots, "catalog-en-bye.png", filtered)
	// Every word must match: two words narrow, a miss empties the page.
	b.typeText(" zzz")
	if got := visible(); got != "" {
		t.Errorf("after typing %q: visible %q, want none", "bye zzz", got)
	}
	// A link with #q= opens the page already filtered.
	b.navigate(base + "index.html#q=library")
	if got := visible(); got != "pkg-libgreet" {
		t.Errorf("#q=library: visible %q", got)
	}

	// The German page: translated labels, headings and descriptions, and
	// search over the German text.
	b.navigate(base + "de.html")
	var de struct {
		Lang, Title, Placeholder, Repo string
		Headings                       []string
		Names                          []string
	}
	b.eval(`({lang: document.documentElement.lang, title: document.title,
		placeholder: document.getElementById("search").placeholder,
		repo: document.querySelector("a.repo").textContent,
		headings: Array.from(document.querySelectorAll("th")).map(h => h.textContent),
		names: Array.from(document.querySelectorAll("tr.pkg summary b")).map(n => n.textContent)})`, &de)
	if de.Lang != "de" || de.Title != "Grüßer-Pakete" || de.Placeholder != "Suche" || de.Repo != "Paketquelle" {
		t.Errorf("German page: %+v", de)
	}
	for _, want := range []string{"Werkzeuge", "Bibliotheken", "Paketgröße", "Installierte Größe", "Herunterladen"} {
		if !strings.Contains(strings.Join(de.Headings, "|"), want) {
			t.Errorf("German page headings %q lack %q", de.Headings, want)
		}
	}
	if strings.Join(de.Names, "|") != "Grußbibliothek|Auf Wiedersehen|Alle Grüßer|Hallo" {
		t.Errorf("German package names: %q", de.Names)
	}
	german := b.screenshot()
	save(t, shots, "catalog-de.png", german)
	b.eval(`document.getElementById("search").focus()`, nil)
	b.typeText("höflich")
	if got := visible(); got != "pkg-goodbye" {
		t.Errorf("German search %q: visible %q", "höflich", got)
	}

	for name, shot := range map[string][]byte{"catalog-en": full, "catalog-en-bye": filtered, "catalog-de": german} {
		checkScreenshot(t, name, shot, width, height)
	}
	if bytes.Equal(full, filtered) || bytes.Equal(full, german) {
		t.Error("searching or switching the language did not change the rendered page")
	}
	// The filtered page shows one row: less ink below the header.
	if ink(t, filtered, 80) >= ink(t, full, 80) {
		t.Errorf("filtered page has no less text than the full one (%d >= %d dark pixels)", ink(t, filtered, 80), ink(t, full, 80))
	}
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("KILN_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func save(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	return img
}

func rgb(c color.Color) [3]uint8 {
	r, g, b, _ := c.RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

func dark(c [3]uint8) bool { return int(c[0])+int(c[1])+int(c[2]) < 3*110 }

// checkScreenshot asserts the page was rendered: the viewport size, many
// colours (anti-aliased text), the header band in the catalog's header
// colour with dark title text on it, and text in the table below.
func checkScreenshot(t *testing.T, name string, data []byte, width, height int) {
	t.Helper()
	img := decodePNG(t, data)
	bnd := img.Bounds()
	if bnd.Dx() != width || bnd.Dy() != height {
		t.Errorf("%s: %dx%d, want %dx%d", name, bnd.Dx(), bnd.Dy(), width, height)
	}
	colours := map[[3]uint8]bool{}
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 2 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 2 {
			colours[rgb(img.At(x, y))] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("%s: only %d distinct colours: a blank or flat page", name, len(colours))
	}
	// The header: a band of #eef1f5 (--head) holding the dark title.
	head := [3]uint8{0xee, 0xf1, 0xf5}
	var headPx, titleInk, total int
	for y := 0; y < 48; y++ {
		for x := 0; x < 400; x++ {
			c := rgb(img.At(x, y))
			total++
			if c == head {
				headPx++
			}
			if dark(c) {
				titleInk++
			}
		}
	}
	if headPx < total/2 {
		t.Errorf("%s: header band is %d/%d pixels of the header colour", name, headPx, total)
	}
	if titleInk < 100 {
		t.Errorf("%s: title region has %d dark pixels: no title rendered", name, titleInk)
	}
	if n := ink(t, data, 80); n < 500 {
		t.Errorf("%s: %d dark pixels below the header: no table rendered", name, n)
	}
}

// ink counts dark pixels below y0: how much text a screenshot shows.
func ink(t *testing.T, data []byte, y0 int) int {
	img := decodePNG(t, data)
	n := 0
	for y := y0; y < img.Bounds().Max.Y; y++ {
		for x := 0; x < img.Bounds().Max.X; x++ {
			if dark(rgb(img.At(x, y))) {
				n++
			}
		}
	}
	return n
}
