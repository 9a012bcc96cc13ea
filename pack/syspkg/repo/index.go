package repo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// IndexOptions say how Index publishes a repository directory. The names
// of the fields are those of kiln syspkg index's flags.
type IndexOptions struct {
	// BaseURL is the http(s) address the directory is published at.
	BaseURL string
	// Signer signs the list: the repository certificate and its key.
	Signer *sign.Signer
	// List is the name of the signed list in the directory; HTML that of
	// the catalog page, "" for none.
	List, HTML string
	// LabelsFile is a file of Name=Text lines translating the catalog
	// (Labels.Parse); Labels are more such pairs, applied after it.
	LabelsFile string
	Labels     []string
	// Lang is the description translation the catalog shows ("" for
	// English); Title its title ("" for the repository's name).
	Lang, Title string
	// AllowUnsigned lists metainfo without a signature too (syspkg will
	// not install them).
	AllowUnsigned bool
	// At is the time certificates must be valid at (zero: now).
	At time.Time
}

// Result is what Index wrote.
type Result struct {
	Entries []Entry // the packages listed
	List    string  // the signed list's path
	HTML    string  // the catalog page's path, "" when none was asked for
}

// An OptionError is an IndexOptions field Index cannot use. Option is the
// field's name as kiln syspkg index's flag ("label", "lang", "list"),
// Value the value at fault when there are several.
type OptionError struct {
	Option, Value string
	Err           error
}

func (e *OptionError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s %q: %v", e.Option, e.Value, e.Err)
	}
	return e.Option + ": " + e.Err.Error()
}

func (e *OptionError) Unwrap() error { return e.Err }

// Index publishes the repository directory dir: it reads and checks it
// (ReadDir), signs the list of its metainfo (SignList) and renders its
// catalog (Catalog) with the labels the options give, and writes the list
// and the page into dir. Both are made before either is written, so a
// problem with the directory or the options leaves dir as it was; each
// file is replaced whole (atomicfile).
func Index(dir string, o IndexOptions) (*Result, error) {
	if o.Signer == nil {
		return nil, errors.New("indexing repository: no repository key")
	}
	for _, name := range []string{o.List, o.HTML} {
		if name != "" && name != filepath.Base(name) {
			return nil, fmt.Errorf("output %q: a file name in %s, not a path", name, dir)
		}
	}
	if o.List == "" {
		return nil, &OptionError{Option: "list", Err: errors.New("the repository list needs a file name")}
	}
	labels, err := o.labels()
	if err != nil {
		return nil, err
	}
	entries, err := ReadDir(dir, DirOptions{BaseURL: o.BaseURL, Repo: o.Signer.Cert, AllowUnsigned: o.AllowUnsigned, At: o.At})
	if err != nil {
		return nil, err
	}
	list, err := SignList(URLs(entries), o.Signer)
	if err != nil {
		return nil, err
	}
	var page bytes.Buffer
	if o.HTML != "" {
		if err := Catalog(&page, Metas(entries), labels); err != nil {
			return nil, err
		}
	}
	r := &Result{Entries: entries, List: filepath.Join(dir, o.List)}
	if err := atomicfile.Write(r.List, list, 0o644); err != nil {
		return nil, err
	}
	if o.HTML != "" {
		r.HTML = filepath.Join(dir, o.HTML)
		if err := atomicfile.Write(r.HTML, page.Bytes(), 0o644); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// labels are the catalog's: the defaults for the repository, then the
// labels file, the label pairs, the language and the title.
func (o *IndexOptions) labels() (Labels, error) {
	l := DefaultLabels(o.Signer.Cert, strings.TrimSuffix(o.BaseURL, "/")+"/"+o.List)
	if o.LabelsFile != "" {
		data, err := os.ReadFile(o.LabelsFile)
		if err != nil {
			return l, fmt.Errorf("reading labels: %w", err)
		}
		if err := l.Parse(data); err != nil {
			return l, fmt.Errorf("%s: %w", o.LabelsFile, err)
		}
	}
	for _, kv := range o.Labels {
		name, text, ok := strings.Cut(kv, "=")
		if !ok {
			return l, &OptionError{Option: "label", Value: kv, Err: errors.New("want Name=Text")}
		}
		if err := l.Set(name, text); err != nil {
			return l, &OptionError{Option: "label", Value: kv, Err: err}
		}
	}
	if o.Lang != "" {
		if err := l.Set("lang", o.Lang); err != nil {
			return l, &OptionError{Option: "lang", Err: err}
		}
	}
	if o.Title != "" {
		l.Title = o.Title
	}
	return l, nil
}
