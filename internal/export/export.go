// Package export reads every row of a list or report for its CSV answer (docs/exports.md): in one
// read-only snapshot, counted first so that an export over the limit is refused before any row is
// sent, then read in keyset chunks, so the server's memory stays flat whatever the export's size.
package export

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// DefaultMaxRows is EXPORT_MAX_ROWS when the environment does not set it.
const DefaultMaxRows = 100_000

// ChunkRows is how many rows one read of an export fetches: large enough that the round trips
// cost little next to the rows, small enough that one chunk is a few hundred KiB at most.
const ChunkRows = 1000

// Source is how one list is exported: Count counts the rows the export will hold, Page reads up
// to limit of them after last (nil: from the first), in the list's order. Both are the list's own
// queries (the JSON pages' query, with the list's keyset), run inside the export's snapshot.
// Run calls Count once, before any Page: a source may read there, in the snapshot, what its pages
// share (deployment's ExportReady reads the caller's models).
type Source[R any] struct {
	Count func(ctx context.Context, q *gen.Queries) (int64, error)
	Page  func(ctx context.Context, q *gen.Queries, last *R, limit int32) ([]R, error)
}

// Run sends every row of src to each, in the list's order, from one REPEATABLE READ READ ONLY
// transaction: every chunk sees the same snapshot, so rows inserted or changed while the export
// runs neither appear twice nor go missing. More than maxRows rows is export_too_large, before
// the first call of each. An error of each ends the export and is returned.
func Run[R any](ctx context.Context, pool *pgxpool.Pool, maxRows int64, src Source[R], each func(R) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgtx.WithTx(ctx, pgtx.DB{Pool: pool, Opts: opts}, func(tx pgx.Tx) error {
		// Planned for the export's own values (pgtx.CustomPlans): a chunk read through a generic
		// plan, which a named statement may switch to after five runs, cost ten times more.
		q := gen.New(pgtx.CustomPlans(tx))
		n, err := src.Count(ctx, q)
		if err != nil {
			return fmt.Errorf("count export rows: %w", err)
		}
		if n > maxRows {
			return TooLarge(n, maxRows)
		}
		var last *R
		for {
			rows, err := src.Page(ctx, q, last, ChunkRows)
			if err != nil {
				return fmt.Errorf("read export rows: %w", err)
			}
			for i := range rows {
				if err := each(rows[i]); err != nil {
					return err
				}
			}
			if len(rows) < ChunkRows {
				return nil
			}
			last = &rows[len(rows)-1]
		}
	})
}

// TooLarge is the export_too_large (400) of an export of n rows, over maxRows.
func TooLarge(n, maxRows int64) *domain.Error {
	e := domain.Errorf(domain.CodeExportTooLarge,
		"the export would hold %d rows, more than the %d an export may hold; narrow it with filters", n, maxRows)
	e.Extra = map[string]any{"matching_rows": n, "max_rows": maxRows}
	return e
}
