package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

type numPage struct {
	Items []int `json:"items"`
	Next  *int  `json:"next"`
	Total *int  `json:"total"`
}

func TestFetchNumbered(t *testing.T) {
	totals := []int{5, 5, 6}
	c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("p"))
		if q.Get("size") != "2" || q.Get("keep") != "1" {
			http.Error(w, "bad query "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		next := "null"
		if n < 3 {
			next = strconv.Itoa(n + 1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"items":[%d,%d],"next":%s,"total":%d}`, 2*n-1, 2*n, next, totals[n-1])
	}, nil)
	nb := Numbering{PageParam: "p", SizeParam: "size", Size: 2, MaxPages: 10}
	links := func(p *numPage) (*int, *int) { return p.Next, p.Total }
	var got []int
	changed, err := FetchNumbered(context.Background(), c, "/list", url.Values{"keep": {"1"}}, nb, links,
		func(p *numPage) { got = append(got, p.Items...) })
	if err != nil || !changed || fmt.Sprint(got) != "[1 2 3 4 5 6]" {
		t.Errorf("got %v, changed %v, err %v", got, changed, err)
	}
	totals = []int{5, 5, 5}
	if changed, err := FetchNumbered(context.Background(), c, "/list", url.Values{"keep": {"1"}}, nb, links, func(*numPage) {}); err != nil || changed {
		t.Errorf("steady total: changed %v, err %v", changed, err)
	}
	nb.MaxPages = 2
	if _, err := FetchNumbered(context.Background(), c, "/list", url.Values{"keep": {"1"}}, nb, links, func(*numPage) {}); err == nil ||
		!strings.Contains(err.Error(), "GET /list: more than 2 pages") {
		t.Errorf("err = %v", err)
	}
}
