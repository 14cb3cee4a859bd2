package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"mrmflow/api"
	"mrmflow/internal/domain"
)

// maxErrorBytes is the most an error answer may weigh: far below the 1 MiB a body may, so no
// request is amplified into a larger answer.
const maxErrorBytes = 64 << 10

// fill puts items (item(1), item(2), ...; comma-separated) between open and closing, up to n
// bytes in all.
func fill(open string, item func(i int) string, closing string, n int) string {
	var b strings.Builder
	b.WriteString(open)
	for i := 1; ; i++ {
		next := item(i)
		if b.Len()+len(next)+1+len(closing) > n {
			break
		}
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteString(next)
	}
	b.WriteString(closing)
	return b.String()
}

// hostileBody is a body of at most 1 MiB built to make the error answer as large as possible,
// and the endpoints whose input it targets.
type hostileBody struct {
	name, body string
	paths      []string
}

// TestErrorAnswersAreBounded sends bodies built to make the error answer as large as possible —
// huge arrays and maps, many bad items under the count limits, client-chosen names an error
// would echo — to the endpoints they target (as ADMIN, so authorization is not what refuses
// them): each answer is a 4xx of less than 64 KiB. Before the bound, 900 KB of empty targets
// answered 22.7 MB.
func TestErrorAnswersAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	_, _, versionID := e.deploymentSetup(owner)
	deployments := fmt.Sprintf("/api/v1/versions/%d/deployments", versionID)
	requests := "/api/v1/validation-requests"
	bulk := []string{"/api/v1/deployment-tasks/bulk/confirm", "/api/v1/deployment-tasks/bulk/adjust", "/api/v1/deployment-tasks/bulk/cancel"}
	withRegions := []string{"/api/v1/models", "/api/v1/models/1/versions", requests}
	every := append([]string{
		"/api/v1/users", fmt.Sprintf("/api/v1/users/%d/tokens", owner.ID), "/api/v1/regions",
		"/api/v1/models/1/delegates", "/api/v1/validation-requests/1/status", deployments,
		"/api/v1/deployment-tasks/1/confirm", "/api/v1/deployment-tasks/1/adjust", "/api/v1/deployment-tasks/1/cancel",
	}, append(withRegions, bulk...)...)

	const n = api.MaxBodyBytes
	long := strings.Repeat("k", n-40)
	zeros := strings.TrimSuffix(strings.Repeat("0,", 500), ",")
	badTarget := `{"region_id":0,"planned_production_date":"x","notes":"\u0000"}`
	badTargets := strings.TrimSuffix(strings.Repeat(badTarget+",", 500), ",")
	bodies := []hostileBody{
		{"empty targets", fill(`{"targets":[`, func(int) string { return `{}` }, `]}`, n), []string{deployments}},
		{"500 bad targets", `{"targets":[` + badTargets + `]}`, []string{deployments}},
		{"model_versions keys", fill(`{"model_versions":{`, func(i int) string { return fmt.Sprintf(`"%d":1`, i) }, `}}`, n), []string{requests}},
		{"bad model_versions keys", fill(`{"model_versions":{`, func(i int) string { return fmt.Sprintf(`"x%d":0`, i) }, `}}`, n), []string{requests}},
		{"long model_versions key", `{"model_versions":{"` + long + `":1}}`, []string{requests}},
		{"model_ids", fill(`{"model_ids":[`, strconv.Itoa, `]}`, n), []string{requests}},
		{"task_ids", fill(`{"task_ids":[`, strconv.Itoa, `]}`, n), bulk},
		{"500 bad task_ids", `{"task_ids":[` + zeros + `]}`, bulk},
		{"region_ids", fill(`{"region_ids":[`, strconv.Itoa, `]}`, n), withRegions},
		{"500 bad region_ids", `{"region_ids":[` + zeros + `]}`, withRegions},
		{"unknown long member", `{"` + long + `":1}`, every},
		{"unknown member in targets", `{"targets":[{"` + long + `":1}]}`, []string{deployments}},
	}
	before := e.rowCounts()
	for _, b := range bodies {
		if len(b.body) > n {
			t.Fatalf("%s: body of %d bytes is over the limit", b.name, len(b.body))
		}
		for _, path := range b.paths {
			r := e.call(http.MethodPost, path, e.admin.Token, b.body)
			if r.Status < 400 || r.Status > 499 {
				t.Errorf("%s to %s: status %d, want a 4xx", b.name, path, r.Status)
			}
			if len(r.Body) >= maxErrorBytes {
				t.Errorf("%s (%d bytes) to %s: answer of %d bytes, want < %d", b.name, len(b.body), path, len(r.Body), maxErrorBytes)
			}
		}
	}
	e.wantUnchanged(before)

	// The request path is echoed as the problem's instance; a long one is cut.
	r := e.call(http.MethodGet, "/api/v1/"+strings.Repeat("p", 200<<10), e.admin.Token, nil)
	r.wantProblem(http.StatusNotFound, "not_found")
	if len(r.Body) >= maxErrorBytes {
		t.Errorf("a 200 KiB path answered %d bytes, want < %d", len(r.Body), maxErrorBytes)
	}
}

// TestInvalidRequestListsAtMostFiftyErrors: past 50 the answer lists the first
// fifty and gives the total.
func TestInvalidRequestListsAtMostFiftyErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var ids []string
	for range 120 {
		ids = append(ids, "0")
	}
	r := e.call(http.MethodPost, "/api/v1/models", e.admin.Token, `{"model_name":"m","region_ids":[`+strings.Join(ids, ",")+`]}`)
	p := r.wantProblem(http.StatusBadRequest, "invalid_request")
	if len(p.Errors) != 50 {
		t.Errorf("%d errors listed, want %d", len(p.Errors), 50)
	}
	var total struct {
		ErrorsTotal int `json:"errors_total"`
	}
	if err := json.NewDecoder(bytes.NewReader(r.Body)).Decode(&total); err != nil || total.ErrorsTotal != 120 {
		t.Errorf("errors_total = %d (%v), want 120", total.ErrorsTotal, err)
	}
	if p.Errors[0].Field != "region_ids[0]" {
		t.Errorf("first error names %q, want region_ids[0]", p.Errors[0].Field)
	}
}

// TestBulkInputProblemsAreListedTogether: a bulk call's bad task ids and bad operation fields are
// refused in one answer that lists both, and nothing changes.
func TestBulkInputProblemsAreListedTogether(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := e.rowCounts()
	for _, c := range []struct{ path, body, want string }{
		{"cancel", `{"task_ids":[0,2147483648,7,7],"cancellation_reason":""}`, "task_ids[0] task_ids[1] task_ids[3] cancellation_reason"},
		{"cancel", `{"task_ids":[0]}`, "task_ids[0] cancellation_reason"},
		{"adjust", `{"task_ids":[7,7]}`, "task_ids[1] planned_production_date adjustment_reason"},
		{"confirm", `{"task_ids":[]}`, "task_ids actual_production_date"},
	} {
		r := e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/"+c.path, e.admin.Token, c.body)
		p := r.wantProblem(http.StatusBadRequest, "invalid_request")
		var fields []string
		for _, fe := range p.Errors {
			fields = append(fields, fe.Field)
		}
		if got := strings.Join(fields, " "); got != c.want {
			t.Errorf("%s %s: errors name %q, want %q", c.path, c.body, got, c.want)
		}
	}
	e.wantUnchanged(before)
}
