package validation

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/region"
)

// RequestChange is a PATCH of a request; nil fields keep their value. An empty TriggerReason
// clears it; RegionIDs replaces the request's regions (an empty list removes them all).
type RequestChange struct {
	Priority             *string
	TargetCompletionDate *domain.Date
	TriggerReason        *string
	RegionIDs            *[]int32
	// AcknowledgeWarnings lets a new target date with warnings through (docs/rules.md,
	// "Target-date warnings"); the warnings are then recorded in the audit row.
	AcknowledgeWarnings bool
}

// check validates the change before any database work and returns its regions sorted.
func (ch RequestChange) check() (regionIDs []int32, err error) {
	var c domain.Check
	if ch.Priority != nil && !slices.Contains(priorities, *ch.Priority) {
		c.Add("priority", "must be one of %v", priorities)
	}
	if ch.TriggerReason != nil {
		c.Text("trigger_reason", *ch.TriggerReason, false)
	}
	if ch.RegionIDs != nil {
		c.IDs("region_ids", *ch.RegionIDs, 0, MaxRegions)
		regionIDs = sortedIDs(*ch.RegionIDs)
	}
	return regionIDs, c.Err()
}

// applyTo returns the update of row the change makes (its unchanged fields keep row's values),
// and the changed fields for the audit row. An empty trigger reason is stored as none.
func (ch RequestChange) applyTo(row gen.ValidationRequestGetRow) (gen.ValidationRequestUpdateParams, map[string]any) {
	params := gen.ValidationRequestUpdateParams{
		RequestID: row.RequestID, Priority: row.Priority, TargetCompletionDate: row.TargetCompletionDate, TriggerReason: row.TriggerReason,
	}
	changes := map[string]any{}
	if ch.Priority != nil {
		params.Priority = gen.ValidationPriority(*ch.Priority)
		changes["priority"] = *ch.Priority
	}
	if ch.TargetCompletionDate != nil {
		params.TargetCompletionDate = ch.TargetCompletionDate.Time
		changes["target_completion_date"] = ch.TargetCompletionDate
	}
	if ch.TriggerReason != nil {
		params.TriggerReason = nil
		if *ch.TriggerReason != "" {
			params.TriggerReason = ch.TriggerReason
		}
		changes["trigger_reason"] = params.TriggerReason
	}
	return params, changes
}

// UpdateRequest changes a request's priority, target completion date, trigger reason and regions
// (VALIDATOR, ADMIN), under the request's row lock. A request awaiting approval or closed refuses
// (invalid_status, docs/rules.md "Changes once work has begun"): its approvers decide on what
// was validated. New regions must be regions each of the request's models runs in, and a new
// target date must not be after the production date of a version the request covers; a PATCH
// that sets the target date is also judged for its warnings (LEAD_TIME over the versions the
// request covers, REVALIDATION_OVERDUE over its models), read under the row lock, and refused
// with warnings_not_acknowledged unless it acknowledges them. A PATCH that leaves the target
// date alone is not: nothing it changes moves a warning.
func (s *Service) UpdateRequest(ctx context.Context, actor domain.Actor, requestID int32, ch RequestChange) (Request, error) {
	if !canWrite(actor) {
		return Request{}, domain.Forbidden("only VALIDATOR and ADMIN users may edit validation requests")
	}
	regionIDs, err := ch.check()
	if err != nil {
		return Request{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Request, error) {
		p := &pgtx.Pipeline{}
		var cur gen.ValidationRequestLockForUpdateRow
		s.queueRequestLock(ctx, p, requestID, &cur)
		var row gen.ValidationRequestGetRow
		pgtx.One(p, &row, func(q *gen.Queries) (gen.ValidationRequestGetRow, error) {
			return q.ValidationRequestGet(ctx, requestID)
		}, pgtx.Wrap("read validation request"))
		regions := region.QueueLookup(ctx, p, regionIDs)
		// The models and versions are read after the row lock, under which they change.
		var gaps []gen.ValidationRegionScopeGapsRow
		if len(regionIDs) > 0 {
			queueScopeGaps(ctx, p, gen.ValidationRegionScopeGapsParams{ModelsOf: requestID, RegionIds: regionIDs}, &gaps)
		}
		var versions []gen.ValidationRequestVersionDatesRow
		var warn *targetWarnings
		if ch.TargetCompletionDate != nil {
			pgtx.Many(p, &versions, func(q *gen.Queries) ([]gen.ValidationRequestVersionDatesRow, error) {
				return q.ValidationRequestVersionDates(ctx, requestID)
			}, pgtx.Wrap("read covered versions"))
			warn = s.queueTargetWarnings(ctx, p, ch.TargetCompletionDate.Time, nil, nil, requestID)
		}
		if err := p.Send(ctx, tx); err != nil {
			return Request{}, err
		}
		if slices.Contains(uneditableIn, cur.Status) {
			return Request{}, statusRefusal(requestID, cur.Status, editsFrozen)
		}
		if _, err := regions.Require("region_ids"); err != nil {
			return Request{}, err
		}
		if err := scopeError("region_ids", gaps); err != nil {
			return Request{}, err
		}
		var warnings []Warning
		if ch.TargetCompletionDate != nil {
			covered := make([]coveredVersion, len(versions))
			for i, v := range versions {
				covered[i] = coveredVersion(v)
			}
			if err := targetError(ch.TargetCompletionDate.Time, covered); err != nil {
				return Request{}, err
			}
			warnings = warn.list(ch.TargetCompletionDate.Time)
			if err := warningsError(warnings, ch.AcknowledgeWarnings); err != nil {
				return Request{}, err
			}
		}
		params, changes := ch.applyTo(row)
		recordAcknowledged(changes, warnings)
		w := &pgtx.Pipeline{}
		var updated int32
		pgtx.Scalar(w, &updated, func(q *gen.Queries) (int32, error) { return q.ValidationRequestUpdate(ctx, params) }, pgtx.Wrap("update validation request"))
		if ch.RegionIDs != nil {
			changes["region_ids"] = regionIDs
			w.Exec(func(q *gen.Queries) error { return q.ValidationRequestRegionsRemoveAll(ctx, requestID) }, pgtx.Wrap("unlink regions"))
			if len(regionIDs) > 0 {
				w.Exec(func(q *gen.Queries) error {
					return q.ValidationRequestRegionsAdd(ctx, gen.ValidationRequestRegionsAddParams{RequestID: requestID, RegionIds: regionIDs})
				}, pgtx.Wrap("link regions"))
			}
		}
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionValidationRequestUpdated,
			UserID: audit.By(actor.UserID), Changes: changes,
		})
		var shown shownRequest
		shown.queue(ctx, w, requestID)
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Request{}, err
		}
		return shown.request(), nil
	})
}
