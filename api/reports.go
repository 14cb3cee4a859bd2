package api

import (
	"net/http"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// listRuleExceptions answers GET /reports/rule-exceptions: the existing data that breaks the
// rules on model changes and region scope (README, "Upgrading: data the new rules refuse"). Its
// rows are keyed by (request_id, kind, model_id, region_id), so its cursor is a composite one.
func (s *Server) listRuleExceptions(w http.ResponseWriter, r *http.Request) error {
	// as_of, taken by every list, names the CSV's day only: the report has no day counts.
	q := readQuery(r, "kind", "limit", "cursor", "format", "as_of")
	var f validation.RuleExceptionFilter
	f.Kind = q.text("kind")
	asOf := q.date("as_of")
	page := domain.KeyPage{Limit: q.limit(), After: q.keyCursor(validation.RuleExceptionKeyParts)}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("rule-exceptions", asOf), func(each func(validation.RuleException) error) error {
			return s.validations.ExportRuleExceptions(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.RuleExceptions(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, keyListOf(items, next))
	return nil
}

// keyListOf is listOf for a report keyed by a composite position (encodeKeyCursor).
func keyListOf[T any](items []T, next []int64) list[T] {
	answer := listOf(items, nil)
	if next != nil {
		c := encodeKeyCursor(next)
		answer.NextCursor = &c
	}
	return answer
}

// listPendingAssignments answers GET /reports/pending-assignments: active requests with no
// primary validator, oldest first (README, "Oversight reports").
func (s *Server) listPendingAssignments(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "as_of", "severity", "priority", "limit", "cursor", "format")
	f := validation.PendingAssignmentFilter{AsOf: q.date("as_of"), Severity: q.text("severity"), Priority: q.text("priority")}
	page := domain.KeyPage{Limit: q.limit(), After: q.keyCursor(validation.PendingAssignmentKeyParts)}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("pending-assignments", f.AsOf), func(each func(validation.PendingAssignment) error) error {
			return s.validations.ExportPendingAssignments(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.PendingAssignments(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, keyListOf(items, next))
	return nil
}

// listWorkload answers GET /reports/workload: one row per validator, in user_id order (README,
// "Oversight reports").
func (s *Server) listWorkload(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "as_of", "limit", "cursor", "format")
	f := validation.WorkloadFilter{AsOf: q.date("as_of")}
	page := q.page()
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("workload", f.AsOf), func(each func(validation.Workload) error) error {
			return s.validations.ExportWorkload(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.Workload(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}

// listOutOfOrder answers GET /reports/out-of-order: active requests whose target date is after
// the production date of a version they cover, in (request_id, version_id) order (README,
// "Oversight reports").
func (s *Server) listOutOfOrder(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "as_of", "limit", "cursor", "format")
	f := validation.OutOfOrderFilter{AsOf: q.date("as_of")}
	page := domain.KeyPage{Limit: q.limit(), After: q.keyCursor(validation.OutOfOrderKeyParts)}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("out-of-order", f.AsOf), func(each func(validation.OutOfOrder) error) error {
			return s.validations.ExportOutOfOrder(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.OutOfOrder(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, keyListOf(items, next))
	return nil
}

// listSLAViolations answers GET /reports/sla-violations: the phases of active requests over the
// workflow SLA's allowance, hold days excluded, in (request_id, phase) order (docs/sla.md).
func (s *Server) listSLAViolations(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "as_of", "phase", "severity", "limit", "cursor", "format")
	f := validation.SLAViolationFilter{AsOf: q.date("as_of"), Phase: q.text("phase"), Severity: q.text("severity")}
	page := domain.KeyPage{Limit: q.limit(), After: q.keyCursor(validation.SLAViolationKeyParts)}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("sla-violations", f.AsOf), func(each func(validation.SLAViolation) error) error {
			return s.validations.ExportSLAViolations(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.SLAViolations(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, keyListOf(items, next))
	return nil
}
