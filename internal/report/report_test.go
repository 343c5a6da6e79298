package report

import (
	"reflect"
	"testing"
)

// fill sets every string (and map key, slice element, pointed-to struct)
// reachable in v to s, so that a field added later is covered too.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s)
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), s)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		}
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i), s)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, s)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, s)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// strs collects every string reachable in v.
func strs(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				strs(v.Field(i), out)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			strs(v.Elem(), out)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			strs(v.Index(i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			strs(k, out)
			strs(v.MapIndex(k), out)
		}
	}
}

// TestMapTextReachesEveryString: MapText maps every string field of a report
// and of a fleet summary, including fields added after it was written (the
// renderers rely on it to neutralise all of a report's text), and leaves
// the original untouched.
func TestMapTextReachesEveryString(t *testing.T) {
	const raw, mapped = "raw\x1b", "mapped"
	f := func(string) string { return mapped }
	for _, tc := range []struct {
		name string
		v    any
		mapf func(any) any
	}{
		{"report", &Report{}, func(v any) any { return v.(*Report).MapText(f) }},
		{"fleet", &Fleet{}, func(v any) any { return v.(*Fleet).MapText(f) }},
	} {
		fill(reflect.ValueOf(tc.v).Elem(), raw)
		var got []string
		strs(reflect.ValueOf(tc.mapf(tc.v)).Elem(), &got)
		for _, s := range got {
			if s != mapped {
				t.Errorf("%s: MapText left a string unmapped (%q); map the new field in MapText", tc.name, s)
				break
			}
		}
		var orig []string
		strs(reflect.ValueOf(tc.v).Elem(), &orig)
		for _, s := range orig {
			if s != raw {
				t.Errorf("%s: MapText changed the original", tc.name)
				break
			}
		}
	}
}
