package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
)

// names caches the names dictionary (see the schema). Entries are never changed or
// removed, in the database or here, so a cached entry is valid for good. Only
// committed entries are cached.
type names struct {
	mu     sync.RWMutex
	byName map[string]int64
	byID   []string // by id; grows by append only
	loaded int64    // every id up to this one is in byID
}

func newNames() *names {
	return &names{byName: map[string]int64{"": 0}, byID: []string{""}}
}

// id returns the cached id of name.
func (n *names) id(name string) (int64, bool) {
	n.mu.RLock()
	id, ok := n.byName[name]
	n.mu.RUnlock()
	return id, ok
}

// addCommitted caches entries a transaction has committed.
func (n *names) addCommitted(ids map[string]int64) {
	n.mu.Lock()
	for name, id := range ids {
		n.byName[name] = id
	}
	n.mu.Unlock()
}

// refresh reads the entries added since the last refresh, inside the caller's read
// transaction, and returns the id-to-name table that covers every id of that
// snapshot. The returned slice is never written to again: appends go past its length.
func (n *names) refresh(ctx context.Context, q driver.QueryerContext) ([]string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM names WHERE id > ? ORDER BY id`,
		[]driver.NamedValue{{Ordinal: 1, Value: n.loaded}})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, rows, defaultCheckEvery, func(v []driver.Value) {
		id, name := num(v[0]), str(v[1])
		if id < 0 || id > 1<<40 {
			return // cannot happen: ids are assigned 1, 2, 3, ...
		}
		for int64(len(n.byID)) <= id {
			n.byID = append(n.byID, "")
		}
		n.byID[id] = name
		n.byName[name] = id
		n.loaded = max(n.loaded, id)
	})
	if err := errors.Join(err, rows.Close()); err != nil {
		return nil, err
	}
	return n.byID[:len(n.byID):len(n.byID)], nil
}

// nameIDs finds or creates the ids of names inside one write transaction. What it
// creates goes to the shared cache only once the transaction has committed.
type nameIDs struct {
	ctx    context.Context
	tx     *sql.Tx
	cache  *names
	local  map[string]int64 // what this transaction has looked up, and created
	fresh  map[string]int64 // what this transaction has created
	sel    *sql.Stmt
	insert *sql.Stmt
}

func newNameIDs(ctx context.Context, tx *sql.Tx, cache *names) *nameIDs {
	return &nameIDs{ctx: ctx, tx: tx, cache: cache, local: map[string]int64{"": 0}, fresh: map[string]int64{}}
}

// id returns the id of name, creating it when the dictionary does not have it yet.
func (n *nameIDs) id(name string) (int64, error) {
	if id, ok := n.local[name]; ok {
		return id, nil
	}
	if id, ok := n.cache.id(name); ok {
		n.local[name] = id
		return id, nil
	}
	var err error
	if n.sel == nil {
		if n.sel, err = n.tx.PrepareContext(n.ctx, `SELECT id FROM names WHERE name = ?`); err != nil {
			return 0, err
		}
		if n.insert, err = n.tx.PrepareContext(n.ctx, `INSERT INTO names (name) VALUES (?)`); err != nil {
			return 0, err
		}
	}
	var id int64
	err = n.sel.QueryRowContext(n.ctx, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		if res, err = n.insert.ExecContext(n.ctx, name); err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("name %q: %w", name, err)
	}
	n.local[name] = id
	n.fresh[name] = id
	return id, nil
}

// committed hands what the transaction created to the shared cache.
func (n *nameIDs) committed() {
	if len(n.fresh) > 0 {
		n.cache.addCommitted(n.fresh)
	}
}

func (n *nameIDs) close() {
	if n.sel != nil {
		n.sel.Close()
		n.insert.Close()
	}
}
