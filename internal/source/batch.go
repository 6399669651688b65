package source

import (
	"context"
	"encoding/json"
	"fmt"
)

// Split cuts the incidents, pages, engagements, shifts and changes of b, in that order, into
// batches of at most max records each. People, teams and the cursor are not carried
// over. There is always at least one (possibly empty) batch, so that a caller can set
// the cursor on the last one.
func (b *Batch) Split(max int) []*Batch {
	var out []*Batch
	cur := &Batch{}
	n := 0
	add := func() {
		n++
		if n >= max {
			out = append(out, cur)
			cur, n = &Batch{}, 0
		}
	}
	for _, x := range b.Incidents {
		cur.Incidents = append(cur.Incidents, x)
		add()
	}
	for _, x := range b.Pages {
		cur.Pages = append(cur.Pages, x)
		add()
	}
	for _, x := range b.Engagements {
		cur.Engagements = append(cur.Engagements, x)
		add()
	}
	for _, x := range b.Shifts {
		cur.Shifts = append(cur.Shifts, x)
		add()
	}
	for _, x := range b.Changes {
		cur.Changes = append(cur.Changes, x)
		add()
	}
	if n > 0 || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// WriteSplit writes b to sink as source name in batches of at most max records (see
// Split), the last one carrying cursor: a crash mid-way leaves the old cursor stored.
func WriteSplit(ctx context.Context, sink Sink, name string, b *Batch, max int, cursor string) error {
	batches := b.Split(max)
	batches[len(batches)-1].Cursor = cursor
	for _, bb := range batches {
		if err := sink.Write(ctx, name, bb); err != nil {
			return fmt.Errorf("writing a batch: %w", err)
		}
	}
	return nil
}

// WriteSync ends a sync: it writes ref (the people and teams read this time; nil when
// they were not re-read), then b split into batches of at most max records, the last
// one carrying the JSON of cursor, so the cursor is stored only with the last of the
// data it covers.
func WriteSync(ctx context.Context, sink Sink, name string, ref, b *Batch, max int, cursor any) error {
	raw, err := json.Marshal(cursor)
	if err != nil {
		return fmt.Errorf("encoding the cursor: %w", err)
	}
	if ref != nil {
		if err := sink.Write(ctx, name, ref); err != nil {
			return fmt.Errorf("writing people and teams: %w", err)
		}
	}
	return WriteSplit(ctx, sink, name, b, max, string(raw))
}
