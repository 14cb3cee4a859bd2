package validation

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// CheckResult is what a create of the same body would meet (POST
// /validation-requests/check): its refusals, its target-date warnings, and whether it would go
// through — no refusal, and no warning or the warnings acknowledged.
type CheckResult struct {
	Warnings   []Warning        `json:"warnings"`
	Errors     []map[string]any `json:"errors"`
	CanProceed bool             `json:"can_proceed"`
}

// readOnly is Check's transaction: READ COMMITTED like a create's, read-only so that nothing a
// check runs can write.
var readOnly = pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadOnly}

// Check judges in as Create would, without writing anything (docs/rules.md, "Checking a request
// before creating it"): the same input check (an invalid body is the same 400), the same
// admission (admitCreate: the model locks, then every read under them, in one pipeline) and the
// same judgement (judgeCreate, then the warnings), in a read-only transaction. It writes nothing,
// so the request sequence does not advance. The refusals are listed, not returned:
// a create would answer the first. VALIDATOR and ADMIN may check, as they may create.
func (s *Service) Check(ctx context.Context, actor domain.Actor, in CreateInput) (CheckResult, error) {
	if !canWrite(actor) {
		return CheckResult{}, errCreateForbidden
	}
	modelIDs, err := in.check()
	if err != nil {
		return CheckResult{}, err
	}
	db := s.db
	db.Opts = readOnly
	return pgtx.WithTxV(ctx, db, func(tx pgx.Tx) (CheckResult, error) {
		c, err := s.admitCreate(ctx, tx, in, modelIDs, true, nil)
		if err != nil {
			return CheckResult{}, err
		}
		_, refusals := judgeCreate(s, in, c.admission, c.regions)
		out := CheckResult{Errors: make([]map[string]any, 0, len(refusals))}
		for _, r := range refusals {
			e, err := refusalOf(r)
			if err != nil {
				return CheckResult{}, err
			}
			out.Errors = append(out.Errors, e)
		}
		out.Warnings = c.warnings.list(in.TargetCompletionDate.Time)
		out.CanProceed = len(refusals) == 0 && warningsError(out.Warnings, in.AcknowledgeWarnings) == nil
		return out, nil
	})
}

// refusalOf is a refusal as Check lists it: {code, message, ...} with the members its problem
// answer would carry (the per-field errors of an invalid_request under "errors"). Anything but a
// *domain.Error is a failure, returned as such.
func refusalOf(err error) (map[string]any, error) {
	var e *domain.Error
	if !errors.As(err, &e) {
		return nil, err
	}
	out := make(map[string]any, len(e.Extra)+3)
	for k, v := range e.Extra {
		out[k] = v
	}
	out["code"] = e.Code
	out["message"] = e.Message
	if len(e.Fields) > 0 {
		out["errors"] = e.Fields
	}
	return out, nil
}

// sortedIDs returns ids sorted ascending without duplicates (a new slice): the lock order of
// one kind of lock (pgtx.LockOrder), and a canonical order for lists of ids.
func sortedIDs(ids []int32) []int32 { return pgtx.LockOrder(ids) }
