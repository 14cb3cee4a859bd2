package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// demoSchedule shows the revalidation schedule (docs/revalidation.md) of the model the demo just
// validated: it gives the model risk tier TIER_2 (18 months, 3 months' grace, 90 days' lead time)
// and prints its model_revalidation_schedule row and its revalidation_status on four days: the
// approval day, the day after the submission due date (in the grace period: no request is open,
// so still UPCOMING), the day after the grace period (SHOULD_CREATE_REQUEST) and the day after
// the validation due date (REVALIDATION_OVERDUE). The tier is set in SQL on the service's pool:
// PATCH /models/{id} {"risk_tier"} (README, "Is my model due?") is the endpoint for it.
func demoSchedule(ctx context.Context, pool *pgxpool.Pool, modelID int32, stdout io.Writer) error {
	if _, err := pool.Exec(ctx, `UPDATE models SET risk_tier = 'TIER_2' WHERE model_id = $1`, modelID); err != nil {
		return fmt.Errorf("set risk tier: %w", err)
	}
	rows, err := pool.Query(ctx, `
SELECT s.last_validation_request_id, s.last_validation_date, s.submission_due, s.grace_period_end, s.validation_due,
       d.as_of,
       revalidation_status(s.risk_tier, s.last_validation_request_id, s.interim_request_id, s.active_request_id,
                           s.submission_received_date, s.submission_due, s.grace_period_end, s.validation_due, d.as_of)
FROM model_revalidation_schedule s
CROSS JOIN LATERAL (VALUES (1, s.last_validation_date), (2, s.submission_due + 1), (3, s.grace_period_end + 1),
                           (4, s.validation_due + 1)) d (n, as_of)
WHERE s.model_id = $1
ORDER BY d.n`, modelID)
	if err != nil {
		return fmt.Errorf("read schedule: %w", err)
	}
	defer rows.Close()
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	labels := []string{"the approval day", "in the grace period, no request open", "past the grace period", "past the validation due date"}
	first, n := true, 0
	for rows.Next() {
		var last *int32
		var lastOn, subDue, graceEnd, valDue, asOf *time.Time
		var status string
		if err := rows.Scan(&last, &lastOn, &subDue, &graceEnd, &valDue, &asOf, &status); err != nil {
			return fmt.Errorf("read schedule: %w", err)
		}
		if first {
			first = false
			if last == nil {
				return fmt.Errorf("model %d has no full validation", modelID)
			}
			fmt.Fprintf(stdout, "\nmodel %d, risk tier TIER_2 (set in SQL here; PATCH /models/{id} in the API): its revalidation schedule\n", modelID)
			fmt.Fprintf(stdout, "  last full validation: request %d, approved %s\n", *last, day(lastOn))
			fmt.Fprintf(stdout, "  submission due %s, grace period ends %s, validation due %s\n", day(subDue), day(graceEnd), day(valDue))
		}
		fmt.Fprintf(stdout, "  as of %s (%s): %s\n", day(asOf), labels[min(n, len(labels)-1)], status)
		n++
	}
	return rows.Err()
}
