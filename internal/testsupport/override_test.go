package testsupport

import (
	"reflect"
	"testing"
)

func TestOverride(t *testing.T) {
	base := map[string]string{"a": "1", "b": "2"}
	got := Override(base, map[string]string{"b": "", "c": "3", "a": "9"})
	if want := map[string]string{"a": "9", "c": "3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Override = %v, want %v", got, want)
	}
	if want := map[string]string{"a": "1", "b": "2"}; !reflect.DeepEqual(base, want) {
		t.Errorf("base changed to %v", base)
	}
}
