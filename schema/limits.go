package schema

import (
	"fmt"
	"runtime/metrics"
	"strings"
	"time"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/scanner"
	"cuelang.org/go/cue/token"
)

// Limits on what a recipe file may ask of the evaluator. CUE's parser and
// evaluator recurse without a bound, and Go cannot recover from a stack
// overflow: a deeply nested list kills kiln (or the BuildKit frontend)
// outright. Shapes are checked on tokens, before CUE parses anything; time
// and memory while CUE evaluates. Real recipes are a few levels deep with
// short expressions and evaluate in milliseconds.
const (
	// MaxDepth bounds the nesting of lists, structs, parentheses and
	// string interpolations.
	MaxDepth = 64
	// MaxExprTokens bounds the tokens of one expression or field between
	// commas (a nested list or struct counts as one): a chain a: b: c: ...
	// or 1+1+1+... nests as deeply as brackets do.
	MaxExprTokens = 1000
)

// Evaluation bounds, variables so tests can lower them.
var (
	evalTimeout        = 20 * time.Second
	evalMemory  uint64 = 2 << 30 // heap bytes, for the whole process
)

// checkShape tokenises CUE (or JSON, which CUE's JSON decoder parses as
// CUE) without recursion, and refuses nesting beyond MaxDepth or an
// expression beyond MaxExprTokens, positioned at the token that goes too
// far. Syntax errors are left to the parser, which positions them better.
func checkShape(filename string, data []byte) Errors {
	var s scanner.Scanner
	f := token.NewFile(filename, -1, len(data))
	s.Init(f, data, nil, 0) // with automatic commas, which end expressions at newlines
	// tokens[i] counts the tokens of the current expression at depth i;
	// interp[i] says depth i is a string interpolation's \( ... ).
	tokens, interp := []int{0}, []bool{false}
	pendingInterp := false
	fail := func(pos token.Pos, msg string) Errors {
		p := pos.Position()
		return Errors{{File: filename, Line: p.Line, Col: p.Column, Msg: msg}}
	}
	for {
		pos, tok, lit := s.Scan()
		top := len(tokens) - 1
		switch tok {
		case token.EOF, token.ILLEGAL:
			return nil
		case token.COMMA:
			tokens[top] = 0
			continue
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if top == 0 {
				return nil // unbalanced: a syntax error for the parser
			}
			wasInterp := interp[top]
			tokens, interp = tokens[:top], interp[:top]
			if wasInterp {
				if tok != token.RPAREN {
					return nil
				}
				rest := s.ResumeInterpolation()
				pendingInterp = strings.HasSuffix(rest, "(")
			}
			continue
		}
		tokens[top]++
		if tokens[top] > MaxExprTokens {
			return fail(pos, fmt.Sprintf("an expression longer than %d tokens (split it, or write it as a list)", MaxExprTokens))
		}
		switch tok {
		case token.INTERPOLATION:
			pendingInterp = strings.HasSuffix(lit, "(")
		case token.LPAREN, token.LBRACK, token.LBRACE:
			if len(tokens) >= MaxDepth {
				return fail(pos, fmt.Sprintf("nested more than %d levels deep", MaxDepth))
			}
			tokens, interp = append(tokens, 0), append(interp, tok == token.LPAREN && pendingInterp)
			pendingInterp = false
		}
	}
}

// checkDepth refuses a decoded YAML document nested beyond MaxDepth
// (lists and mappings), which CUE would evaluate recursively.
func checkDepth(filename string, x ast.Expr) Errors {
	var deep ast.Node
	var walk func(n ast.Node, depth int)
	walk = func(n ast.Node, depth int) {
		if deep != nil {
			return
		}
		switch n := n.(type) {
		case *ast.StructLit:
			if depth++; depth > MaxDepth {
				deep = n
				return
			}
			for _, e := range n.Elts {
				if f, ok := e.(*ast.Field); ok {
					walk(f.Value, depth)
				}
			}
		case *ast.ListLit:
			if depth++; depth > MaxDepth {
				deep = n
				return
			}
			for _, e := range n.Elts {
				walk(e, depth)
			}
		}
	}
	walk(x, 0)
	if deep == nil {
		return nil
	}
	p := deep.Pos().Position()
	return Errors{{File: filename, Line: p.Line, Col: p.Column, Msg: fmt.Sprintf("nested more than %d levels deep", MaxDepth)}}
}

// bounded runs eval, giving up when it runs longer than evalTimeout or the
// heap grows past evalMemory: a few lines of nested comprehensions can ask
// CUE for billions of values. CUE cannot be interrupted, so the evaluation
// goes on in the background; kiln reports the error and exits, and the
// frontend ends the build. A panic in eval is an error too.
func bounded[T any](filename string, eval func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				var zero T
				done <- result{zero, Errors{{File: filename, Msg: fmt.Sprintf("internal error while evaluating: %v", p)}}}
			}
		}()
		v, err := eval()
		done <- result{v, err}
	}()
	timeout := time.NewTimer(evalTimeout)
	defer timeout.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var zero T
	for {
		select {
		case r := <-done:
			return r.v, r.err
		case <-timeout.C:
			return zero, Errors{{File: filename, Msg: fmt.Sprintf("evaluating took longer than %v (comprehensions over large ranges?)", evalTimeout)}}
		case <-tick.C:
			metrics.Read(sample)
			if h := sample[0].Value.Uint64(); h > evalMemory {
				return zero, Errors{{File: filename, Msg: fmt.Sprintf("evaluating needed more than %d MiB of memory (comprehensions over large ranges?)", evalMemory>>20)}}
			}
		}
	}
}
