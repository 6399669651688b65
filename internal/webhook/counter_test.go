package webhook

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestCounterCountsEveryAnswerByCode(t *testing.T) {
	var c Counter
	h := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("ok")) // implicit 200
		case "/empty": // nothing written: 200
		case "/big":
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		case "/twice":
			w.WriteHeader(http.StatusUnauthorized)
			w.WriteHeader(http.StatusInternalServerError) // superfluous, ignored by net/http
		}
	}))
	for _, p := range []string{"/ok", "/ok", "/empty", "/big", "/twice", "/big", "/big"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, p, nil))
	}
	want := map[string]float64{"200": 3, "413": 3, "401": 1}
	if got := c.Counts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
}
