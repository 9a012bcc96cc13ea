package schema

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"
)

// document is a recipe file parsed into CUE syntax, before any evaluation.
type document struct {
	file   string
	format string // "cue", "yaml" or "json"
	// cue is set for CUE files (which may hold expressions), expr for data
	// formats.
	cue  *ast.File
	expr ast.Expr
	src  []byte // the bytes parsed, for quoting values as written
	// pos maps recipe paths ("sources.1.sha256") to where the user wrote
	// them, so errors found against the schema point into this file. Only
	// invalid recipes need it; see positions.
	pos map[string]position
	// repo: a repository file (top-level recipes, see repofile.go).
	repo bool
	// inherited maps the recipe fields a YAML or JSON repository filled
	// from its defaults to the defaults entry ("recipes.a.license" ->
	// "defaults.license").
	inherited map[string]string
}

// positions indexes the literal fields of the document on first use.
func (d *document) positions() map[string]position {
	if d.pos == nil {
		d.pos = map[string]position{}
		if d.cue != nil {
			indexDecls(d.pos, "", d.cue.Decls)
		} else {
			indexExpr(d.pos, "", d.expr)
		}
	}
	return d.pos
}

// position is where a recipe path was written: line and column of its key
// (or list element), and the byte offset of its value in document.src.
type position struct {
	line, col int
	valueOff  int
}

// decode parses data in the format its name says, without evaluating it.
func decode(filename string, data []byte) (*document, Errors) {
	fail := func(msg string) (*document, Errors) {
		return nil, Errors{{File: filename, Msg: msg}}
	}
	if len(data) > MaxSize {
		return fail(fmt.Sprintf("recipe is larger than %d bytes", MaxSize))
	}
	d := &document{file: filename}
	data = blankSyntaxLine(data)
	d.src = data
	var err error
	switch ext := strings.ToLower(filepath.Ext(filename)); ext {
	case ".cue":
		d.format = "cue"
		if errs := checkShape(filename, data); errs != nil {
			return nil, errs
		}
		d.cue, err = parser.ParseFile(filename, data)
		if err == nil {
			openDefinitions(d.cue)
			d.repo = hasRepoField(d.cue.Decls)
		}
	case ".yaml", ".yml":
		d.format = "yaml"
		if err := checkYAMLAliases(data); err != nil {
			return fail(err.Error())
		}
		if bytes.ContainsAny(data, "\r\u0085\u2028\u2029") {
			d.src = []byte(yamlLineBreaks.Replace(string(data)))
		}
		var f *ast.File
		f, err = cueyaml.Extract(filename, d.src)
		if err == nil {
			d.expr = fileExpr(f)
			if errs := checkDepth(filename, d.expr); errs != nil {
				return nil, errs
			}
		}
	case ".json":
		d.format = "json"
		// Check with encoding/json first: CUE's JSON decoder runs the CUE
		// expression parser, which panics on some non-JSON input ("==").
		if errs := jsonSyntax(filename, data); errs != nil {
			return nil, errs
		}
		if errs := checkShape(filename, data); errs != nil {
			return nil, errs
		}
		d.expr, err = cuejson.Extract(filename, data)
	default:
		return fail(fmt.Sprintf("unknown recipe format %q (want .cue, .yaml, .yml or .json)", ext))
	}
	if err != nil {
		return nil, syntaxErrors(filename, d.format, err)
	}
	if errs := duplicateKeys(filename, d.expr); errs != nil {
		return nil, errs
	}
	if top, ok := d.expr.(*ast.StructLit); ok && hasRepoField(top.Elts) {
		d.repo = true
		if errs := d.mergeDefaults(top); errs != nil {
			return nil, errs
		}
	}
	return d, nil
}

// yamlLineBreaks turns every line break yaml/v3 knows (CR LF, CR, NEL,
// LS, PS) into LF. CUE's YAML decoder counts lines by LF only and panics
// ("illegal file offset") when the two disagree; scalars read the same,
// since YAML folds all of them to LF anyway.
var yamlLineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

// syntaxLine matches a BuildKit frontend directive ("# syntax=image"),
// which lets `docker buildx build -f kiln.cue` pick the kiln frontend.
var syntaxLine = regexp.MustCompile(`^#\s*(?i:syntax)\s*=`)

// HasSyntaxLine reports whether data starts with a "# syntax=" line
// (a CUE file may start with "#" for a definition, "#defaults: {...}").
func HasSyntaxLine(data []byte) bool { return syntaxLine.Match(data) }

// blankSyntaxLine empties a leading "# syntax=" line: it is not CUE (nor
// JSON), and keeping the newline keeps every later line number right.
func blankSyntaxLine(data []byte) []byte {
	if !syntaxLine.Match(data) {
		return data
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return data[i:]
	}
	return nil
}

// fileExpr turns the file yaml.Extract returns into one expression: a
// struct for a mapping, or the embedded value for anything else (which the
// schema then rejects with a type error).
func fileExpr(f *ast.File) ast.Expr {
	if len(f.Decls) == 1 {
		if e, ok := f.Decls[0].(*ast.EmbedDecl); ok {
			return e.Expr
		}
	}
	elts := make([]ast.Decl, len(f.Decls))
	copy(elts, f.Decls)
	return &ast.StructLit{Elts: elts}
}

// indexExpr records the position of every field and list element that is
// written literally; computed CUE values fall back to CUE's own positions.
func indexExpr(idx map[string]position, path string, x ast.Expr) {
	switch x := x.(type) {
	case *ast.StructLit:
		indexDecls(idx, path, x.Elts)
	case *ast.ListLit:
		for i, e := range x.Elts {
			p := join(path, fmt.Sprint(i))
			record(idx, p, e, e)
			indexExpr(idx, p, e)
		}
	}
}

func indexDecls(idx map[string]position, path string, decls []ast.Decl) {
	for _, decl := range decls {
		switch f := decl.(type) {
		case *ast.Field:
			name, _, err := ast.LabelName(f.Label)
			if err != nil {
				continue
			}
			p := join(path, selector(name))
			record(idx, p, f, f.Value)
			indexExpr(idx, p, f.Value)
		case *ast.EmbedDecl:
			indexExpr(idx, path, f.Expr)
		}
	}
}

// record notes where path was written (n: the field or element) and where
// its value starts (val), for quoting the user's own spelling of a value.
func record(idx map[string]position, path string, n, val ast.Node) {
	pos := n.Pos()
	if s, ok := n.(*ast.StructLit); ok && pos.Line() == 0 && len(s.Elts) > 0 {
		pos = s.Elts[0].Pos() // YAML mappings start at their first key
	}
	if _, dup := idx[path]; dup || pos.Line() == 0 {
		return
	}
	off := -1
	if vp := val.Pos(); vp.IsValid() {
		off = vp.Offset()
	}
	idx[path] = position{line: pos.Line(), col: pos.Column(), valueOff: off}
}
