package load

import "math/rand/v2"

// Validation types the scenarios send. The brief for these scenarios named the non-targeted type
// "PERIODIC", which the API does not have (openapi ValidationType: INITIAL, COMPREHENSIVE, CHANGE,
// INTERIM, TARGETED): COMPREHENSIVE stands in for it, being non-targeted and, unlike CHANGE,
// needing no model version. A pgbench script reproducing create-hot or create-multi must use
// the same codes.
const (
	typeTargeted      = "TARGETED"
	typeNonTargeted   = "COMPREHENSIVE"
	typeInitial       = "INITIAL"
	createPriority    = "MEDIUM"
	createTargetDate  = "2027-06-30"
	cancelReason      = "load generator: free the model for the next create"
	maxMultiPerCreate = 4
	maxMultiStride    = 12
)

// multiTypes maps rand.IntN(4) to the request type: half targeted, a quarter COMPREHENSIVE, a
// quarter INITIAL. Index order is part of the distribution the pgbench script reproduces.
var multiTypes = [4]string{typeTargeted, typeTargeted, typeNonTargeted, typeInitial}

// multiPick draws one create-multi request from r over models (the 50 MultiModels): n models
// (1..4) at a random stride (1..12) from a random base, so requests overlap each other often but
// not always, and a type from multiTypes. The draws, their order (n, stride, base, type) and their
// bounds are exactly what the pgbench script does with its own random(); do not reorder them.
// The ids come out ascending because the base and the stride are non-negative.
func multiPick(r *rand.Rand, models []int32) (ids []int32, validationType string) {
	n := 1 + r.IntN(maxMultiPerCreate)
	s := 1 + r.IntN(maxMultiStride)
	if (n-1)*s >= len(models) { // impossible with 50 models (3*12 = 36); kept so the bound holds for any count
		s = 1
	}
	b := r.IntN(len(models) - (n-1)*s)
	ids = make([]int32, n)
	for k := range n {
		ids[k] = models[b+k*s]
	}
	return ids, multiTypes[r.IntN(len(multiTypes))]
}
