package schema

import (
	"fmt"
	"reflect"
	"strings"

	"cuelang.org/go/cue"
)

// decodeInto fills the struct pointed to by ptr from the validated value v,
// field by field through the json tags.
//
// It does what cue.Value.Decode does, several times faster: Decode sorts
// every struct's fields topologically before walking them, which cost more
// than validating the recipe. Types it does not handle go through Decode.
func decodeInto(v cue.Value, ptr any) error {
	return decoder{}.value(v, reflect.ValueOf(ptr).Elem())
}

// decodeLenient decodes what it can of an invalid recipe, for the Go-side
// checks (semantic.go) to report problems beside CUE's: a field, list
// element or map entry that does not decode is left zero rather than
// failing the whole. It reports false if v could not be read at all.
func decodeLenient(v cue.Value, ptr any) (ok bool) {
	// The CUE API panics on some invalid values (see lookup).
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return decoder{lenient: true}.value(v, reflect.ValueOf(ptr).Elem()) == nil
}

type decoder struct {
	// lenient zeroes what does not decode (see decodeLenient). Lists of
	// scalars stay all or nothing: a list with a hole (choices ["on", ""])
	// would make the checks report problems the user does not have.
	lenient bool
}

func (d decoder) value(v cue.Value, dst reflect.Value) error {
	switch dst.Kind() {
	case reflect.String:
		s, err := v.String()
		dst.SetString(s)
		return err
	case reflect.Bool:
		b, err := v.Bool()
		dst.SetBool(b)
		return err
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := v.Int64()
		dst.SetInt(n)
		return err
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := d.value(v, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Slice:
		it, err := v.List()
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(dst.Type(), 0, 4)
		for it.Next() {
			e := reflect.New(dst.Type().Elem()).Elem()
			if err := d.value(it.Value(), e); err != nil {
				if !d.lenient || isScalar(e) {
					return err
				}
				e.SetZero() // keep the index: positions count elements
			}
			s = reflect.Append(s, e)
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		if dst.Type().Key().Kind() != reflect.String {
			break
		}
		it, err := v.Fields()
		if err != nil {
			return err
		}
		m := reflect.MakeMap(dst.Type())
		for it.Next() {
			e := reflect.New(dst.Type().Elem()).Elem()
			if err := d.value(it.Value(), e); err != nil {
				if !d.lenient {
					return fmt.Errorf("%s: %w", it.Selector(), err)
				}
				if isScalar(e) {
					continue // a zero value would read as the user's
				}
				e.SetZero() // keep the key: it is still declared
			}
			m.SetMapIndex(reflect.ValueOf(it.Selector().Unquoted()), e)
		}
		dst.Set(m)
		return nil
	case reflect.Struct:
		t := dst.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			fv := v.LookupPath(cue.MakePath(cue.Str(name)))
			if !fv.Exists() {
				continue
			}
			if err := d.value(fv, dst.Field(i)); err != nil {
				if !d.lenient {
					return fmt.Errorf("%s: %w", name, err)
				}
				dst.Field(i).SetZero()
			}
		}
		return nil
	}
	if d.lenient && !v.IsConcrete() {
		return fmt.Errorf("not concrete")
	}
	return v.Decode(dst.Addr().Interface())
}

func isScalar(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Int32:
		return true
	}
	return false
}
