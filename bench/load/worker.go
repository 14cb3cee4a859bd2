package load

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"mrmflow/client"
)

// errorBackoff is the pause after a transport error, so a client facing a dead replica does not
// spin at full speed inflating Errors; a healthy run never waits on it.
const errorBackoff = 10 * time.Millisecond

// window is the measured period: a create that completes in [from, to] is counted.
type window struct{ from, to time.Time }

func (w window) counts(t time.Time) bool { return !t.Before(w.from) && !t.After(w.to) }

// tally is one client's record. Each client owns its tally, so the hot loop takes no lock; Run
// merges them when every client has stopped.
type tally struct {
	latencies []time.Duration
	status    map[int]int
	cancels   int
	errors    int
	server5xx int
}

func newTally() *tally { return &tally{status: map[int]int{}} }

func (t *tally) merge(o *tally) {
	t.latencies = append(t.latencies, o.latencies...)
	for code, n := range o.status {
		t.status[code] += n
	}
	t.cancels += o.cancels
	t.errors += o.errors
	t.server5xx += o.server5xx
}

// worker is one closed-loop client.
type worker struct {
	client   *Client
	fx       Fixture
	scenario Scenario
	rnd      *rand.Rand
	tally    *tally
}

// createBody is POST /api/v1/validation-requests without the optional fields: no regions, no
// versions, no Idempotency-Key, so every request takes the plain lock-check-insert path.
type createBody = client.ValidationRequestCreate

// createTarget is createTargetDate as the generated client takes it.
var createTarget = date(createTargetDate)

// createdRequest is what the loop reads of a 201: only the id to cancel, not the whole request.
type createdRequest struct {
	RequestID int32 `json:"request_id"`
}

// loop sends requests until the window closes or ctx ends. A request in flight when the window
// closes is finished (and its cancel sent) but not counted.
func (w *worker) loop(ctx context.Context, win window) {
	for ctx.Err() == nil && time.Now().Before(win.to) {
		w.once(ctx, win)
	}
}

// next draws the next create: its body, and whether a success must be cancelled to free the
// model (every non-targeted success, so the next create of the model can succeed again).
func (w *worker) next() (createBody, bool) {
	body := createBody{Priority: createPriority, TargetCompletionDate: createTarget}
	var typ string
	switch w.scenario {
	case CreateDistinct:
		body.ModelIds, typ = []int32{w.fx.DistinctModels[w.rnd.IntN(len(w.fx.DistinctModels))]}, typeTargeted
	case CreateHot:
		body.ModelIds, typ = []int32{w.fx.HotModel}, typeNonTargeted
	case CreateMulti:
		body.ModelIds, typ = multiPick(w.rnd, w.fx.MultiModels)
	}
	body.ValidationType = client.ValidationType(typ)
	return body, typ != typeTargeted
}

// once sends one create, and its cancel when the create succeeded and needs one.
func (w *worker) once(ctx context.Context, win window) {
	body, cancelIt := w.next()
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err) // a fixed struct of ints and strings always encodes
	}
	// Encoded before the clock starts, as a client that prepared its request would; the
	// generated client's WithBody variant sends the bytes as they are.
	began := time.Now()
	status, created, err := answer(w.client.api().CreateValidationRequestWithBody(ctx, nil, "application/json", bytes.NewReader(raw)))
	ended := time.Now()
	if !w.record(ctx, status, err) {
		return
	}
	counted := win.counts(ended)
	if counted {
		w.tally.latencies = append(w.tally.latencies, ended.Sub(began))
		w.tally.status[status]++
	}
	if status != 201 || !cancelIt {
		return
	}
	w.cancel(ctx, created, counted)
}

// cancel closes the request a create just opened. It is attributed to the create's window, so in
// a run's Result Cancels equals the counted non-targeted 201s exactly.
func (w *worker) cancel(ctx context.Context, created []byte, counted bool) {
	if counted {
		w.tally.cancels++
	}
	var r createdRequest
	if err := json.Unmarshal(created, &r); err != nil || r.RequestID <= 0 {
		w.tally.errors++ // a 201 without a request id: count it where a broken exchange goes
		return
	}
	status, _, err := answer(w.client.api().ChangeValidationStatus(ctx, r.RequestID, client.ValidationStatusChange{
		Status: client.ValidationStatusCANCELLED, Reason: new(cancelReason),
	}))
	if w.record(ctx, status, err) && counted {
		w.tally.status[status]++
	}
}

// record notes a transport error or a 5xx (for the whole run, warm-up included) and reports
// whether there is an answer to count. After a transport error it pauses briefly.
func (w *worker) record(ctx context.Context, status int, err error) bool {
	if err != nil {
		if ctx.Err() != nil {
			return false // the run is being stopped; not the server's fault
		}
		w.tally.errors++
		select {
		case <-ctx.Done():
		case <-time.After(errorBackoff):
		}
		return false
	}
	if status >= 500 {
		w.tally.server5xx++
	}
	return true
}
