package repo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIndex(t *testing.T) {
	dir, repo, _ := repoDir(t)
	labels := filepath.Join(t.TempDir(), "de.labels")
	if err := os.WriteFile(labels, []byte("# German\nSearch=Suche\ntools=Werkzeuge\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := IndexOptions{
		BaseURL: "https://example.org/repo/", Signer: repo, List: "repolist.txt", HTML: "index.html",
		LabelsFile: labels, Labels: []string{"Download=Herunterladen", "Search=Finden"}, Lang: "de", Title: "Pakete",
		At: verifyAt,
	}
	r, err := Index(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.List != filepath.Join(dir, "repolist.txt") || r.HTML != filepath.Join(dir, "index.html") || len(r.Entries) != 1 {
		t.Fatalf("result = %+v", r)
	}
	list, err := os.ReadFile(r.List)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseList(list, nil, verifyAt)
	if err != nil || len(l.URLs) != 1 || l.URLs[0] != "https://example.org/repo/hello%20pkg.json" {
		t.Fatalf("ParseList = %+v, %v", l, err)
	}
	page, err := os.ReadFile(r.HTML)
	if err != nil {
		t.Fatal(err)
	}
	// The file's labels, then the pairs (Search twice: the pair wins),
	// the language and the title.
	for _, want := range []string{`<html lang="de">`, "<title>Pakete</title>", `placeholder="Finden"`, ">Werkzeuge</th>",
		"Herunterladen", `href="https://example.org/repo/repolist.txt"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("catalog lacks %q", want)
		}
	}

	// No page: only the list.
	o.List, o.HTML = "other.txt", ""
	if r, err := Index(dir, o); err != nil || r.HTML != "" {
		t.Errorf("without a page: %+v, %v", r, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.txt")); err != nil {
		t.Error(err)
	}
}

func TestIndexErrors(t *testing.T) {
	dir, repo, _ := repoDir(t)
	base := IndexOptions{BaseURL: "https://example.org/repo", Signer: repo, List: "l.txt", HTML: "p.html", At: verifyAt}
	for _, tc := range []struct {
		name    string
		change  func(o *IndexOptions)
		option  string // the OptionError's, if any
		wantErr string
	}{
		{"path as list", func(o *IndexOptions) { o.List = "../l.txt" }, "", `output "../l.txt": a file name in`},
		{"path as page", func(o *IndexOptions) { o.HTML = "sub/p.html" }, "", `output "sub/p.html": a file name in`},
		{"no list", func(o *IndexOptions) { o.List = "" }, "list", "list: the repository list needs a file name"},
		{"label without text", func(o *IndexOptions) { o.Labels = []string{"Search"} }, "label", `label "Search": want Name=Text`},
		{"unknown label", func(o *IndexOptions) { o.Labels = []string{"Colour=Farbe"} }, "label", `label "Colour=Farbe": "Colour" is neither a label`},
		{"bad language", func(o *IndexOptions) { o.Lang = "Deutsch" }, "lang", `lang: lang "Deutsch": want a language code`},
		{"missing labels file", func(o *IndexOptions) { o.LabelsFile = filepath.Join(dir, "nope") }, "", "reading labels: open"},
		{"bad URL", func(o *IndexOptions) { o.BaseURL = "ftp://example.org/repo" }, "", "is not an http(s) URL"},
		{"no key", func(o *IndexOptions) { o.Signer = nil }, "", "no repository key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.change(&o)
			_, err := Index(dir, o)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			var oe *OptionError
			if errors.As(err, &oe) != (tc.option != "") || (oe != nil && oe.Option != tc.option) {
				t.Errorf("err = %#v, want an OptionError for %q", err, tc.option)
			}
			for _, f := range []string{"l.txt", "p.html"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s written", f)
				}
			}
		})
	}
}
