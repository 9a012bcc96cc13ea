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
	return decodeValue(v, reflect.ValueOf(ptr).Elem())
}

func decodeValue(v cue.Value, dst reflect.Value) error {
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
		if err := decodeValue(v, p.Elem()); err != nil {
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
			if err := decodeValue(it.Value(), e); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		dst.Set(s)
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
			if err := decodeValue(fv, dst.Field(i)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	}
	return v.Decode(dst.Addr().Interface())
}
